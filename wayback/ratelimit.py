"""One rate limit for every archive worker, shared through Redis (or a file).

Rules, the same for all processes on all machines:
- at most N requests of a kind in any W-second sliding window (N from
  ``WAYBACK_RATE_PER_MINUTE`` for saves, ``WAYBACK_LOOKUP_RATE_PER_MINUTE``
  for CDX/availability; W is ``WAYBACK_RATE_WINDOW_SECONDS``, 60 for real);
- at most ``WAYBACK_MAX_ACTIVE`` SPN2 jobs in flight;
- a 429 pauses everyone for ``Retry-After`` and halves N for a while.

A slot is stamped at the moment its answer comes back (until then it counts
as taking place now), so the Archive, which counts arrivals, never sees more
than N in a window. A token bucket with burst N could show it 2N. Where the
state lives (Redis, or a file without it) is ``wayback.store``'s job.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass

from django.conf import settings

from .store import shared_state

SAVE = "save"
LOOKUP = "lookup"


@dataclass(frozen=True)
class Grant:
    """The answer to "may I send now?"; ``wait`` is None when unknowable (jobs full)."""

    granted: bool
    wait: float | None = 0.0
    token: str = ""


def _limit(kind: str) -> int:
    per_minute = (
        settings.WAYBACK_RATE_PER_MINUTE
        if kind == SAVE
        else settings.WAYBACK_LOOKUP_RATE_PER_MINUTE
    )
    return max(1, per_minute)


def acquire(kind: str, *, member: str = "", max_wait: float = 0.0) -> Grant:
    """Take a slot of ``kind`` (and an in-flight job slot for ``member``).

    Waits up to ``max_wait`` seconds in small steps, so several processes
    waiting at once notice a freed slot within a quarter second. Never longer
    than one slot interval (the next waiting row's turn comes by then, and a
    worker process asleep here is one that cannot poll the jobs in flight),
    and not at all when the jobs in flight are full (``wait`` None).
    """
    state = shared_state()
    deadline = time.monotonic() + min(max_wait, slot_interval(kind))
    while True:
        token = uuid.uuid4().hex
        ok, wait = state.take(
            kind,
            limit=_limit(kind),
            window=settings.WAYBACK_RATE_WINDOW_SECONDS,
            token=token,
            member=member,
            max_active=max(1, settings.WAYBACK_MAX_ACTIVE),
            pending_ttl=settings.WAYBACK_TIMEOUT_SECONDS + 5,
            active_ttl=settings.WAYBACK_JOB_TIMEOUT_SECONDS,
        )
        if ok:
            return Grant(True, 0.0, token)
        if wait < 0:
            # Jobs in flight are full: only a poll frees a slot, and polls need
            # this process, so waiting here could only hold them up.
            return Grant(False, None)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or wait > remaining:
            return Grant(False, wait)
        time.sleep(min(wait, 0.25, remaining) + random.uniform(0, 0.02))


def sent(kind: str, token: str) -> None:
    """The request's answer came back: its slot counts from now."""
    shared_state().stamp(kind, token)


def give_back(kind: str, token: str, *, member: str = "") -> None:
    """A slot taken but never used (the row was gone or held elsewhere)."""
    state = shared_state()
    state.drop(kind, token)
    if member:
        state.set_active(member, None)


def hold_job(member: str) -> None:
    """Keep (or take, after a restart) the in-flight slot of a job being polled."""
    shared_state().set_active(member, settings.WAYBACK_JOB_TIMEOUT_SECONDS)


def release_job(member: str) -> None:
    shared_state().set_active(member, None)


def jobs_in_flight() -> list[str]:
    return shared_state().active_members()


def throttled(kind: str, retry_after: float | None) -> float:
    """A 429 (or an in-body "slow down"): pause everyone and halve the rate a while.

    Returns the seconds every worker now waits.
    """
    state = shared_state()
    pause = retry_after if retry_after is not None else settings.WAYBACK_PAUSE_SECONDS
    until = state.raise_to(f"pause:{kind}", state.now() + pause, ttl=pause + 1)
    # 429s during a pause answer requests sent before it: halve once per pause.
    if settings.WAYBACK_SLOWDOWN_SECONDS > 0 and state.add(
        f"slowed:{kind}", "1", ttl=max(pause, 0.1)
    ):
        current = int(state.get(f"slow:{kind}") or _limit(kind))
        state.put(f"slow:{kind}", str(max(1, current // 2)), ttl=settings.WAYBACK_SLOWDOWN_SECONDS)
    return max(0.0, until - state.now())


def rate_now(kind: str) -> tuple[int, float]:
    """Requests of ``kind`` allowed per window now (cut after a 429), and the
    seconds left of a pause: what a page's ETA is computed from."""
    state = shared_state()
    limit = _limit(kind)
    cut = int(state.get(f"slow:{kind}") or 0)
    paused_for = max(0.0, float(state.get(f"pause:{kind}") or 0) - state.now())
    return (min(limit, cut) if cut > 0 else limit), paused_for


def slot_interval(kind: str) -> float:
    """Seconds between two requests of ``kind`` at the full rate."""
    return settings.WAYBACK_RATE_WINDOW_SECONDS / _limit(kind)


def next_turn(kind: str, wait: float | None) -> float:
    """Seconds until a waiting row should look again.

    Waiting rows get turns one slot-interval apart, so a thousand deferred
    rows wake one by one as slots free instead of all at once.
    """
    spacing = slot_interval(kind)
    first = wait if wait is not None else spacing
    return shared_state().next_turn(kind, first, spacing)
