"""What the sync and async faces of the client share, so that they cannot
drift apart: the limits, the request headers, the redirect policy, the
names of failures, and how a streamed answer becomes a page.

Redirects are followed by hand, one request per hop, and every hop's URL
passes ``check_url`` as the first one did (the connect-time guard then
judges the address it really reaches). A hop that cannot be fetched
(``javascript:``, ``data:``, a spelling two parsers read two ways) fails
that one fetch with ``InvalidURL``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from .body import CappedBody, ContentDecoder
from .errors import Dropped, InvalidURL, TooManyRedirects, TooSlow
from .exchange import Exchange, exchange_of
from .page import FetchedPage, mime_type
from .transport import AddressGuard, Resolver
from .urls import check_url

TOO_MANY_REDIRECTS = "Too many redirects."
#: a redirect's own body is kept (a WARC hop record) only up to this size
HOP_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How far one fetch may go: where it may connect, how much it reads,
    how long it takes (all hops together), how many hops it follows."""

    guard: AddressGuard
    max_bytes: int
    timeout: float
    max_redirects: int
    user_agent: str

    @classmethod
    def from_settings(
        cls,
        *,
        allow_private: bool | None = None,
        resolver: Resolver | None = None,
        guard: AddressGuard | None = None,
        max_bytes: int | None = None,
        timeout: float | None = None,
        max_redirects: int | None = None,
        user_agent: str | None = None,
    ) -> Limits:
        """Settings-driven defaults; tests inject a stub resolver and small caps."""
        allow = settings.FETCH_ALLOW_PRIVATE if allow_private is None else allow_private
        return cls(
            guard=guard or AddressGuard(allow_private=allow, resolver=resolver),
            max_bytes=max_bytes or settings.FETCH_MAX_BYTES,
            timeout=timeout or settings.FETCH_TIMEOUT_SECONDS,
            max_redirects=settings.FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects,
            user_agent=user_agent or settings.FETCH_USER_AGENT,
        )

    def client_options(self, *, accept: str) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client`` and ``httpx.AsyncClient``."""
        return {
            "headers": {
                "User-Agent": self.user_agent,
                "Accept": accept,
                "Accept-Encoding": ", ".join(ContentDecoder.SUPPORTED),  # what CappedBody inflates
            },
            "timeout": httpx.Timeout(self.timeout),
            "follow_redirects": False,  # followed by hand: see ``next_hop``
            "trust_env": False,  # a proxy from the environment would bypass the guard
        }


def next_hop(response: httpx.Response) -> str | None:
    """The URL a redirect leads to, checked as the first URL was, or None
    when ``response`` is the answer itself. Raises ``InvalidURL`` for a hop
    that cannot be fetched."""
    if not response.has_redirect_location:
        return None
    location = response.headers["location"]
    came_from = str(response.request.url)
    try:
        target = str(response.request.url.join(location))
        return check_url(target)
    except (httpx.InvalidURL, InvalidURL) as exc:
        shown = location if len(location) <= 200 else location[:200] + "…"
        raise InvalidURL(
            f"It redirects to {shown}, which cannot be fetched: {exc}", url=came_from
        ) from None


def check_hop(response: httpx.Response) -> None:
    """A response hook: httpx reads the Location of every redirect itself,
    even one it will not follow, and its parser raises ``httpx.InvalidURL``
    (no ``FetchError``) on ``javascript:`` or ``data:``; ours reads it first."""
    next_hop(response)


async def check_hop_async(response: httpx.Response) -> None:
    next_hop(response)


@contextlib.contextmanager
def named_failures(url: str, timeout: float) -> Iterator[None]:
    """httpx's errors (and the overall deadline's) as ``FetchError``s."""
    try:
        yield
    except (TimeoutError, httpx.TimeoutException):
        raise TooSlow(f"The page did not arrive within {timeout:g} seconds.", url=url) from None
    except httpx.InvalidURL as exc:  # httpx's own parser is stricter than check_url
        raise InvalidURL(f"That URL cannot be fetched: {exc}.", url=url) from None
    except httpx.TransportError as exc:
        raise Dropped(f"The site could not be reached: {exc}.", url=url) from None


def too_many_redirects(url: str) -> TooManyRedirects:
    return TooManyRedirects(TOO_MANY_REDIRECTS, url=url)


def page_of(
    response: httpx.Response, *, requested: str, body: CappedBody, redirects: list[str]
) -> FetchedPage:
    return FetchedPage(
        url=requested,
        final_url=str(response.url),
        status=response.status_code,
        content_type=mime_type(response.headers),
        body=body.content(),
        headers=response.headers,
        redirects=redirects,
    )


def hop_exchange(response: httpx.Response, raw: Iterable[bytes]) -> Exchange | None:
    """A redirect as it was sent, for the recorder (a WARC copy keeps every
    hop of the chain); None when its body is over ``HOP_BODY_BYTES``: only
    whole answers are kept, and a redirect that large is not worth one."""
    sent: list[bytes] = []
    size = 0
    for chunk in raw:
        size += len(chunk)
        if size > HOP_BODY_BYTES:
            return None
        sent.append(chunk)
    return exchange_of(response, b"".join(sent))


async def hop_exchange_async(response: httpx.Response) -> Exchange | None:
    sent: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > HOP_BODY_BYTES:
            return None
        sent.append(chunk)
    return hop_exchange(response, sent)
