"""`manage.py archive URL... [--file F] [--wait]`: save URLs in the Wayback Machine.

The work happens in this process, so no worker is needed; ``--enqueue``
hands it to the workers instead. Output, one line per URL:
``URL<TAB>state<TAB>wayback-url``; progress and errors go to stderr.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archiver import services, workflow
from archiver.models import Capture

GOOD = {Capture.State.ARCHIVED, Capture.State.SKIPPED}


class Command(BaseCommand):
    help = "Archive URLs in the Wayback Machine; with --wait, print each one's Wayback URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*", metavar="URL")
        parser.add_argument(
            "--file",
            "-f",
            action="append",
            default=[],
            help="read URLs from a file, one a line ('-': stdin; # comments)",
        )
        parser.add_argument(
            "--wait", action="store_true", help="wait until each URL is archived, skipped or failed"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the work to the workers instead of doing it here",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="give up waiting after this many seconds (URLs stay queued)",
        )
        parser.add_argument("--source", default="cli", help="recorded as who asked")

    def handle(
        self,
        *args,
        urls: list[str],
        file: list[str],
        wait: bool,
        enqueue: bool,
        timeout: float | None,
        source: str,
        **options,
    ) -> None:
        wanted = list(urls) + [url for path in file for url in _read_urls(path)]
        if not wanted:
            raise CommandError("give at least one URL, or --file FILE", returncode=2)
        try:
            captures = services.archive_urls(wanted, source=source, enqueue=enqueue)
        except services.InvalidURL as exc:
            raise CommandError(str(exc), returncode=2) from exc
        ids = [c.pk for c in captures]
        try:
            if enqueue:
                captures = self._watch(ids, timeout) if wait else captures
            else:
                captures = workflow.drive(ids, wait=wait, timeout=timeout, on_change=self._progress)
        except (workflow.KeysRefused, workflow.TimedOut) as exc:
            self._print(Capture.objects.filter(pk__in=ids))
            raise CommandError(str(exc)) from exc
        self._print(captures)
        failed = [c for c in captures if c.state == Capture.State.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} of {len(captures)} URLs failed")

    def _watch(self, ids: list[int], timeout: float | None) -> list[Capture]:
        """With --enqueue --wait: the workers do the work; follow the rows."""
        deadline = time.monotonic() + timeout if timeout else None
        while True:
            rows = list(Capture.objects.filter(pk__in=ids))
            if all(r.is_final for r in rows):
                order = {pk: n for n, pk in enumerate(ids)}
                return sorted(rows, key=lambda r: order[r.pk])
            if deadline is not None and time.monotonic() > deadline:
                raise workflow.TimedOut("the workers are not done yet; the URLs stay queued")
            time.sleep(0.5)

    def _progress(self, capture: Capture) -> None:
        detail = capture.reason if capture.state == Capture.State.FAILED else capture.job_id
        self.stderr.write(f"{capture.state:9} {capture.url} {detail}".rstrip())

    def _print(self, captures) -> None:
        for capture in captures:
            self.stdout.write(f"{capture.url}\t{capture.state}\t{capture.wayback_url}")


def _read_urls(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
