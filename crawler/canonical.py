"""One spelling per page, so a post linked three ways is counted once.

courlan does the general work (case, default ports, tracking parameters,
path dots); on top of it fragments go, percent-escapes get one case, and the
trailing slash follows what the platform treats as the same page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url

Slash = Literal["keep", "add", "strip"]

_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# An extension means a file (``post.html``), whose name never takes a slash.
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@lru_cache(maxsize=8192)  # navigation links repeat on every page of a blog
def canonicalize(url: str, *, base: str | None = None, slash: Slash = "keep") -> str | None:
    """The canonical spelling of ``url`` (resolved against ``base``), or None
    when it is not an http(s) URL worth keeping."""
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    try:
        normal = normalize_url(parts._replace(fragment=""), trailing_slash=True)
    except ValueError:
        return None
    parts = urlsplit(normal)
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), parts.path) or "/"
    if slash == "strip" and len(path) > 1:
        path = path.rstrip("/") or "/"
    elif slash == "add" and not (parts.query or path.endswith("/") or _FILE_NAME.search(path)):
        path += "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def same_site(url: str, home: str) -> bool:
    """True when ``url`` is on ``home``'s host (``www.`` or not, any scheme)."""
    return _bare_host(url) == _bare_host(home)


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def folder(url: str) -> str:
    """The folder ``url`` names, ending in ``/``: ``/blog/`` of ``/blog``,
    ``/blog/`` and ``/blog/sitemap.xml`` alike (a name with an extension is
    a file in its folder). Query and fragment go."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        head, _, name = path.rpartition("/")
        path = f"{head}/" if _FILE_NAME.search(name) else f"{path}/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def under(url: str, home: str) -> bool:
    """True when ``url`` is on ``home``'s site and inside its folder. Paths
    are compared without regard to case, as the Archive's index does."""
    if not same_site(url, home):
        return False
    return urlsplit(url).path.lower().startswith(urlsplit(folder(home)).path.lower())


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, where robots.txt lives."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
