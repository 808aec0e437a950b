"""Reading a body: inflated in bounded steps and cut off at the size cap.

Both faces of the client read through ``CappedBody``, fed the raw network
reads (``iter_raw`` / ``aiter_raw``), so a gzip bomb meets the cap within
one step of it, however it is fetched.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import httpx

from .errors import NotText, TooLarge, UpstreamError

MB = 1024 * 1024


def too_large(url: str, max_bytes: int) -> str:
    """What a page over the cap is told: the URL (a crawl's log names many
    pages), the exact cap and the same in MB (what a person reads)."""
    return f"{url} is larger than {max_bytes} bytes ({max_bytes / MB:.3g} MB)."


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
    """The body of ``response``: raw reads go in (sync or async), decoded text
    of at most ``max_bytes`` comes out. A declared length over the cap is
    refused before anything is read."""

    def __init__(self, response: httpx.Response, *, max_bytes: int) -> None:
        self.url, self.status, self.max_bytes = str(response.url), response.status_code, max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(too_large(self.url, max_bytes), url=self.url)
        encoding = response.headers.get("content-encoding", "")
        try:
            self.decoder = ContentDecoder(encoding)
        except ValueError:
            raise NotText(
                f"The page is compressed as {encoding!r}, which Waybrief cannot read.",
                url=self.url,
            ) from None
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, raw: bytes) -> None:
        try:
            for chunk in self.decoder.decode([raw]):
                self.size += len(chunk)
                if self.size > self.max_bytes:
                    raise TooLarge(too_large(self.url, self.max_bytes), url=self.url)
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


def looks_binary(body: bytes) -> bool:
    """NUL bytes near the start mean binary data (UTF-16 arrives with a BOM)."""
    head = body[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
