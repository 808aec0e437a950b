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
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from wayback import Snapshot, breaker, ratelimit
from waybrief import doorbell, ledger, notify
from waybrief.backoff import backoff_seconds
from waybrief.fetching.addresses import why_not_public_host

from .models import Capture, CaptureEvent

CAPTURES_CHANNEL = "captures"  # notices: some capture changed state (waybrief/notify.py)

State = Capture.State


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
    # The Archive would publish an internal address (and its query's secrets):
    # the fetcher's rule, from the spelling alone (no name lookup: see the function).
    if not settings.FETCH_ALLOW_PRIVATE and (why := why_not_public_host(parts.hostname)):
        return why
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
            CaptureEvent(capture=c, to_state=State.PENDING, note=_requested_by(source))
            for c in created
        )
        # Who else asked is kept too, so cancelling one request never drops another's.
        CaptureEvent.objects.bulk_create(
            CaptureEvent(
                capture=c, from_state=c.state, to_state=c.state, note=_requested_by(source)
            )
            for c in before.values()
        )
        if enqueue:
            ring(c.pk for c in created)
    return [after[url] for url in wanted]


def record_local_copies(places: dict[str, tuple[str, int | None, int | None]]) -> int:
    """Note on each URL's captures where its local WARC copy is (``places``: URL to
    file, offset, length), where none is noted yet; returns how many captures."""
    noted = 0
    urls = list(places)
    for start in range(0, len(urls), 1000):
        rows = list(Capture.objects.filter(url__in=urls[start : start + 1000], warc_file=""))
        for row in rows:
            row.warc_file, row.warc_offset, row.warc_length = places[row.url]
        Capture.objects.bulk_update(rows, ["warc_file", "warc_offset", "warc_length"])
        noted += len(rows)
    return noted


PROCESS_TASK = "archiver.process"
REQUESTED_BY = "requested by "  # the note of the event that records each request
PROBE_TASK = "archiver.probe"


def _requested_by(source: str) -> str:
    return f"{REQUESTED_BY}{source or '?'}"[:500]


def cancel_requested_by(capture_ids: Iterable[int], *, source: str) -> int:
    """Stop the captures in ``capture_ids`` that only ``source`` asked for and
    that no save has reached yet (``pending``); returns how many.

    A capture someone else also asked for goes on (their request stands), and
    a ``submitted`` one may already be a job at the Archive: it is finished.
    """
    ids = list(capture_ids)
    others = (
        CaptureEvent.objects.filter(capture_id__in=ids, note__startswith=REQUESTED_BY)
        .exclude(note=_requested_by(source))
        .values_list("capture_id", flat=True)
    )
    stopped = 0
    for capture in Capture.objects.filter(pk__in=ids, state=State.PENDING).exclude(
        pk__in=set(others)
    ):
        stopped += mark_failed(capture, f"cancelled: only {source} asked for it")
    return stopped


def ring(capture_ids: Iterable[int]) -> None:
    """Tell a worker to look at each capture, once the transaction commits."""
    for pk in capture_ids:
        doorbell.ring(PROCESS_TASK, pk)


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
#: Every move a capture may make. ``submitted`` never goes back to a plain
#: resend except through ``pending`` (a save that surely made no job), and a
#: final state moves only by an operator's retry (``failed`` → ``pending``).
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    State.PENDING: frozenset({State.SUBMITTED, State.SKIPPED, State.FAILED}),
    State.SUBMITTED: frozenset(
        {State.SUBMITTED, State.PENDING, State.ARCHIVED, State.SKIPPED, State.FAILED}
    ),
    State.FAILED: frozenset({State.PENDING}),
    State.ARCHIVED: frozenset(),
    State.SKIPPED: frozenset(),
}


class IllegalTransition(AssertionError):
    """A bug: code asked for a move the table above does not allow."""


def check_move(from_state: str, to: str) -> None:
    if to not in ALLOWED_MOVES.get(from_state, frozenset()):
        raise IllegalTransition(f"a capture may not move from {from_state!r} to {to!r}")


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
    Raises ``IllegalTransition`` for a move ``ALLOWED_MOVES`` does not list.
    """
    check_move(capture.state, to)
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
            # A hint for live pages (the sites pages' feed); never the data itself.
            transaction.on_commit(partial(notify.publish, CAPTURES_CHANNEL))
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
    delay = backoff_seconds(retries, settings.WAYBACK_RETRY_SECONDS) * random.uniform(0.8, 1.2)
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


# --- upkeep, once per reconciler pass (``archiver.apps``) -----------------------
def after_reconcile() -> None:
    """Probe a tripped breaker, and free job slots whose worker died."""
    if breaker.breaker_state()[0] == "probe":
        doorbell.send(PROBE_TASK)
    _forget_finished_jobs()


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
