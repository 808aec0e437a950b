"""Fetch one URL for a person: guarded, capped in size and time, decoded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from . import charsets
from .deadline import deadline_after
from .errors import (
    FetchError,
    InvalidURL,
    NotText,
    TooLarge,
    TooManyRedirects,
    TooSlow,
    Unreachable,
    UpstreamError,
)
from .transport import AddressGuard, Resolver, guarded_transport
from .urls import check_url

_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = {
    "application/pdf", "application/zip", "application/gzip", "application/x-tar",
    "application/x-7z-compressed", "application/vnd.rar", "application/x-rar-compressed",
    "application/msword", "application/wasm", "application/x-executable",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument",
}  # fmt: skip


@dataclass
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    text: str
    encoding: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0


class Fetcher:
    """Settings-driven defaults; tests inject a stub resolver and small caps."""

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
    ) -> None:
        allow = settings.FETCH_ALLOW_PRIVATE if allow_private is None else allow_private
        self.guard = guard or AddressGuard(allow_private=allow, resolver=resolver)
        self.max_bytes = max_bytes or settings.FETCH_MAX_BYTES
        self.timeout = timeout or settings.FETCH_TIMEOUT_SECONDS
        self.max_redirects = (
            settings.FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects
        )
        self.user_agent = user_agent or settings.FETCH_USER_AGENT

    def fetch(self, url: str) -> FetchedPage:
        url = check_url(url)
        started = time.monotonic()
        with deadline_after(self.timeout), self._client() as client:
            try:
                page = self._follow(client, url)
            except httpx.TimeoutException:
                raise TooSlow(
                    f"The page did not arrive within {self.timeout:g} seconds.", url=url
                ) from None
            except httpx.TransportError as exc:
                raise Unreachable(f"The site could not be reached: {exc}.", url=url) from None
            except httpx.InvalidURL as exc:  # httpx's own parser is stricter than check_url
                raise InvalidURL(f"That URL cannot be fetched: {exc}.", url=url) from None
        page.elapsed_ms = (time.monotonic() - started) * 1000
        return page

    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=guarded_transport(self.guard),
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent, "Accept": "text/html,text/*;q=0.9,*/*;q=0.5"},
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the guard
        )

    def _follow(self, client: httpx.Client, url: str) -> FetchedPage:
        current = url
        for _hop in range(self.max_redirects + 1):
            with client.stream("GET", current) as response:
                if response.is_redirect and response.next_request is not None:
                    current = check_url(str(response.next_request.url))
                    continue
                if response.status_code >= 400:
                    raise UpstreamError(
                        f"The site answered {response.status_code} {response.reason_phrase}.",
                        url=current,
                        status=response.status_code,
                    )
                return self._read(response, requested=url)
        raise TooManyRedirects(f"More than {self.max_redirects} redirects.", url=url)

    def _read(self, response: httpx.Response, *, requested: str) -> FetchedPage:
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        final_url = str(response.url)
        if mime.startswith(_BINARY_PREFIXES) or mime in _BINARY_TYPES:
            raise NotText(
                f"That address serves {mime}, not text that can be summarized.", url=final_url
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(self._too_large_message(), url=final_url)
        chunks: list[bytes] = []
        size = 0
        # iter_bytes yields decompressed bytes: a small gzip bomb is caught here.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise TooLarge(self._too_large_message(), url=final_url)
            chunks.append(chunk)
        body = b"".join(chunks)
        if _looks_binary(body):
            raise NotText("That address serves binary data, not text.", url=final_url)
        decoded = charsets.decode(
            body, header_charset=response.charset_encoding, host=urlsplit(final_url).hostname or ""
        )
        return FetchedPage(
            url=requested,
            final_url=final_url,
            status=response.status_code,
            content_type=mime or "text/html",
            body=body,
            text=decoded.text,
            encoding=decoded.encoding,
            headers=dict(response.headers),
        )

    def _too_large_message(self) -> str:
        return f"The page is larger than {self.max_bytes // (1024 * 1024) or 1} MB."


def _looks_binary(body: bytes) -> bool:
    """NUL bytes near the start mean binary data (UTF-16 arrives with a BOM)."""
    head = body[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def fetch(url: str, **options) -> FetchedPage:
    return Fetcher(**options).fetch(url)


__all__ = ["FetchError", "FetchedPage", "Fetcher", "InvalidURL", "fetch"]
