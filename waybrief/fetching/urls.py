"""Checking a URL before anything is fetched.

URLs that two parsers could read two ways (a backslash that a browser
treats as a slash, an ``@`` that moves the host, whitespace or control
characters, a number with a leading zero that is octal to some and decimal
to others, a percent-encoded host) are refused outright: the guard must
judge the host that the connection will really use.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import InvalidURL

_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
# The longest URL the models store (Document.url, Summary.url); browsers cap near here too.
MAX_URL_LENGTH = 4096
# DNS limits (RFC 1035): longer names cannot be resolved, and Python's resolver
# raises UnicodeError instead of a lookup error on them.
MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


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
    _check_host(parts.hostname, url)
    return url


def _check_host(host: str, url: str) -> None:
    if "%" in host:
        raise InvalidURL(
            "That URL's host name contains a '%', which programs decode differently.", url=url
        )
    if ":" in host:  # an IPv6 literal; ipaddress judges it later
        return
    labels = host.removesuffix(".").split(".")
    if len(host) > MAX_HOST_LENGTH or any(len(label) > MAX_LABEL_LENGTH for label in labels):
        raise InvalidURL(
            f"That URL's host name is too long (at most {MAX_HOST_LENGTH} characters, "
            f"{MAX_LABEL_LENGTH} between dots).",
            url=url[:200],
        )
    if not all(labels):
        raise InvalidURL("That URL's host name has an empty part between dots.", url=url)
    if all(_NUMERIC_LABEL.match(label) for label in labels) and any(
        len(label) > 1 and label[0] == "0" and label[1].isdigit() for label in labels
    ):
        raise InvalidURL(
            "That URL's address has a number with a leading zero, which some programs "
            "read as octal and others as decimal; write it as plain dotted decimals.",
            url=url,
        )
