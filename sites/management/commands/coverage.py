"""``manage.py coverage URL``: which posts of a blog the Archive holds.

One line per post, live or captured: ``URL<TAB>state<TAB>latest-capture``
(state ``captured``, ``stale``, ``missing`` or ``gone``; ``-`` when never
captured), and a summary line on stderr. The live blog is crawled here and
now; ``--archive-missing`` then submits exactly the gaps.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archiver import workflow
from crawler.adapters import ADAPTERS
from crawler.engine import SiteUnreadable
from crawler.management.quiet import quiet_http_logs
from crawler.services import UnknownAdapter
from sites.coverage import Coverage, archive_gaps, check_coverage
from wayback import WaybackError
from waybrief.fetching.errors import FetchError


class Command(BaseCommand):
    help = "Compare a blog's live posts with the Archive's captures (tab-separated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the blog's address (its home page)")
        parser.add_argument("--adapter", choices=sorted(ADAPTERS), default="",
                            help="read the live blog as this platform")  # fmt: skip
        parser.add_argument("--stale-days", type=int, default=None,
                            help="captures older are stale (COVERAGE_STALE_DAYS)")  # fmt: skip
        parser.add_argument("--archive-missing", action="store_true",
                            help="then submit every missing post for archiving")  # fmt: skip
        parser.add_argument("--include-stale", action="store_true",
                            help="with --archive-missing, submit the stale posts too")  # fmt: skip
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the submissions to the workers instead")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        quiet_http_logs(options["verbosity"])
        try:
            coverage = check_coverage(
                url=options["url"], adapter=options["adapter"], stale_days=options["stale_days"]
            )
        except (FetchError, UnknownAdapter, WaybackError, SiteUnreadable) as exc:
            raise CommandError(str(exc)) from None
        for post in coverage.posts:
            self.stdout.write(f"{post.url}\t{post.state}\t{post.timestamp or '-'}")
        self.stderr.write(summary(coverage))
        if options["archive_missing"]:
            self._archive(coverage, stale=options["include_stale"], enqueue=options["enqueue"])

    def _archive(self, coverage: Coverage, *, stale: bool, enqueue: bool) -> None:
        captures = archive_gaps(coverage, stale=stale, enqueue=enqueue)
        if captures and not enqueue:
            try:
                workflow.drive([c.pk for c in captures], wait=False)
            except workflow.KeysRefused as exc:
                raise CommandError(str(exc)) from exc
        where = "queued for the workers" if enqueue else "submitted"
        self.stderr.write(f"{len(captures)} post(s) {where} to the Wayback Machine")


def summary(coverage: Coverage) -> str:
    counts = coverage.counts
    return (
        f"{coverage.site.url}: {counts['live']} live, {counts['in_archive']} in the Archive; "
        f"{counts['captured']} captured, {counts['stale']} stale (before {coverage.cutoff[:8]}), "
        f"{counts['missing']} missing, {counts['gone']} gone"
    )
