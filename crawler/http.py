"""Fetching a blog's pages fast without hammering it.

Every request goes through the shared SSRF guard (checked at connect time,
on every redirect hop), under one overall deadline and a streamed size cap.
Per host: a small number of requests at once, an optional pause between
request starts, and a host-wide pause whenever the site says ``Retry-After``.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
from django.conf import settings

from waybrief.fetching import charsets
from waybrief.fetching.errors import TooLarge, TooManyRedirects, TooSlow, Unreachable
from waybrief.fetching.fetcher import CappedBody, ContentDecoder
from waybrief.fetching.transport import AddressGuard, Resolver, async_guarded_transport
from waybrief.fetching.urls import check_url

RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class Response:
    """A page as it arrived: status, headers and the (capped) body."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @cached_property
    def text(self) -> str:
        """The body as text, Big5 blogs with no declared charset included."""
        charset = _charset(self.headers.get("content-type", ""))
        host = urlsplit(self.final_url).hostname or ""
        return charsets.decode(self.body, header_charset=charset, host=host).text

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` when it is not."""
        return json.loads(self.body)


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
    ) -> None:
        allow = settings.FETCH_ALLOW_PRIVATE if allow_private is None else allow_private
        self.guard = guard or AddressGuard(allow_private=allow, resolver=resolver)
        self.politeness = politeness or Politeness.from_settings()
        self.timeout = timeout or settings.FETCH_TIMEOUT_SECONDS
        self.max_bytes = max_bytes or settings.FETCH_MAX_BYTES
        self.requests = 0
        self._hosts: dict[str, _Host] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PoliteClient:
        self._client = httpx.AsyncClient(
            transport=async_guarded_transport(self.guard),
            headers={
                "User-Agent": settings.FETCH_USER_AGENT,
                "Accept-Encoding": ", ".join(ContentDecoder.SUPPORTED),  # what CappedBody inflates
            },
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=settings.FETCH_MAX_REDIRECTS,
            trust_env=False,  # a proxy from the environment would bypass the guard
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(anyio.Semaphore(max(1, self.politeness.concurrency)))
        return self._hosts[key]

    async def get(self, url: str) -> Response:
        """GET ``url``, retrying 429/5xx and dropped connections with backoff.

        Returns the last response whatever its status; raises a
        ``FetchError`` when no response could be had at all. A page that
        misses its deadline is not retried: it would only miss it again.
        """
        url = check_url(url)
        host, rules = self._host(url), self.politeness
        for attempt in range(rules.max_retries + 1):
            failure: Exception | None = None
            async with host.slots:
                await host.wait_turn(rules.delay)
                try:
                    response = await self._once(url)
                except httpx.TransportError as exc:  # a dropped connection, a reset
                    failure, response = exc, None
            if response is not None and response.status not in RETRYABLE:
                return response
            wait = _backoff(rules.backoff, attempt)
            if response is not None and (asked := retry_after(response.headers)) is not None:
                wait = asked
                host.pause(asked)  # the whole host waits, not just this page
            if attempt == rules.max_retries or wait > rules.max_wait:
                break
            await anyio.sleep(wait)
        if response is not None:
            return response
        raise Unreachable(f"The site could not be reached: {failure}.", url=url)

    async def _once(self, url: str) -> Response:
        assert self._client is not None, "use PoliteClient as `async with`"
        self.requests += 1
        try:
            with anyio.fail_after(self.timeout):
                async with self._client.stream("GET", url) as reply:
                    body = await self._read_capped(reply, url)
                    return Response(url, str(reply.url), reply.status_code, reply.headers, body)
        except (TimeoutError, httpx.TimeoutException):
            raise TooSlow(f"No full answer within {self.timeout:g} seconds.", url=url) from None
        except httpx.TooManyRedirects:
            raise TooManyRedirects("Too many redirects.", url=url) from None

    async def _read_capped(self, reply: httpx.Response, url: str) -> bytes:
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(f"{url} is larger than {self.max_bytes} bytes.", url=url)
        # Raw reads, inflated in bounded steps: a gzip bomb meets the cap within
        # 64 KB of it, not after httpx has inflated a whole read (gigabytes).
        body = CappedBody(reply, url=url, max_bytes=self.max_bytes,
                          too_large=f"{url} is larger than {self.max_bytes} bytes.")  # fmt: skip
        async for raw in reply.aiter_raw():
            body.add(raw)
        return body.content()


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait (delta or HTTP date), if it did."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _backoff(base: float, attempt: int) -> float:
    return min(MAX_BACKOFF, base * 2**attempt) * (1 + random.random() / 4)
