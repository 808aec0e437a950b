"""Recovering a dead blog: what the Archive still holds of it, in one list.

A ``Recovery`` row is the request; the workers read the CDX index into one
``RecoveredPost`` row a post (each with its latest good capture), then, if
asked, queue a summary of each from that capture's raw copy. The admin and
the API queue it; ``manage.py recover`` runs it in place. The list is
exported as CSV or JSON so a person can read, or re-host, what is left.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from archiver.clients import WaybackError
from waybrief.ledger import claim, due, enqueue_on_commit, register_reconciler

from .coverage import latest_captures
from .models import RecoveredPost, Recovery
from .services import live_shape, site_for

log = logging.getLogger(__name__)

FIELDS = ("url", "captured_at", "timestamp", "wayback_url", "original", "title", "summary")
OPEN = (Recovery.State.PENDING, Recovery.State.LISTING)
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60  # after the Archive's index could not be read; doubles


def start_recovery(*, url: str, summarize: bool = False, mode: str = "summary") -> Recovery:
    """Queue a recovery of the blog at ``url`` for the workers."""
    from .tasks import recover

    with transaction.atomic():
        row = Recovery.objects.create(site=site_for(url=url), summarize=summarize, mode=mode)
        enqueue_on_commit(recover, row.pk)
    return row


def recover(
    *, url: str, summarize: bool = False, mode: str = "summary",
    on_post: Callable[[RecoveredPost], None] | None = None,
) -> Recovery:  # fmt: skip
    """Recover the blog at ``url`` here and now, each summary written in place.
    Raises ``WaybackError`` when the Archive's index cannot be read."""
    row = Recovery.objects.create(site=site_for(url=url), summarize=summarize, mode=mode)
    return run_recovery(row.pk, inline=True, on_post=on_post, raise_errors=True)


def run_recovery(
    recovery_id: int, *, inline: bool = False,
    on_post: Callable[[RecoveredPost], None] | None = None, raise_errors: bool = False,
) -> Recovery:  # fmt: skip
    """Do recovery ``recovery_id`` if it is still to be done and nobody holds it.

    Killed part-way, it starts over on the next attempt: posts already listed
    are kept (one row per post), summaries already asked for are not asked again.
    """
    if not claim(Recovery, recovery_id, states=OPEN):
        return Recovery.objects.get(pk=recovery_id)
    row = Recovery.objects.select_related("site").get(pk=recovery_id)
    listing = {"state": Recovery.State.LISTING, "updated_at": timezone.now()}
    Recovery.objects.filter(pk=row.pk).update(**listing)
    try:
        captured = latest_captures(row.site.url, shape=live_shape(row.site))
    except WaybackError as exc:
        _retry_later(row, f"The Archive's index could not be read: {exc}")
        if raise_errors:
            raise
        return Recovery.objects.get(pk=row.pk)
    RecoveredPost.objects.bulk_create(
        [RecoveredPost(recovery=row, url=post, timestamp=stamp, original=original)
         for post, (stamp, original) in captured.items()],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip
    for post in row.posts.select_related("summary__document").iterator():
        if row.summarize and post.summary_id is None:
            _summarize(post, row.mode, inline=inline)
        if on_post is not None:
            on_post(post)
    Recovery.objects.filter(pk=row.pk).update(
        state=Recovery.State.DONE, posts_found=len(captured), error="", finished=timezone.now(),
        claimed_until=None, next_attempt_at=None, updated_at=timezone.now(),
    )  # fmt: skip
    return Recovery.objects.get(pk=row.pk)


def _retry_later(row: Recovery, message: str) -> None:
    attempts = Recovery.objects.get(pk=row.pk).attempts
    changes: dict = {"error": message, "claimed_until": None, "updated_at": timezone.now()}
    if attempts >= MAX_ATTEMPTS:
        changes.update(state=Recovery.State.FAILED, finished=timezone.now())
    else:
        delay = RETRY_SECONDS * 2 ** max(0, attempts - 1)
        changes["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
    Recovery.objects.filter(pk=row.pk).update(**changes)


def _summarize(post: RecoveredPost, mode: str, *, inline: bool) -> None:
    """Ask for the summary of the post's capture, by the spelling it was
    captured as (the one the Archive can find); in place when ``inline``."""
    from summarizer import services

    summary = services.request_summary(url=post.original, mode=mode, enqueue=not inline,
                                       source=services.ARCHIVE)  # fmt: skip
    if inline and not summary.is_finished:
        summary = services.run_summary(summary_id=summary.pk)
    post.summary = summary
    RecoveredPost.objects.filter(pk=post.pk).update(summary=summary)


def progress(recovery: Recovery) -> dict[str, int]:
    """Posts listed, and where their summaries stand (when asked for)."""
    posts = recovery.posts.all()
    counts = {"posts": posts.count()}
    if recovery.summarize:
        states = posts.values_list("summary__state", flat=True)
        counts["summarized"] = sum(1 for s in states if s == "done")
        counts["summary_failed"] = sum(1 for s in states if s == "failed")
        counts["summarizing"] = counts["posts"] - counts["summarized"] - counts["summary_failed"]
    return counts


def rows(recovery: Recovery) -> Iterable[dict[str, str]]:
    """One dict a post, with the fields of ``FIELDS``."""
    base = settings.WAYBACK_URL.rstrip("/")
    for post in recovery.posts.select_related("summary__document").iterator():
        summary = post.summary
        done = summary is not None and summary.state == summary.State.DONE
        yield {
            "url": post.url,
            "captured_at": datetime.strptime(post.timestamp, "%Y%m%d%H%M%S").isoformat() + "Z",
            "timestamp": post.timestamp,
            "wayback_url": f"{base}/web/{post.timestamp}/{post.original}",
            "original": post.original,
            "title": summary.document.title if done and summary.document else "",
            "summary": summary.output if done else "",
        }


def export(recovery: Recovery, fmt: str) -> str:
    return export_rows(rows(recovery), fmt)


def export_rows(posts: Iterable[dict[str, str]], fmt: str) -> str:
    """Posts as CSV (a header row, one row a post) or a JSON array."""
    if fmt == "json":
        return json.dumps(list(posts), ensure_ascii=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(posts)
    return out.getvalue()


def _reconcile() -> int:
    """Re-queue recoveries no message reached, whose worker died, or whose retry is due."""
    from .tasks import recover as task

    ids = list(due(Recovery, states=OPEN).filter(attempts__lt=MAX_ATTEMPTS)
               .values_list("pk", flat=True)[:100])  # fmt: skip
    for pk in ids:
        task.delay(pk)
    return len(ids)


register_reconciler("recoveries", _reconcile)
