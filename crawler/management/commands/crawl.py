"""``manage.py crawl URL``: every post URL of a blog on stdout, one a line.

Progress goes to stderr, so ``crawl URL | xargs …`` sees only URLs. The
crawl runs in this process (no worker needed) and is resumable: Ctrl-C
stops it, and the same command later picks up where it stopped.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from crawler.adapters import ADAPTERS
from crawler.management.quiet import quiet_http_logs
from crawler.models import CrawlRun
from crawler.services import UnknownAdapter, crawl_site
from waybrief.fetching.errors import FetchError


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Print every post URL of a blog, one a line (progress on stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the blog's address (its home page)")
        parser.add_argument("--adapter", choices=sorted(ADAPTERS), default="",
                            help="skip detection and read the blog as this platform")  # fmt: skip
        parser.add_argument("--concurrency", type=positive_int, default=None,
                            help="requests at once per host (CRAWL_CONCURRENCY)")  # fmt: skip
        parser.add_argument("--delay", type=float, default=None,
                            help="seconds between requests to one host")  # fmt: skip
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the crawl to the workers and return at once")  # fmt: skip
        parser.add_argument("--fresh", action="store_true",
                            help="start over instead of resuming an unfinished crawl")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        err = getattr(self.stderr, "_out", sys.stderr)  # tqdm needs the raw stream
        quiet_http_logs(options["verbosity"])
        request = {
            "url": options["url"], "adapter": options["adapter"],
            "concurrency": options["concurrency"], "delay": options["delay"],
        }  # fmt: skip
        if options["enqueue"]:
            run = self._start(enqueue=True, **request)
            err.write(f"queued crawl run {run.pk} of {run.site.url}\n")
            return
        bar = tqdm(file=err, unit=" pages", desc="crawling", disable=options["no_progress"])

        def progress(pages: int, posts: int) -> None:
            bar.set_postfix_str(f"{posts} posts", refresh=False)
            bar.update(pages - bar.n)

        try:
            run = self._start(
                fresh=options["fresh"], on_url=self._print, on_progress=progress, **request
            )
        except KeyboardInterrupt:
            bar.close()
            err.write("stopped; run the same command again to resume\n")
            raise SystemExit(130) from None
        bar.close()
        self._report(run, err)

    def _start(self, **request: Any) -> CrawlRun:
        try:
            return crawl_site(**request)
        except (FetchError, UnknownAdapter) as exc:
            raise CommandError(str(exc)) from None

    def _print(self, url: str) -> None:
        self.stdout.write(url)

    def _report(self, run: CrawlRun, err: Any) -> None:
        if run.state == CrawlRun.State.FAILED:
            raise CommandError(run.error or "the crawl failed")
        if fallback := run.stats.get("fallback"):
            err.write(f"{fallback}; its posts were listed from the Archive's index instead\n")
        err.write(
            f"{run.urls_found} posts from {run.pages_fetched} pages "
            f"({run.adapter} adapter, crawl run {run.pk})\n"
        )
        if run.stats.get("page_limit_reached"):  # an endless site, or a trap no rule caught
            err.write("the crawl stopped at its page limit: pages past it were not read, "
                      "so some posts may be missing\n")  # fmt: skip
        if run.state == CrawlRun.State.INCOMPLETE:
            raise CommandError(
                f"{run.errors} page(s) could not be read, so some posts may be missing; "
                f"run the same command again to retry them.\n{run.error}",
                returncode=2,
            )
