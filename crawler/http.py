"""Fetching a blog's pages fast without hammering it.

Fetching itself (the SSRF guard on every connection and redirect hop, one
overall deadline, the streamed size cap, the page type) is the shared async
client's, ``waybrief.fetching.AsyncFetcher``. What is the crawler's own is
here: per host, a small number of requests at once, an optional pause
between request starts, a host-wide pause whenever the site says
``Retry-After``, and retries with backoff on 429/5xx and dropped connections.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import anyio
from django.conf import settings

from waybrief.backoff import backoff_seconds
from waybrief.fetching import AsyncFetcher, FetchedPage, retry_after
from waybrief.fetching.errors import Dropped
from waybrief.fetching.exchange import Recorder
from waybrief.fetching.transport import AddressGuard, Resolver
from waybrief.fetching.urls import check_url

RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0


@dataclass
class Politeness:
    """How hard one crawl may press on one host."""

    concurrency: int = 4
    delay: float = 0.0  # seconds between request starts on one host
    max_retries: int = 4
    backoff: float = 0.5  # first retry wait; doubles
    max_wait: float = 300.0  # a longer Retry-After gives the page up

    @classmethod
    def from_settings(cls, **overrides: Any) -> Politeness:
        values = {"concurrency": settings.CRAWL_CONCURRENCY, "delay": settings.CRAWL_DELAY_SECONDS}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass
class _Host:
    slots: anyio.Semaphore
    lock: anyio.Lock = field(default_factory=anyio.Lock)
    next_start: float = 0.0  # the per-host delay: when the next request may start
    paused_until: float = 0.0  # a Retry-After: nothing starts before then

    async def wait_turn(self, delay: float) -> None:
        """Sleep until this host may take another request; call it holding
        a slot, so the spacing holds at the moment requests are sent."""
        while True:
            async with self.lock:
                now = time.monotonic()
                start = max(now, self.next_start, self.paused_until)
                if start <= now:
                    self.next_start = now + delay
                    return
            await anyio.sleep(start - now)  # then look again: a pause may have come

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class PoliteClient:
    """An async HTTP client for crawling; use as ``async with``."""

    def __init__(
        self,
        *,
        politeness: Politeness | None = None,
        allow_private: bool | None = None,
        resolver: Resolver | None = None,
        guard: AddressGuard | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.politeness = politeness or Politeness.from_settings()
        self.fetcher = AsyncFetcher(
            recorder=recorder,  # a site's local WARC copy (waybrief.warc)
            allow_private=allow_private,
            resolver=resolver,
            guard=guard,
            timeout=timeout,
            max_bytes=max_bytes,
        )
        self.requests = 0
        self._hosts: dict[str, _Host] = {}

    @property
    def max_bytes(self) -> int:
        """The size cap, for a body the crawl inflates itself (a .gz sitemap)."""
        return self.fetcher.limits.max_bytes

    async def __aenter__(self) -> PoliteClient:
        await self.fetcher.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.fetcher.__aexit__(kind, error, traceback)

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(anyio.Semaphore(max(1, self.politeness.concurrency)))
        return self._hosts[key]

    async def get(self, url: str) -> FetchedPage:
        """GET ``url``, retrying 429/5xx and dropped connections with backoff.

        Returns the last page whatever its status; raises a ``FetchError``
        when no page could be had at all. A page that misses its deadline, or
        whose address or redirect is refused, is not retried: it would only
        fail again.
        """
        url = check_url(url)
        host, rules = self._host(url), self.politeness
        failure: Dropped | None = None
        for attempt in range(rules.max_retries + 1):
            page: FetchedPage | None = None
            async with host.slots:
                await host.wait_turn(rules.delay)
                self.requests += 1
                try:
                    page = await self.fetcher.get(url)
                except Dropped as exc:  # a refused or reset connection
                    failure = exc
            if page is not None and page.status not in RETRYABLE:
                return page
            wait = _backoff(rules.backoff, attempt)
            asked = retry_after(page.headers.get("retry-after")) if page is not None else None
            if asked is not None:
                wait = asked
                host.pause(asked)  # the whole host waits, not just this page
            if attempt == rules.max_retries or wait > rules.max_wait:
                break
            await anyio.sleep(wait)
        if page is not None:
            return page
        assert failure is not None
        raise failure


def _backoff(base: float, attempt: int) -> float:
    return backoff_seconds(attempt + 1, base, cap=MAX_BACKOFF) * (1 + random.random() / 4)
