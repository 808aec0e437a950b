"""A per-client budget for requests that start work (a GET that starts a summary)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def client_key(request: HttpRequest) -> str:
    """The client's address; behind a proxy, the one the proxy saw first."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    from django.conf import settings

    if forwarded and settings.WAYBRIEF_BEHIND_PROXY:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def client_hash(request: HttpRequest) -> str:
    """The client's address (as ``client_key`` reads it) as a keyed hash: enough
    to count a client's rows in the database without storing its address."""
    key = client_key(request)
    return salted_hmac("waybrief.throttle.client", key, algorithm="sha256").hexdigest()


def allow(scope: str, key: str, *, per_minute: int) -> bool:
    """True while ``key`` has started fewer than ``per_minute`` units this minute."""
    if per_minute <= 0:
        return True
    bucket = f"throttle:{scope}:{key}:{int(time.time() // 60)}"
    cache.add(bucket, 0, timeout=120)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=120)
        count = 1
    return count <= per_minute
