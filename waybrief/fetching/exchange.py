"""One HTTP exchange as it went over the wire, for whoever keeps copies (WARC).

A ``FetchedPage`` holds the body inflated and decoded; a WARC record must
hold what the server sent (``Content-Encoding`` and all), so both faces of
the client hand a ``Recorder`` the raw bytes they read beside the page.
Only complete answers are handed over: one cut short by a cap is not a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Exchange:
    url: str
    method: str
    request_headers: list[tuple[str, str]]
    http_version: str  # "HTTP/1.1"
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    payload: bytes  # the body as sent: still compressed, transfer-decoded


#: called with every answer a fetcher read in full: each redirect of a fetch
#: (3xx), then the final answer, in one go once that answer is whole
Recorder = Callable[[Exchange], None]


def exchange_of(response: httpx.Response, payload: bytes) -> Exchange:
    request = response.request
    return Exchange(
        url=str(request.url),
        method=request.method,
        request_headers=_pairs(request.headers),
        http_version=response.http_version or "HTTP/1.1",
        status=response.status_code,
        reason=response.reason_phrase or "",
        response_headers=_pairs(response.headers),
        payload=payload,
    )


def _pairs(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw]
