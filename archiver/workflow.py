"""What the archiver does to a capture, one step at a time.

``process`` claims the row, does the single step its state allows (look up,
save, poll, or settle a save whose answer was lost) and hands the row back
with the time it wants to be looked at again. Workers run it from the
``archiver.process`` task; ``manage.py archive`` runs it in its own process
(``drive``). States change only through ``archiver.services``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from wayback import (
    CaptureError,
    JobNotFound,
    RateLimited,
    Snapshot,
    Unauthorized,
    Unavailable,
    WaybackClient,
    WaybackError,
    breaker,
    cdx,
    ratelimit,
)
from wayback.client import Saved, same_snapshot_age
from wayback.errors import ACCOUNT_WIDE, DAILY_ACCOUNT_LIMITS
from waybrief import ledger

from . import services
from .models import Capture

State = Capture.State


@dataclass(frozen=True)
class Step:
    """Where a capture stands after one step; ``again_in``: seconds until it wants a look."""

    state: str
    again_in: float | None = None


def process(capture_id: int, *, inline_wait: float | None = None) -> Step:
    """Advance one capture by one step, if it is due and nobody else holds it."""
    capture = Capture.objects.filter(pk=capture_id).first()
    if capture is None or capture.is_final:
        return Step(capture.state if capture else "gone")
    now = timezone.now()
    if capture.next_attempt_at and capture.next_attempt_at > now + timedelta(seconds=0.5):
        return Step(capture.state)  # an early or duplicate doorbell; the row's own comes later
    if not ledger.claim(Capture, capture_id, states=Capture.OPEN_STATES):
        return Step(capture.state)
    capture.refresh_from_db()
    if inline_wait is None:
        inline_wait = settings.WAYBACK_INLINE_WAIT_SECONDS
    try:
        return _advance(capture, WaybackClient.from_settings(), inline_wait)
    except Exception:
        services.release(capture)
        raise


def _advance(capture: Capture, client: WaybackClient, inline_wait: float) -> Step:
    gate = _gate(client)
    if gate is not None:
        return _wait(capture, gate.waiting_for, gate.seconds, reason=gate.message)
    if capture.state == State.SUBMITTED:
        return _poll(capture, client) if capture.job_id else _settle(capture, client, inline_wait)
    if settings.WAYBACK_SKIP_IF_CAPTURED_WITHIN > 0 and capture.looked_up_at is None:
        step = _look_up(capture, client, inline_wait)
        if step is not None:
            return step
    return _submit(capture, client, inline_wait)


def _gate(client: WaybackClient) -> breaker.Gate | None:
    gate = breaker.current_gate()
    if gate is None and breaker.breaker_state()[0] == "probe" and not probe(client):
        gate = breaker.Gate("outage", settings.WAYBACK_BREAKER_SECONDS, "the Archive is down")
    return gate


def probe(client: WaybackClient | None = None) -> bool:
    """Probe a tripped breaker; on success every row held for the outage is due again."""
    client = client or WaybackClient.from_settings()

    def archive_is_up() -> bool:
        try:
            client.probe()
        except Unavailable:
            return False
        except WaybackError:
            pass  # an answer, if only a refusal: the Archive is up
        return True

    closed = breaker.probe(archive_is_up)
    if closed:
        services.resume_waiting("outage")
    return closed


def _wait(
    capture: Capture,
    waiting_for: str,
    seconds: float,
    *,
    reason: str = "",
    back_to_pending: bool = False,
) -> Step:
    services.wait(
        capture,
        waiting_for=waiting_for,
        seconds=seconds,
        reason=reason,
        back_to_pending=back_to_pending,
    )
    return Step(capture.state, seconds)


def _wait_turn(capture: Capture, kind: str, grant: ratelimit.Grant) -> Step:
    return _wait(capture, "rate", ratelimit.next_turn(kind, grant.wait))


def _held_up(
    capture: Capture, exc: Exception, kind: str, *, back_to_pending: bool = False
) -> Step | None:
    """Errors that say nothing about this URL: it keeps waiting, nothing fails."""
    if isinstance(exc, RateLimited) or (isinstance(exc, CaptureError) and exc.slow_down):
        paused = ratelimit.throttled(kind, getattr(exc, "retry_after", None))
        return _wait(
            capture,
            "rate",
            ratelimit.next_turn(kind, paused),
            reason=str(exc),
            back_to_pending=back_to_pending,
        )
    if isinstance(exc, CaptureError) and exc.account_wide:
        seconds = _account_stop_seconds(exc.status_ext)
        breaker.record_account_stop(exc.status_ext, ACCOUNT_WIDE[exc.status_ext], seconds)
        return _wait(
            capture,
            "account",
            seconds,
            reason=breaker.account_message(exc.status_ext, ACCOUNT_WIDE[exc.status_ext]),
            back_to_pending=True,
        )
    if isinstance(exc, Unauthorized):
        breaker.record_keys_refused()
        return _wait(
            capture,
            "keys",
            settings.WAYBACK_AUTH_RETRY_SECONDS,
            reason=breaker.keys_message(),
            back_to_pending=back_to_pending,
        )
    if isinstance(exc, Unavailable):
        breaker.record_failure(exc.reason)
        return _wait(
            capture,
            "outage",
            settings.WAYBACK_POLL_SECONDS,
            reason=exc.reason,
            back_to_pending=back_to_pending,
        )
    return None


def _account_stop_seconds(status_ext: str) -> float:
    """A daily limit lasts until the Archive's day turns (UTC); the rest are
    looked at again as a refused key is."""
    if status_ext not in DAILY_ACCOUNT_LIMITS:
        return settings.WAYBACK_AUTH_RETRY_SECONDS
    now = datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()


# --- pending: look up, then save --------------------------------------------------
def _look_up(capture: Capture, client: WaybackClient, inline_wait: float) -> Step | None:
    """Skip the save when a recent capture exists; None means: go on and save."""
    grant = ratelimit.acquire(ratelimit.LOOKUP, max_wait=inline_wait)
    if not grant.granted:
        return _wait_turn(capture, ratelimit.LOOKUP, grant)
    try:
        snapshot = client.available(capture.url)
    except (RateLimited, Unavailable) as exc:
        return _held_up(capture, exc, ratelimit.LOOKUP)
    except WaybackError:
        snapshot = None  # a flaky look-up must not stop the save; SPN2 checks again
    finally:
        ratelimit.sent(ratelimit.LOOKUP, grant.token)
    breaker.record_success()
    cutoff = timezone.now() - timedelta(seconds=settings.WAYBACK_SKIP_IF_CAPTURED_WITHIN)
    if snapshot is not None and snapshot.captured_at >= cutoff:
        services.mark_skipped(capture, snapshot, reason=f"captured {snapshot.timestamp} already")
        return Step(capture.state)
    services.mark_looked_up(capture)
    return None


def _submit(capture: Capture, client: WaybackClient, inline_wait: float) -> Step:
    member = capture.job_slot
    grant = ratelimit.acquire(ratelimit.SAVE, member=member, max_wait=inline_wait)
    if not grant.granted:
        return _wait_turn(capture, ratelimit.SAVE, grant)
    if not services.mark_sending(capture):
        ratelimit.give_back(ratelimit.SAVE, grant.token, member=member)
        return Step(capture.state)
    try:
        saved: Saved = client.save(
            capture.url, if_not_archived_within=settings.WAYBACK_SKIP_IF_CAPTURED_WITHIN
        )
    except WaybackError as exc:
        # Without an answer the Archive may count the request later than now:
        # leave its slot counted as in flight (until its deadline), not stamped.
        if not (isinstance(exc, Unavailable) and exc.maybe_sent):
            ratelimit.sent(ratelimit.SAVE, grant.token)
        return _save_failed(capture, client, exc)
    ratelimit.sent(ratelimit.SAVE, grant.token)
    breaker.record_success()
    if not saved.job_id:
        # "The same snapshot had been made N minutes ago": that capture is the
        # answer. No job to poll; find it in CDX now (settle looks back N).
        return _settle(capture, client, inline_wait, reason=saved.message)
    services.mark_job(capture, saved.job_id, next_in=settings.WAYBACK_POLL_SECONDS)
    return Step(capture.state, settings.WAYBACK_POLL_SECONDS)


def _save_failed(capture: Capture, client: WaybackClient, exc: WaybackError) -> Step:
    if isinstance(exc, Unavailable) and exc.maybe_sent:
        # A job may exist: stay submitted, and settle through CDX later.
        breaker.record_failure(exc.reason)
        return _wait(capture, "job", settings.WAYBACK_POLL_SECONDS, reason=exc.reason)
    step = _held_up(capture, exc, ratelimit.SAVE, back_to_pending=True)
    if step is not None:
        return step
    if isinstance(exc, CaptureError):
        return _capture_error(capture, client, exc)
    services.mark_failed(capture, exc.reason)  # any other 4xx: the request itself is refused
    return Step(capture.state)


def _capture_error(capture: Capture, client: WaybackClient, exc: CaptureError) -> Step:
    """``status: error`` on a save or a job: fail, retry, or settle, by its status_ext."""
    if exc.daily_cap:
        # Captured too often today: the latest capture is in CDX (the
        # availability API lags behind it by hours). None yet: try another day.
        snapshot = _quietly(lambda: cdx.latest_capture(client, capture.url))
        if snapshot is not None:
            services.mark_skipped(capture, snapshot, reason=f"{exc.reason}; {snapshot.timestamp}")
        else:
            services.retry_later(capture, f"{exc.reason}; no capture of today in CDX yet")
    elif exc.permanent:
        services.mark_failed(capture, exc.reason)
    else:
        services.retry_later(capture, exc.reason)
    return Step(capture.state, _due_in(capture))


# --- submitted: poll the job, or settle a save whose answer was lost ----------------
def _poll(capture: Capture, client: WaybackClient) -> Step:
    try:
        status = client.status(capture.job_id)
    except JobNotFound:
        return _settle(capture, client, 0.0)
    except CaptureError as exc:
        return _held_up(capture, exc, ratelimit.SAVE) or _capture_error(capture, client, exc)
    except WaybackError as exc:
        return _held_up(capture, exc, ratelimit.SAVE) or _settle(capture, client, 0.0)
    breaker.record_success()
    if status.status == "success" and status.timestamp:
        original = status.original_url or capture.url
        snapshot = Snapshot(
            status.timestamp, original, client.wayback_url(status.timestamp, original)
        )
        services.mark_archived(capture, snapshot, note=f"job {capture.job_id} done")
        return Step(capture.state)
    if status.status == "success" or _job_age(capture) > settings.WAYBACK_JOB_TIMEOUT_SECONDS:
        return _settle(capture, client, 0.0)
    ratelimit.hold_job(capture.job_slot)
    return _wait(capture, "job", _poll_interval(capture))


def _settle(
    capture: Capture, client: WaybackClient, inline_wait: float, *, reason: str = ""
) -> Step:
    """Find out through CDX whether a save that may have been sent made a capture.

    Only a capture that replays the page counts (``cdx.find_latest``: a 200,
    a revisit of one, or a redirect whose target has one), taken since the
    save, or since the capture a "same snapshot" answer (``reason``, kept on
    the row while it waits) named.
    """
    reason = reason or capture.reason
    grant = ratelimit.acquire(ratelimit.LOOKUP, max_wait=inline_wait)
    if not grant.granted:
        return _wait(
            capture, "rate", ratelimit.next_turn(ratelimit.LOOKUP, grant.wait), reason=reason
        )
    recent = same_snapshot_age(reason)
    back = 60.0 if recent is None else max(60.0, recent + 120.0)
    since = (capture.submitted_at or timezone.now()) - timedelta(seconds=back)
    try:
        snapshot = cdx.latest_capture(client, capture.url, since=since, follow_redirect=True)
    except WaybackError as exc:
        return _held_up(capture, exc, ratelimit.LOOKUP) or _wait(
            capture, "job", _poll_interval(capture), reason=exc.reason
        )
    finally:
        ratelimit.sent(ratelimit.LOOKUP, grant.token)
    breaker.record_success()
    if snapshot is not None:
        how = "SPN2 kept its recent capture" if recent is not None else "settled through CDX"
        services.mark_archived(capture, snapshot, note=f"{how}: {snapshot.timestamp}")
        return Step(capture.state)
    if _job_age(capture) <= settings.WAYBACK_JOB_TIMEOUT_SECONDS:
        ratelimit.hold_job(capture.job_slot)
        return _wait(capture, "job", _poll_interval(capture), reason=reason)
    services.retry_later(
        capture,
        f"no capture appeared within {settings.WAYBACK_JOB_TIMEOUT_SECONDS:.0f}s of the save",
    )
    return Step(capture.state, _due_in(capture))


def _quietly(call: Callable):
    try:
        return call()
    except WaybackError:
        return None


def _job_age(capture: Capture) -> float:
    if capture.submitted_at is None:
        return 0.0
    return (timezone.now() - capture.submitted_at).total_seconds()


def _poll_interval(capture: Capture) -> float:
    """Poll often at first, then less: about a quarter of the job's age, within limits."""
    base = settings.WAYBACK_POLL_SECONDS
    return min(base * 8, max(base, _job_age(capture) / 4))


def _due_in(capture: Capture) -> float | None:
    if capture.is_final or capture.next_attempt_at is None:
        return None
    return max(0.0, (capture.next_attempt_at - timezone.now()).total_seconds())


# --- in the calling process (manage.py archive) --------------------------------------
class KeysRefused(RuntimeError):
    """The Archive refused our (absent) credentials: the operator must act."""


class AccountStopped(KeysRefused):
    """The Archive refuses every save from this account or address for now
    (a daily bandwidth limit, a blocked IP): nothing is sent until it is over."""


class TimedOut(RuntimeError):
    """Not every capture got where it was asked to within the time given."""


def drive(
    capture_ids: Iterable[int],
    *,
    wait: bool,
    timeout: float | None = None,
    on_change: Callable[[Capture], None] | None = None,
) -> list[Capture]:
    """Run the captures' steps here until each is final (``wait``) or at least sent.

    Shares the rate limit and breaker with any workers that run meanwhile.
    Raises ``KeysRefused`` on a 401 (``AccountStopped`` on an account-wide
    refusal), ``TimedOut`` after ``timeout`` seconds;
    the captures stay pending in both cases and workers can finish them.
    """
    ids = list(capture_ids)
    order = {pk: n for n, pk in enumerate(ids)}
    deadline = time.monotonic() + timeout if timeout else None
    seen: dict[int, tuple[str, str]] = {}
    if breaker.current_gate() is None:  # these keys were not refused: try them at once
        services.resume_waiting("keys", ids=ids)
        services.resume_waiting("account", ids=ids)
    while True:
        rows = list(Capture.objects.filter(pk__in=ids))
        for row in rows:
            if on_change and seen.get(row.pk) != (row.state, row.job_id):
                seen[row.pk] = (row.state, row.job_id)
                on_change(row)
        todo = [r for r in rows if not (r.is_final or (not wait and r.job_id))]
        if not todo:
            return sorted(rows, key=lambda r: order[r.pk])
        gate = breaker.current_gate()
        if gate is not None and gate.waiting_for == "keys":
            raise KeysRefused(gate.message)
        if gate is not None and gate.waiting_for == "account":
            raise AccountStopped(gate.message)
        if deadline is not None and time.monotonic() > deadline:
            raise TimedOut(f"{len(todo)} of {len(ids)} URLs are not done yet; they stay queued")
        now = timezone.now()
        for row in todo:
            if row.next_attempt_at is None or row.next_attempt_at <= now:
                process(row.pk, inline_wait=0.0)
        time.sleep(_nap(todo))


def _nap(rows: list[Capture]) -> float:
    """Sleep until the soonest row is due, re-reading at least every second."""
    soonest = min((r.next_attempt_at for r in rows if r.next_attempt_at), default=None)
    if soonest is None:
        return 0.05
    return min(1.0, max(0.05, (soonest - timezone.now()).total_seconds()))
