"""``manage.py recover URL``: list (and optionally summarize) what the Archive
holds of a blog that is gone, as CSV or JSON on stdout (or ``--output F``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crawler.management.quiet import quiet_http_logs
from sites.models import RecoveredPost
from sites.recovery import export, progress, recover
from wayback import WaybackError
from waybrief.fetching.errors import FetchError


class Command(BaseCommand):
    help = "List a dead blog's captured posts with their capture dates (CSV or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the blog's address (its home page)")
        parser.add_argument("--summarize", action="store_true",
                            help="summarize each post from its archived copy")  # fmt: skip
        parser.add_argument("--mode", choices=["summary", "takeaway"], default="summary")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", "-o", default="", help="write to this file, not stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet_http_logs(options["verbosity"])
        try:
            row = recover(url=options["url"], summarize=options["summarize"],
                          mode=options["mode"], on_post=self._progress)  # fmt: skip
        except (FetchError, WaybackError) as exc:
            raise CommandError(str(exc)) from None
        text = export(row, options["format"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
        counts = progress(row)
        tail = f", {counts['summarized']} summarized" if options["summarize"] else ""
        self.stderr.write(f"{counts['posts']} captured posts{tail} (recovery {row.pk})")
        if not counts["posts"]:
            raise CommandError("The Archive holds no capture of a post of that blog.")

    def _progress(self, post: RecoveredPost) -> None:
        if post.summary is not None:
            document = post.summary.document
            title = document.title if document else f"({post.summary.error_message})"
            self.stderr.write(f"{post.timestamp} {post.url} {title}")
