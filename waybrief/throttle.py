"""A per-client budget for requests that start work (a GET that starts a summary)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def client_key(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind a proxy the X-Forwarded-For
    entry the trusted proxies added.

    Each proxy appends the address it saw, so only the right-most entries are
    trustworthy: with N trusted hops the client is the Nth from the right. What
    a client writes to the left of that is forged at will and never read.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if not settings.WAYBRIEF_BEHIND_PROXY:
        return remote
    hops = max(1, settings.WAYBRIEF_TRUSTED_PROXY_HOPS)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < hops:
        # Fewer entries than trusted proxies: the request skipped one of them,
        # so the left-most entry (or the peer itself) is the best we know.
        return entries[0] if entries else remote
    return entries[-hops]


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
