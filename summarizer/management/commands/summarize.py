"""`manage.py summarize URL`: the summary on stdout, like a Unix tool."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from summarizer import services
from summarizer.models import Summary
from waybrief.fetching import FetchError


class Command(BaseCommand):
    help = "Fetch URL and print its summary (or, for code, an explanation)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument("--mode", choices=["summary", "takeaway", "explain"], default="summary")
        parser.add_argument("--lang", default="", help="answer language, e.g. EN, ZH-HANT, JA")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--no-cache", action="store_true", help="always run the model")
        parser.add_argument(
            "--from-archive", action="store_true",
            help="read the page's latest Wayback capture instead of the live page",
        )  # fmt: skip
        parser.add_argument(
            "--from-warc", action="store_true",
            help="read the page's local WARC copy (kept by a crawl) instead of the live page",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the workers and return at once"
        )

    def handle(self, *args, url, mode, lang, json: bool, no_cache: bool, enqueue: bool, **opts):
        try:
            summary = services.request_summary(
                url=url, mode=mode, target_language=lang, enqueue=enqueue,
                use_cache=not no_cache, source=_source(opts),
            )  # fmt: skip
        except (FetchError, services.InvalidRequest) as exc:
            raise CommandError(str(exc)) from None
        if enqueue:
            self.stdout.write(f"queued summary {summary.pk}")
            return
        if not summary.is_finished:
            self.stderr.write(f"summarizing {summary.url} …")
            summary = services.run_summary(summary_id=summary.pk)
        if summary.state == Summary.State.FAILED:
            raise CommandError(f"{summary.error_message} ({summary.error_code})")
        if json:
            self.stdout.write(_as_json(summary))
        else:
            self.stdout.write(summary.output)
            self.stderr.write(_footer(summary))


def _source(opts: dict) -> str:
    if opts["from_archive"] and opts["from_warc"]:
        raise CommandError("Use --from-archive or --from-warc, not both.")
    if opts["from_warc"]:
        return services.LOCAL
    return services.ARCHIVE if opts["from_archive"] else ""


def _as_json(summary: Summary) -> str:
    document = summary.document
    return json.dumps(
        {
            "id": summary.pk,
            "url": summary.url,
            "final_url": document.final_url if document else summary.url,
            "title": document.title if document else "",
            "language": summary.language,
            "mode": summary.mode,
            "output": summary.output,
            "model": summary.model,
            "tokens": {"input": summary.tokens_in, "output": summary.tokens_out},
            "parts": summary.parts,
            "cache_hit": summary.cache_hit,
            "timings": summary.timings,
            "capture": {"timestamp": summary.capture_timestamp, "url": summary.capture_url},
            "source": summary.source or "live",
            "extractor": document.extraction if document else "",
            "pages": {
                "read": document.pages_read if document else 0,
                "total": document.pages_total if document else 0,
            },
        },
        ensure_ascii=False,
    )


def _footer(summary: Summary) -> str:
    total = summary.timings.get("total_ms")
    took = f", {total / 1000:.1f} s" if total else ""
    cached = ", cached" if summary.cache_hit else ""
    read = f"; read from {summary.capture_url}" if summary.capture_url else ""
    if summary.source == services.LOCAL:
        read = "; read from its local WARC copy"
    return (
        f"— {summary.model}, {summary.tokens_out} tokens, {summary.parts} part(s){took}{cached}"
        f"{read}"
    )
