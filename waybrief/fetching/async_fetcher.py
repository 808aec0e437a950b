"""The async face of the client: many pages at once over one connection pool.

Guarded, capped in size and time and decoded as the sync face is (both
share ``client``). Every answer comes back as a page, whatever its status
or type: a crawl reads status codes, and gzipped sitemaps are binary.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

import anyio
import httpx

from .body import CappedBody
from .client import (
    Limits,
    check_hop_async,
    hop_exchange_async,
    named_failures,
    next_hop,
    page_of,
    too_many_redirects,
)
from .exchange import Exchange, Recorder, exchange_of
from .page import FetchedPage
from .transport import async_guarded_transport
from .urls import check_url


class AsyncFetcher:
    """Use as ``async with AsyncFetcher(...) as fetcher``; options as ``Fetcher``'s.
    ``recorder`` is handed every answer read in full, as it was sent, after
    each redirect that led to it."""

    def __init__(
        self, *, limits: Limits | None = None, recorder: Recorder | None = None, **options: Any
    ) -> None:
        self.limits = limits or Limits.from_settings(**options)
        self.recorder = recorder
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> AsyncFetcher:
        self._client = httpx.AsyncClient(
            transport=async_guarded_transport(self.limits.guard),
            event_hooks={"response": [check_hop_async]},
            **self.limits.client_options(accept="*/*"),
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(self, url: str) -> FetchedPage:
        """GET ``url``, following redirects, within one overall deadline;
        raises a ``FetchError`` when no answer could be had."""
        url = check_url(url)
        started = time.monotonic()
        # The deadline covers every hop and every read: a server trickling a
        # byte a second would reset httpx's own read timeout for ever.
        with named_failures(url, self.limits.timeout), anyio.fail_after(self.limits.timeout):
            page = await self._follow(url)
        page.elapsed_ms = (time.monotonic() - started) * 1000
        return page

    async def _follow(self, url: str) -> FetchedPage:
        assert self._client is not None, "use AsyncFetcher as `async with`"
        current = url
        redirects: list[str] = []
        hops: list[Exchange] = []  # handed to the recorder before the answer they led to
        for _hop in range(self.limits.max_redirects + 1):
            async with self._client.stream("GET", current) as response:
                if (target := next_hop(response)) is not None:
                    if self.recorder is not None and (hop := await hop_exchange_async(response)):
                        hops.append(hop)
                    redirects.append(current)
                    current = target
                    continue
                body = CappedBody(response, max_bytes=self.limits.max_bytes)
                sent: list[bytes] | None = [] if self.recorder else None
                async for raw in response.aiter_raw():
                    body.add(raw)
                    if sent is not None:
                        sent.append(raw)
                if self.recorder is not None and sent is not None:
                    for hop in hops:  # no await between: the chain's records stay together
                        self.recorder(hop)
                    self.recorder(exchange_of(response, b"".join(sent)))
                return page_of(response, requested=url, body=body, redirects=redirects)
        raise too_many_redirects(url)
