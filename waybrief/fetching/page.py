"""A page as it arrived, the one type both faces of the client return."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import charsets


class _DecodedOnce:
    """A ``FetchedPage`` text field that is decoded on first read when it was
    not given: a crawl reads many bodies only as bytes (gzipped sitemaps,
    feeds), and guessing a charset over those would be wasted work."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, page: FetchedPage | None, owner: type | None = None) -> Any:
        if page is None:
            return None  # the dataclass default: "not given, decode when read"
        if page.__dict__.get(self.slot) is None:
            page._decode()
        return page.__dict__[self.slot]

    def __set__(self, page: FetchedPage, value: str | None) -> None:
        page.__dict__[self.slot] = value


@dataclass
class FetchedPage:
    """What one GET ended with: the status (any status, from the async face),
    the headers, the body, inflated and capped, and the redirects it followed. ``text`` is the body
    decoded right (Big5 blogs with no declared charset included)."""

    url: str
    final_url: str
    status: int
    content_type: str = ""  # the bare MIME type, lower case
    body: bytes = b""
    text: str = _DecodedOnce()  # type: ignore[assignment]
    encoding: str = _DecodedOnce()  # type: ignore[assignment]
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    elapsed_ms: float = 0.0
    redirects: list[str] = field(default_factory=list)  # each URL that answered 3xx, in order

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` when it is not."""
        return json.loads(self.body)

    def _decode(self) -> None:
        host = urlsplit(self.final_url).hostname or ""
        charset = header_charset(self.headers.get("content-type", ""))
        decoded = charsets.decode(self.body, header_charset=charset, host=host)
        self.text, self.encoding = decoded.text, decoded.encoding


def mime_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def header_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if it names one."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
