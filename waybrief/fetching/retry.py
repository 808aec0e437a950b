"""How long a server asked us to wait: the one ``Retry-After`` parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_SECONDS = re.compile(r"\d+(\.\d+)?")


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header value asks for, or None when it asks
    nothing readable.

    The header is a number of seconds or an HTTP date (RFC 9110, 10.2.3). A
    fraction of a second is taken as meant; anything else that is not a
    date (a negative number, "soon") counts as absent, so the caller falls
    back on its own backoff. A date in the past asks for no wait at all.
    """
    value = (value or "").strip()
    if not value:
        return None
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a bare one is read as such
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
