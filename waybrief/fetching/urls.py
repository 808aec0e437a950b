"""Checking a URL before anything is fetched.

URLs that two parsers could read two ways (a backslash that a browser
treats as a slash, an ``@`` that moves the host, whitespace or control
characters) are refused outright: the guard must judge the host that the
connection will really use.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import InvalidURL

_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
MAX_URL_LENGTH = 4096


def check_url(url: str) -> str:
    """Return ``url`` stripped of surrounding space, or raise ``InvalidURL``."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidURL("No URL was given.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"That URL is longer than {MAX_URL_LENGTH} characters.", url=url[:200])
    if _FORBIDDEN.search(url):
        raise InvalidURL(
            "That URL contains spaces, backslashes or control characters; "
            "please give a plain http(s) address.",
            url=url,
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"That URL cannot be read: {exc}.", url=url) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise InvalidURL("Only http:// and https:// addresses can be fetched.", url=url)
    if "@" in parts.netloc:
        raise InvalidURL("URLs with a user name or password (an '@') are not fetched.", url=url)
    if not parts.hostname:
        raise InvalidURL("That URL has no host name.", url=url)
    if port == 0:
        raise InvalidURL("Port 0 cannot be fetched.", url=url)
    return url
