"""Every write to a capture: the one module that changes a capture's state.

Each change is a conditional UPDATE on the state the caller last saw, so a
worker whose lease ran out cannot undo what a newer one did; it releases the
claim and records a ``CaptureEvent``. ``archive_urls`` is the entry point for
the command, a crawl run, the admin and the API alike.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from waybrief import ledger

from . import breaker, ratelimit
from .clients import Snapshot
from .models import Capture, CaptureEvent

State = Capture.State
RECONCILE_BATCH = 1000


# Longer addresses are refused up front: the Capture column and its index hold
# 2,000 characters (PostgreSQL cannot index much more), and SPN2 refuses such URLs too.
MAX_URL_LENGTH = 2000


class InvalidURL(ValueError):
    """Some of the URLs given cannot be archived; nothing was written."""

    def __init__(self, urls: list[str]) -> None:
        reasons = "; ".join(f"{u[:200]!r}: {why_not_archivable(u)}" for u in urls[:10])
        super().__init__(f"Cannot be archived: {reasons}.")
        self.urls = urls


def why_not_archivable(url: str) -> str:
    """Why the Archive cannot be asked to save ``url`` ("" when it can), as a phrase."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host"
    if any(ch.isspace() for ch in url):
        return "it contains white space"
    if len(url) > MAX_URL_LENGTH:
        return f"too long to archive (over {MAX_URL_LENGTH:,} characters)"
    return ""


def _check_urls(urls: Iterable[str]) -> list[str]:
    """Stripped, de-duplicated (first one wins), every one archivable."""
    wanted, bad = [], []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        if why_not_archivable(url):
            bad.append(url)
        elif url not in wanted:
            wanted.append(url)
    if bad:
        raise InvalidURL(bad)
    return wanted


def _open_by_url(urls: list[str]) -> dict[str, Capture]:
    found: dict[str, Capture] = {}
    for start in range(0, len(urls), 500):  # SQLite caps the parameters of one query
        chunk = urls[start : start + 500]
        found.update(
            (c.url, c) for c in Capture.objects.filter(url__in=chunk, state__in=Capture.OPEN_STATES)
        )
    return found


def archive_urls(urls: Iterable[str], *, source: str = "", enqueue: bool = True) -> list[Capture]:
    """Ask for every URL to be archived; returns their captures in the order given.

    A URL already pending or submitted joins that capture instead of getting
    a second one. With ``enqueue`` the workers are told (after commit);
    without it the caller drives the captures itself (``manage.py archive``).
    """
    wanted = _check_urls(urls)
    with transaction.atomic():
        before = _open_by_url(wanted)
        Capture.objects.bulk_create(
            [Capture(url=url, source=source[:200]) for url in wanted if url not in before],
            ignore_conflicts=True,  # a concurrent request for the same URL won the race
        )
        after = _open_by_url(wanted)
        created = [c for url, c in after.items() if url not in before]
        CaptureEvent.objects.bulk_create(
            CaptureEvent(capture=c, to_state=State.PENDING, note=f"requested by {source or '?'}")
            for c in created
        )
        if enqueue:
            ring(c.pk for c in created)
    return [after[url] for url in wanted]


def ring(capture_ids: Iterable[int]) -> None:
    """Tell a worker to look at each capture, once the transaction commits."""
    from .tasks import process_capture

    for pk in capture_ids:
        ledger.enqueue_on_commit(process_capture, pk)


def retry_failed(captures: QuerySet[Capture]) -> int:
    """Put failed captures back in line (an operator's decision); returns how many."""
    count = 0
    for capture in captures.filter(state=State.FAILED):
        try:
            with transaction.atomic():
                moved = _transition(
                    capture,
                    State.PENDING,
                    note="retry asked by an operator",
                    retries=0,
                    reason="",
                    waiting_for="",
                    next_attempt_at=None,
                    job_id="",
                    submitted_at=None,
                    finished_at=None,
                )
                if moved:
                    ring([capture.pk])
        except IntegrityError:
            continue  # the URL was asked for again meanwhile; that capture carries on
        count += moved
    return count


# --- transitions (called by archiver.workflow while it holds the claim) ------
def _transition(
    capture: Capture,
    to: str,
    *,
    note: str = "",
    release: bool = True,
    also_if: dict | None = None,
    **fields,
) -> bool:
    """Move ``capture`` from the state it had when read to ``to``; False if it moved already.

    ``also_if``: more columns that must still hold what the caller saw.
    """
    now = timezone.now()
    changes = {"state": to, "updated_at": now, **fields}
    if release:
        changes["claimed_until"] = None
    with transaction.atomic():
        moved = (
            Capture.objects.filter(pk=capture.pk, state=capture.state)
            .filter(**(also_if or {}))
            .update(**changes)
        )
        if moved:
            CaptureEvent.objects.create(
                capture_id=capture.pk,
                at=now,
                from_state=capture.state,
                to_state=to,
                note=note[:500],
            )
    if moved:
        for name, value in changes.items():
            setattr(capture, name, value)
    return bool(moved)


def mark_looked_up(capture: Capture) -> None:
    capture.looked_up_at = timezone.now()
    Capture.objects.filter(pk=capture.pk).update(looked_up_at=capture.looked_up_at)


def mark_skipped(capture: Capture, snapshot: Snapshot, *, reason: str) -> bool:
    return _transition(
        capture,
        State.SKIPPED,
        note=reason,
        reason=reason[:500],
        wayback_url=snapshot.wayback_url,
        timestamp=snapshot.timestamp,
        finished_at=timezone.now(),
        waiting_for="",
        next_attempt_at=None,
    )


def mark_sending(capture: Capture) -> bool:
    """Record, before the save request goes out, that it may reach the Archive.

    Keeps (and renews) the claim. False when someone else moved the row
    first: then nothing may be sent.
    """
    return _transition(
        capture,
        State.SUBMITTED,
        note="save request sent",
        release=False,
        claimed_until=ledger.lease_deadline(),
        submitted_at=timezone.now(),
        job_id="",
        reason="",
        waiting_for="",
    )


def mark_job(capture: Capture, job_id: str, *, next_in: float) -> bool:
    """The Archive accepted the save as job ``job_id``; poll it in ``next_in`` seconds."""
    return _transition(
        capture,
        State.SUBMITTED,
        note=f"job {job_id}",
        also_if={"job_id": "", "submitted_at": capture.submitted_at},
        job_id=job_id[:128],
        waiting_for="job",
        next_attempt_at=timezone.now() + timedelta(seconds=next_in),
    )


def mark_archived(capture: Capture, snapshot: Snapshot, *, note: str = "") -> bool:
    ratelimit.release_job(capture.job_slot)
    return _transition(
        capture,
        State.ARCHIVED,
        note=note or f"captured {snapshot.timestamp}",
        wayback_url=snapshot.wayback_url,
        timestamp=snapshot.timestamp,
        finished_at=timezone.now(),
        reason="",
        waiting_for="",
        next_attempt_at=None,
    )


def mark_failed(capture: Capture, reason: str) -> bool:
    ratelimit.release_job(capture.job_slot)
    return _transition(
        capture,
        State.FAILED,
        note=reason,
        reason=reason[:500],
        finished_at=timezone.now(),
        waiting_for="",
        next_attempt_at=None,
    )


def wait(
    capture: Capture,
    *,
    waiting_for: str,
    seconds: float,
    reason: str = "",
    back_to_pending: bool = False,
) -> bool:
    """Put the row aside for ``seconds``; it keeps its state unless ``back_to_pending``.

    ``back_to_pending`` is for a save that surely created no job (refused,
    429, 5xx): the URL is sent again later, which is not a duplicate.
    """
    fields = {
        "waiting_for": waiting_for,
        "next_attempt_at": timezone.now() + timedelta(seconds=max(0.0, seconds)),
    }
    if reason:
        fields["reason"] = reason[:500]
    if back_to_pending and capture.state != State.PENDING:
        ratelimit.release_job(capture.job_slot)
        return _transition(capture, State.PENDING, note=reason or waiting_for, job_id="", **fields)
    moved = Capture.objects.filter(pk=capture.pk, state=capture.state).update(
        claimed_until=None, updated_at=timezone.now(), **fields
    )
    return bool(moved)


def retry_later(capture: Capture, reason: str) -> bool:
    """A transient error about this URL: try again with backoff, or give up after enough."""
    retries = capture.retries + 1
    if retries > settings.WAYBACK_MAX_RETRIES:
        return mark_failed(capture, f"gave up after {capture.retries} retries: {reason}")
    delay = settings.WAYBACK_RETRY_SECONDS * 2 ** (retries - 1) * random.uniform(0.8, 1.2)
    ratelimit.release_job(capture.job_slot)
    fields = {
        "retries": retries,
        "reason": reason[:500],
        "waiting_for": "retry",
        "job_id": "",
        "next_attempt_at": timezone.now() + timedelta(seconds=delay),
    }
    return _transition(capture, State.PENDING, note=f"retry {retries}: {reason}", **fields)


def release(capture: Capture) -> None:
    """Give the claim back after an unexpected error, so the next try comes soon."""
    Capture.objects.filter(pk=capture.pk).update(claimed_until=None)


def resume_waiting(waiting_for: str, *, ids: Iterable[int] | None = None) -> int:
    """After an outage (or with new keys): rows held for that reason are due now."""
    rows = Capture.objects.filter(state__in=Capture.OPEN_STATES, waiting_for=waiting_for)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(next_attempt_at=timezone.now())


# --- the reconciler -----------------------------------------------------------
def _reconcile_captures() -> int:
    """Ring for due rows and rows whose worker died; probe a tripped breaker."""
    from .tasks import probe_archive, process_capture

    now = timezone.now()
    due = (
        ledger.due(Capture, states=Capture.OPEN_STATES)
        .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:RECONCILE_BATCH]
    )
    abandoned = Capture.objects.filter(
        state__in=Capture.OPEN_STATES, claimed_until__lt=now
    ).values_list("pk", flat=True)[:RECONCILE_BATCH]
    ids = sorted(set(due) | set(abandoned))
    for pk in ids:
        process_capture.delay(pk)
    if breaker.breaker_state()[0] == "probe":
        probe_archive.delay()
    _forget_finished_jobs()
    return len(ids)


def _forget_finished_jobs() -> None:
    """Free in-flight slots whose capture is no longer submitted (its worker died)."""
    members = ratelimit.jobs_in_flight()
    ids = {Capture.id_of_job_slot(m) for m in members} - {None}
    if not ids:
        return
    live = set(
        Capture.objects.filter(pk__in=ids, state=State.SUBMITTED).values_list("pk", flat=True)
    )
    held = set(
        Capture.objects.filter(pk__in=ids, claimed_until__gt=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for pk in ids - live - held:
        ratelimit.release_job(Capture(pk=pk).job_slot)


ledger.register_reconciler("captures", _reconcile_captures)
