"""Fetch one URL for a person: guarded, capped in size and time, decoded."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
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
            headers={
                "User-Agent": self.user_agent,
                "Accept": "text/html,text/*;q=0.9,*/*;q=0.5",
                "Accept-Encoding": ", ".join(ContentDecoder.SUPPORTED),  # what we inflate, capped
            },
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
        body = self._read_body(response, final_url)
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

    def _read_body(self, response: httpx.Response, final_url: str) -> bytes:
        body = CappedBody(response, url=final_url, max_bytes=self.max_bytes,
                          too_large=self._too_large_message())  # fmt: skip
        for raw in response.iter_raw():
            body.add(raw)
        return body.content()

    def _too_large_message(self) -> str:
        return f"The page is larger than {self.max_bytes // (1024 * 1024) or 1} MB."


class ContentDecoder:
    """Undoes a Content-Encoding (gzip, deflate, or several stacked) in steps of
    at most ``STEP`` bytes out.

    httpx inflates each network read whole: 64 KB of a gzip bomb becomes 64 MB
    (and a second gzip layer, gigabytes) before a size cap can look. Here every
    step is bounded and lazy, so memory stays near the cap however dense the body.
    """

    STEP = 64 * 1024
    SUPPORTED = ("gzip", "deflate")
    _NAMES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}

    def __init__(self, content_encoding: str) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",")]
        names = [n for n in names if n and n != "identity"]
        if unknown := [n for n in names if n not in self._NAMES]:
            raise ValueError(f"unsupported content encoding {unknown[0]!r}")
        # The encoding listed last was applied last, so it is undone first.
        self.layers = [_Inflater(self._NAMES[n]) for n in reversed(names)]

    def decode(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        chunks: Iterable[bytes] = raw
        for layer in self.layers:
            chunks = layer.inflate(chunks)
        return (chunk for chunk in chunks if chunk)


class CappedBody:
    """A response body, inflated in bounded steps (``ContentDecoder``) and cut
    off at ``max_bytes`` of decoded text: raw network reads go in, sync or async."""

    def __init__(self, response: httpx.Response, *, url: str, max_bytes: int,
                 too_large: str) -> None:  # fmt: skip
        encoding = response.headers.get("content-encoding", "")
        try:
            self.decoder = ContentDecoder(encoding)
        except ValueError:
            raise NotText(
                f"The page is compressed as {encoding!r}, which Waybrief cannot read.", url=url
            ) from None
        self.url, self.status, self.max_bytes, self.too_large = (
            url, response.status_code, max_bytes, too_large)  # fmt: skip
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, raw: bytes) -> None:
        try:
            for chunk in self.decoder.decode([raw]):
                self.size += len(chunk)
                if self.size > self.max_bytes:
                    raise TooLarge(self.too_large, url=self.url)
                self.chunks.append(chunk)
        except zlib.error as exc:
            raise UpstreamError(
                f"The site sent a compressed page that cannot be decompressed ({exc}).",
                url=self.url,
                status=self.status,
            ) from None

    def content(self) -> bytes:
        return b"".join(self.chunks)


class _Inflater:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.head = b""
        self.zlib = zlib.decompressobj(zlib.MAX_WBITS | 16) if kind == "gzip" else None

    def inflate(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for data in chunks:
            yield from self._feed(data)

    def _feed(self, data: bytes) -> Iterator[bytes]:
        if self.zlib is None:  # "deflate" is zlib-wrapped by the RFC, raw in practice
            self.head += data
            if len(self.head) < 2:
                return
            data, self.head = self.head, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self.zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while not self.zlib.eof:  # anything after the end of the stream is ignored
            out = self.zlib.decompress(data, ContentDecoder.STEP)
            data = self.zlib.unconsumed_tail
            yield out
            if not data and len(out) < ContentDecoder.STEP:
                break  # all input used and no output pending


def _looks_binary(body: bytes) -> bool:
    """NUL bytes near the start mean binary data (UTF-16 arrives with a BOM)."""
    head = body[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def fetch(url: str, **options) -> FetchedPage:
    return Fetcher(**options).fetch(url)


__all__ = ["FetchError", "FetchedPage", "Fetcher", "InvalidURL", "fetch"]
