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
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crawler.services import live_shape, site_for
from summarizer import services
from wayback import WaybackError, capture_url
from wayback.errors import Blocked
from wayback.urls import parse_timestamp
from waybrief import doorbell
from waybrief.backoff import backoff_seconds
from waybrief.ledger import Lease, LeaseLost, take
from waybrief.spreadsheet import csv_cell

from .coverage import latest_captures
from .models import RecoveredPost, Recovery

log = logging.getLogger(__name__)

FIELDS = ("url", "captured_at", "timestamp", "wayback_url", "original", "title", "summary")
OPEN = (Recovery.State.PENDING, Recovery.State.LISTING)
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60  # after the Archive's index could not be read; doubles
RECOVER_TASK = "sites.recover"


def start_recovery(*, url: str, summarize: bool = False, mode: str = "summary") -> Recovery:
    """Queue a recovery of the blog at ``url`` for the workers."""
    with transaction.atomic():
        row = Recovery.objects.create(site=site_for(url=url), summarize=summarize, mode=mode)
        doorbell.ring(RECOVER_TASK, row.pk)
    return row


def recover(
    *, url: str, summarize: bool = False, mode: str = "summary",
    on_post: Callable[[RecoveredPost], None] | None = None,
) -> Recovery:  # fmt: skip
    """Recover the blog at ``url`` here and now, each summary written in place.
    Raises ``WaybackError`` when the Archive's index cannot be read."""
    site = site_for(url=url, by_user=False)
    row = Recovery.objects.create(site=site, summarize=summarize, mode=mode)
    return run_recovery(row.pk, inline=True, on_post=on_post, raise_errors=True)


def run_recovery(
    recovery_id: int, *, inline: bool = False,
    on_post: Callable[[RecoveredPost], None] | None = None, raise_errors: bool = False,
) -> Recovery:  # fmt: skip
    """Do recovery ``recovery_id`` if it is still to be done and nobody holds it.

    Killed part-way, it starts over on the next attempt: posts already listed
    are kept (one row per post), summaries already asked for are not asked again.
    """
    lease = take(Recovery, recovery_id, states=OPEN)
    if lease is None:
        return Recovery.objects.get(pk=recovery_id)
    try:
        with lease:  # renewed in the background: listing and summarizing take long
            return _run_claimed(recovery_id, lease, inline=inline, on_post=on_post,
                                raise_errors=raise_errors)  # fmt: skip
    except LeaseLost:
        log.warning("recovery %s: lease lost to another worker; this attempt stops", recovery_id)
        return Recovery.objects.get(pk=recovery_id)


def _run_claimed(
    recovery_id: int, lease: Lease, *, inline: bool,
    on_post: Callable[[RecoveredPost], None] | None, raise_errors: bool,
) -> Recovery:  # fmt: skip
    row = Recovery.objects.select_related("site").get(pk=recovery_id)
    lease.write(state=Recovery.State.LISTING, updated_at=timezone.now())
    bad: list[dict[str, str]] = []
    try:
        captured = latest_captures(row.site.url, shape=live_shape(row.site), bad_rows=bad)
    except WaybackError as exc:
        if isinstance(exc, Blocked):  # the site is excluded: permanent, never retried
            _give_up(row, str(exc), lease)
        else:
            _retry_later(row, f"The Archive's index could not be read: {exc}", lease)
        if raise_errors:
            raise
        return Recovery.objects.get(pk=row.pk)
    lease.check()
    RecoveredPost.objects.bulk_create(
        [RecoveredPost(recovery=row, url=post, timestamp=stamp, original=original)
         for post, (stamp, original) in captured.items()],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip
    for post in row.posts.select_related("summary__document").iterator():
        lease.check()
        if row.summarize and post.summary_id is None:
            _summarize(post, row.mode, inline=inline)
        if on_post is not None:
            on_post(post)
    lease.write(
        release=True, state=Recovery.State.DONE, posts_found=len(captured), error="",
        rows_skipped=len(bad), finished=timezone.now(), next_attempt_at=None,
        updated_at=timezone.now(),
    )  # fmt: skip
    return Recovery.objects.get(pk=row.pk)


def _retry_later(row: Recovery, message: str, lease: Lease) -> None:
    attempts = Recovery.objects.get(pk=row.pk).attempts
    changes: dict = {"error": message, "updated_at": timezone.now()}
    if attempts >= MAX_ATTEMPTS:
        changes.update(state=Recovery.State.FAILED, finished=timezone.now())
    else:
        delay = backoff_seconds(attempts, RETRY_SECONDS)
        changes["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
    lease.write(release=True, **changes)


def _give_up(row: Recovery, message: str, lease: Lease) -> None:
    now = timezone.now()
    lease.write(release=True, state=Recovery.State.FAILED, error=message, finished=now,
                next_attempt_at=None, updated_at=now)  # fmt: skip


def _summarize(post: RecoveredPost, mode: str, *, inline: bool) -> None:
    """Ask for the summary of the post's capture, by the spelling it was
    captured as (the one the Archive can find); in place when ``inline``."""
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
    for post in recovery.posts.select_related("summary__document").iterator():
        summary = post.summary
        done = summary is not None and summary.state == summary.State.DONE
        yield {
            "url": post.url,
            "captured_at": _iso(post.timestamp),
            "timestamp": post.timestamp,
            "wayback_url": capture_url(post.timestamp, post.original),
            "original": post.original,
            "title": summary.document.title if done and summary.document else "",
            "summary": summary.output if done else "",
        }


def _iso(timestamp: str) -> str:
    when = parse_timestamp(timestamp)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def export(recovery: Recovery, fmt: str) -> str:
    return export_rows(rows(recovery), fmt)


def export_rows(posts: Iterable[dict[str, str]], fmt: str) -> str:
    """Posts as CSV (a header row, one row a post) or a JSON array."""
    if fmt == "json":
        return json.dumps(list(posts), ensure_ascii=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in post.items()} for post in posts)
    return out.getvalue()
