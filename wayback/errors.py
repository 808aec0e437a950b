"""What can go wrong talking to the Wayback Machine, sorted by what to do about it."""

from __future__ import annotations

# The ``status_ext`` values below come from the error table of the SPN2 API
# document ("SPN2 public API docs", Vangelis Banos, Internet Archive:
# https://docs.google.com/document/d/1Nsv52MvSjbLb2PCpHlat0gkzw0EvtSgpKHu4mk0MnrA).

# Values that will not change by trying again: the page or the request itself
# is the problem.
PERMANENT = frozenset(
    {
        "error:bad-request",
        "error:blocked",
        "error:blocked-url",
        "error:filesize-limit",
        "error:ftp-access-denied",
        "error:http-version-not-supported",
        "error:invalid-host-resolution",
        "error:invalid-url-syntax",
        "error:method-not-allowed",
        "error:network-authentication-required",
        "error:no-access",
        "error:not-found",
        "error:not-implemented",
        "error:too-many-redirects",
        "error:unauthorized",
    }
)
# The Archive asking the account to slow down, said inside an HTTP 200.
SLOW_DOWN = frozenset(
    {
        "error:too-many-requests",
        "error:user-session-limit",
        "error:bandwidth-limit-exceeded",
    }
)
# The URL was captured so often today that the Archive refuses more: a capture exists.
DAILY_CAP = "error:too-many-daily-captures"
# Values about the account or this machine's address, not about the URL: every
# other URL would get the same answer, so the whole pool stops (as on a 401)
# with the table's explanation instead of each URL burning its attempts.
ACCOUNT_WIDE = {
    "error:max-daily-bandwidth": "the account's daily capture bandwidth is used up",
    "error:max-daily-bandwidth-from-ip": (
        "the daily capture bandwidth of anonymous saves from this address is used up"
    ),
    "error:blocked-client-ip": (
        "the Archive refuses saves from this machine's IP address (it is on a Spamhaus "
        "XBL/SBL list); set WAYBACK_ACCESS_KEY/WAYBACK_SECRET_KEY or use another address"
    ),
}
#: the account-wide values that clear by themselves at the next (UTC) day
DAILY_ACCOUNT_LIMITS = frozenset({"error:max-daily-bandwidth", "error:max-daily-bandwidth-from-ip"})


class WaybackError(Exception):
    """Base class; ``reason`` is what an operator reads on the capture."""

    @property
    def reason(self) -> str:
        return str(self)[:500]


class Unavailable(WaybackError):
    """5xx, timeouts, refused connections: the Archive is (maybe) down.

    ``maybe_sent``: the save request may have arrived although no answer came
    back, so a job may exist and the URL must not simply be sent again.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class RateLimited(WaybackError):
    """HTTP 429: slow down, for ``retry_after`` seconds if the Archive said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(WaybackError):
    """HTTP 401: anonymous saves refused, or the keys are wrong."""


class Refused(WaybackError):
    """Any other 4xx: this request will not succeed as it is."""


class Blocked(Refused):
    """The Archive excludes the site ("Blocked Site Error", HTTP 403 from the
    CDX server or a replay): permanent, so it is reported and never retried."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "The Wayback Machine excludes this site (Blocked Site Error): "
            "its captures cannot be read, and asking again will not change that."
        )


class JobNotFound(WaybackError):
    """The Archive no longer knows the job (status is kept about an hour)."""


class CaptureError(WaybackError):
    """``{"status": "error", "status_ext": ...}``, on a save or on a job's status."""

    def __init__(self, status_ext: str, message: str = "") -> None:
        super().__init__(f"{status_ext or 'error'}: {message}".strip().rstrip(":"))
        self.status_ext = status_ext
        self.message = message

    @property
    def permanent(self) -> bool:
        return self.status_ext in PERMANENT

    @property
    def slow_down(self) -> bool:
        return self.status_ext in SLOW_DOWN

    @property
    def daily_cap(self) -> bool:
        return self.status_ext == DAILY_CAP

    @property
    def account_wide(self) -> bool:
        return self.status_ext in ACCOUNT_WIDE
