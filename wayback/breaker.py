"""Gates in front of the Archive: the circuit breaker and the missing-keys stop.

Both are shared by every worker (through ``wayback.store``):
when one worker learns the Archive is down or refuses our credentials, all
stop sending, and the URLs wait as ``pending`` instead of failing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .store import shared_state

log = logging.getLogger(__name__)

FAILURES, OPEN, PROBE = "breaker:failures", "breaker:open", "breaker:probe"
OPEN_FOR_AT_MOST = 86400.0  # a breaker nobody probes for a day closes by itself


@dataclass(frozen=True)
class Gate:
    """Why nothing may be sent now, and for how long at least."""

    waiting_for: str  # "outage", "keys" or "account"
    seconds: float
    message: str


# --- circuit breaker ----------------------------------------------------------
def record_failure(reason: str) -> None:
    """A 5xx or a connection error; enough of them in a row open the breaker."""
    state = shared_state()
    failures = state.incr(FAILURES, ttl=settings.WAYBACK_BREAKER_SECONDS * 10)
    if failures < settings.WAYBACK_BREAKER_FAILURES:
        return
    probe_at = state.now() + settings.WAYBACK_BREAKER_SECONDS
    if state.add(OPEN, repr(probe_at), ttl=OPEN_FOR_AT_MOST):
        log.warning(
            "Wayback Machine looks down after %d failures in a row (%s): pausing all saves, "
            "URLs stay pending, probing every %ss",
            failures,
            reason,
            settings.WAYBACK_BREAKER_SECONDS,
        )


def record_success() -> None:
    state = shared_state()
    if state.get(OPEN) is not None or state.get(FAILURES) is not None:
        state.delete(FAILURES, OPEN)


def breaker_state() -> tuple[str, float]:
    """("closed", 0), ("open", seconds until the next probe) or ("probe", 0)."""
    state = shared_state()
    probe_at = state.get(OPEN)
    if probe_at is None:
        return "closed", 0.0
    wait = float(probe_at) - state.now()
    return ("open", wait) if wait > 0 else ("probe", 0.0)


def probe(archive_is_up: Callable[[], bool]) -> bool:
    """Try the Archive once (one prober at a time); close the breaker if it answers.

    Returns True when the breaker is closed afterwards.
    """
    status, _ = breaker_state()
    if status != "probe":
        return status == "closed"
    state = shared_state()
    if not state.add(PROBE, "1", ttl=settings.WAYBACK_TIMEOUT_SECONDS + 1):
        return False
    try:
        status, _ = breaker_state()  # another worker may have probed just before us
        if status != "probe":
            return status == "closed"
        if not archive_is_up():
            state.put(
                OPEN, repr(state.now() + settings.WAYBACK_BREAKER_SECONDS), ttl=OPEN_FOR_AT_MOST
            )
            log.info(
                "Wayback Machine still down; next probe in %ss", settings.WAYBACK_BREAKER_SECONDS
            )
            return False
    finally:
        state.delete(PROBE)
    record_success()
    log.warning("Wayback Machine answers again: saves resume")
    return True


# --- credentials ----------------------------------------------------------------
def _keys_flag() -> str:
    keys = f"{settings.WAYBACK_ACCESS_KEY}:{settings.WAYBACK_SECRET_KEY}"
    return "keys-refused:" + hashlib.sha256(keys.encode()).hexdigest()[:16]


def keys_message() -> str:
    if settings.WAYBACK_ACCESS_KEY and settings.WAYBACK_SECRET_KEY:
        return (
            "The Wayback Machine refused the keys in WAYBACK_ACCESS_KEY/WAYBACK_SECRET_KEY "
            "(HTTP 401). Check them at https://archive.org/account/s3.php and restart the "
            "workers; every URL stays pending until then."
        )
    return (
        "The Wayback Machine refuses anonymous saves (HTTP 401). Set WAYBACK_ACCESS_KEY and "
        "WAYBACK_SECRET_KEY (archive.org S3-style keys from "
        "https://archive.org/account/s3.php) and restart the workers; every URL stays pending "
        "until then."
    )


def record_keys_refused() -> None:
    """Remember the 401 for these keys, so no worker tries them again for a while."""
    if shared_state().add(_keys_flag(), "1", ttl=settings.WAYBACK_AUTH_RETRY_SECONDS):
        log.error(keys_message())


# --- account-wide refusals ---------------------------------------------------------
def _account_flag() -> str:
    return _keys_flag().replace("keys-refused:", "account-stopped:", 1)


def account_message(status_ext: str, explanation: str) -> str:
    return (
        f"The Wayback Machine stopped taking saves from this account ({status_ext}: "
        f"{explanation}). Every URL stays pending and is sent again when that is over."
    )


def record_account_stop(status_ext: str, explanation: str, seconds: float) -> None:
    """An answer about the account or this address (``errors.ACCOUNT_WIDE``),
    not about a URL: no worker sends anything for ``seconds``."""
    message = account_message(status_ext, explanation)
    if shared_state().add(_account_flag(), message, ttl=max(1.0, seconds)):
        log.error(message)


def current_gate() -> Gate | None:
    """What stops saves right now, not counting a breaker whose probe is due."""
    if shared_state().get(_keys_flag()) is not None:
        return Gate("keys", settings.WAYBACK_AUTH_RETRY_SECONDS, keys_message())
    stopped = shared_state().get(_account_flag())
    if stopped is not None:
        return Gate("account", settings.WAYBACK_AUTH_RETRY_SECONDS, str(stopped))
    status, wait = breaker_state()
    if status == "open":
        return Gate("outage", wait, "the Wayback Machine is down")
    return None
