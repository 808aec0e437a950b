"""The sync face of the client: fetch one URL for a person, to summarize it.

Guarded, capped in size and time and decoded as the async face is (both
share ``client``); on top, by default, what a page to summarize must be:
an answer below 400 (``UpstreamError`` otherwise) and text, not binary data
(``NotText``), unless the caller names the binary types it reads itself
(``documents``: the summarizer's PDF and Word files).
"""

from __future__ import annotations

import time
from collections.abc import Collection

import httpx

from .body import CappedBody, looks_binary
from .client import (
    Limits,
    check_hop,
    hop_exchange,
    named_failures,
    next_hop,
    page_of,
    too_many_redirects,
)
from .deadline import deadline_after
from .errors import FetchError, InvalidURL, NotText, UpstreamError
from .exchange import Exchange, Recorder, exchange_of
from .page import FetchedPage, mime_type
from .transport import AddressGuard, Resolver, guarded_transport
from .urls import check_url

_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = {
    "application/pdf", "application/zip", "application/gzip", "application/x-tar",
    "application/x-7z-compressed", "application/vnd.rar", "application/x-rar-compressed",
    "application/msword", "application/wasm", "application/x-executable",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument",
}  # fmt: skip
_ACCEPT = "text/html,text/*;q=0.9,*/*;q=0.5"


class Fetcher:
    """Settings-driven defaults; tests inject a stub resolver and small caps.

    ``for_reading`` (the default) is the summarizer's contract: error statuses
    raise ``UpstreamError``, binary bodies ``NotText``, and a page that names
    no type is read as HTML. Without it, every answer comes back as a page.
    """

    def __init__(
        self,
        *,
        allow_private: bool | None = None,
        resolver: Resolver | None = None,
        max_bytes: int | None = None,
        timeout: float | None = None,
        max_redirects: int | None = None,
        user_agent: str | None = None,
        guard: AddressGuard | None = None,
        for_reading: bool = True,
    ) -> None:
        self.limits = Limits.from_settings(
            allow_private=allow_private,
            resolver=resolver,
            guard=guard,
            max_bytes=max_bytes,
            timeout=timeout,
            max_redirects=max_redirects,
            user_agent=user_agent,
        )
        self.for_reading = for_reading

    def fetch(
        self, url: str, *, documents: Collection[str] = (), recorder: Recorder | None = None
    ) -> FetchedPage:
        """``documents``: MIME types read as they are, binary or not;
        ``recorder`` is handed the answer as it was sent (a WARC copy), after
        each redirect that led to it."""
        url = check_url(url)
        started = time.monotonic()
        with (
            deadline_after(self.limits.timeout),
            named_failures(url, self.limits.timeout),
            self._client() as client,
        ):
            page = self._follow(client, url, documents, recorder)
        page.elapsed_ms = (time.monotonic() - started) * 1000
        return page

    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=guarded_transport(self.limits.guard),
            event_hooks={"response": [check_hop]},
            **self.limits.client_options(accept=_ACCEPT),
        )

    def _follow(
        self, client: httpx.Client, url: str, documents: Collection[str], recorder: Recorder | None
    ) -> FetchedPage:
        current = url
        redirects: list[str] = []
        hops: list[Exchange] = []  # handed to the recorder before the answer they led to
        for _hop in range(self.limits.max_redirects + 1):
            with client.stream("GET", current) as response:
                if (target := next_hop(response)) is not None:
                    hop = hop_exchange(response, response.iter_raw()) if recorder else None
                    if hop is not None:
                        hops.append(hop)
                    redirects.append(current)
                    current = target
                    continue
                if self.for_reading:
                    _check_readable(response, documents)
                body = CappedBody(response, max_bytes=self.limits.max_bytes)
                sent: list[bytes] | None = [] if recorder else None
                for raw in response.iter_raw():
                    body.add(raw)
                    if sent is not None:
                        sent.append(raw)
                page = page_of(response, requested=url, body=body, redirects=redirects)
                if recorder is not None and sent is not None:
                    for hop in hops:
                        recorder(hop)
                    recorder(exchange_of(response, b"".join(sent)))
                if self.for_reading:
                    _check_text(page, documents)
                return page
        raise too_many_redirects(url)


def _check_readable(response: httpx.Response, documents: Collection[str] = ()) -> None:
    """Refused before the body is read: an error status, a binary type."""
    if response.status_code >= 400:
        raise UpstreamError(
            f"The site answered {response.status_code} {response.reason_phrase}.",
            url=str(response.url),
            status=response.status_code,
        )
    mime = mime_type(response.headers)
    if mime in documents:
        return
    if mime.startswith(_BINARY_PREFIXES) or mime in _BINARY_TYPES:
        raise NotText(
            f"That address serves {mime}, not text that can be summarized.", url=str(response.url)
        )


def _check_text(page: FetchedPage, documents: Collection[str] = ()) -> None:
    if page.content_type in documents:
        return
    if looks_binary(page.body):
        raise NotText("That address serves binary data, not text.", url=page.final_url)
    page.content_type = page.content_type or "text/html"


def fetch(url: str, **options) -> FetchedPage:
    return Fetcher(**options).fetch(url)


__all__ = ["FetchError", "FetchedPage", "Fetcher", "InvalidURL", "fetch"]
