"""Recovering a dead blog: what the Archive still holds of it, in one list.

The posts come from the CDX index (each with its latest good capture), can
each be summarized from that capture's raw copy, and are exported as CSV or
JSON so a person can read, or re-host, what is left.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings

from .coverage import latest_captures
from .services import live_shape, site_for

FIELDS = ("url", "captured_at", "timestamp", "wayback_url", "original", "title", "summary")


@dataclass
class RecoveredPost:
    url: str  # the post, canonical
    timestamp: str  # its latest good capture
    original: str  # the URL as that capture spelled it
    title: str = ""
    summary: str = ""

    @property
    def wayback_url(self) -> str:
        return f"{settings.WAYBACK_URL.rstrip('/')}/web/{self.timestamp}/{self.original}"

    @property
    def captured_at(self) -> str:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").isoformat() + "Z"

    def row(self) -> dict[str, str]:
        return {**asdict(self), "wayback_url": self.wayback_url, "captured_at": self.captured_at}


def recover(
    *, url: str, summarize: bool = False, mode: str = "summary",
    on_post: Callable[[RecoveredPost], None] | None = None,
) -> list[RecoveredPost]:  # fmt: skip
    """Every captured post of the blog at ``url``, oldest URL first; with
    ``summarize``, each summarized here from its archived copy."""
    site = site_for(url=url)
    captured = latest_captures(site.url, shape=live_shape(site))
    posts = [RecoveredPost(post, stamp, original)
             for post, (stamp, original) in sorted(captured.items())]  # fmt: skip
    for post in posts:
        if summarize:
            _summarize(post, mode)
        if on_post is not None:
            on_post(post)
    return posts


def _summarize(post: RecoveredPost, mode: str) -> None:
    """The summary of the post's capture (by the spelling it was captured as,
    which is the one the Archive can find)."""
    from summarizer import services

    summary = services.request_summary(url=post.original, mode=mode, enqueue=False,
                                       source=services.ARCHIVE)  # fmt: skip
    if not summary.is_finished:
        summary = services.run_summary(summary_id=summary.pk)
    post.summary = summary.output if summary.state == summary.State.DONE else ""
    post.title = summary.document.title if summary.document else ""


def export(posts: Iterable[RecoveredPost], fmt: str) -> str:
    """The list as CSV (a header row, one row a post) or a JSON array."""
    rows = [post.row() for post in posts]
    if fmt == "json":
        return json.dumps([{k: row[k] for k in FIELDS} for row in rows], ensure_ascii=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
