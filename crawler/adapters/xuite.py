"""Xuite blogs: ``{home}?&p=N`` list pages, posts ``{home}/{id}[-{title}]``.

The pager shows a window of page numbers (plus, usually, a link to the
last page). Every page number seen widens the range, and every page in
the range is read at once, so a pager without a last link still leads to
the end, a few pages ahead at a time; a page listing no post not seen
before (a pager that runs on past the end) widens nothing. A post linked
as ``{home}/{id}`` and as ``{home}/{id}-{title}`` is one post, kept as
``{home}/{id}``. Category lists (``?st=c&w=…``) repeat the same posts and
are not read. ``rss.xml`` is read alongside as a cross-check; what it has
and the lists lack is kept.

Xuite's mobile site shows the same blogs and posts under other addresses:
``m.xuite.net/blog/{uid}[/{blog}[/{id}]]`` is ``blog.xuite.net/{uid}[/{blog}[/{id}]]``
(ArchiveTeam's xuite-grab, ``xuite.lua``, fetches both as one item). Any of
them is spelled the desktop way, so a mobile link or capture is the same post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit, urlunsplit

import anyio

from waybrief.fetching import FetchedPage

from ..canonical import canonicalize
from . import documents
from .base import Adapter, Listing

if TYPE_CHECKING:
    from ..engine import Crawl


DESKTOP_HOST = "blog.xuite.net"
MOBILE_HOST = "m.xuite.net"
# xuite.lua: a user id is [0-9A-Za-z._]+, a blog's name [0-9A-Za-z]+, a post's id [0-9]+.
_MOBILE_PATH = re.compile(r"/blog/([0-9A-Za-z._]+)(?:/([0-9A-Za-z]+)(?:/([0-9]+))?)?/?")


def desktop(url: str) -> str:
    """The ``blog.xuite.net`` spelling of a mobile blog URL; any other URL as it is.

    ``m.xuite.net/blog/blog/{uid}/{id}`` is left alone: the mobile site's
    "random post" link gives that for a post of user ``{uid}`` (xuite.lua),
    whose blog it does not name.
    """
    parts = urlsplit(url)
    if (parts.hostname or "").lower() != MOBILE_HOST:
        return url
    match = _MOBILE_PATH.fullmatch(parts.path)
    if match is None:
        return url
    uid, blog, post_id = match.groups()
    if uid == "blog" and blog not in (None, "blog") and post_id:
        return url
    path = "/" + "/".join(s for s in (uid, blog, post_id) if s)
    return urlunsplit((parts.scheme, DESKTOP_HOST, path, parts.query, parts.fragment))


def mobile_home(home: str) -> str | None:
    """The mobile address of a ``blog.xuite.net/{uid}/{blog}`` home, under
    which the Archive holds captures of its posts too; None for any other."""
    parts = urlsplit(home)
    segments = [s for s in parts.path.split("/") if s]
    if (parts.hostname or "").lower() != DESKTOP_HOST or len(segments) != 2:
        return None
    return urlunsplit((parts.scheme, MOBILE_HOST, "/blog/" + "/".join(segments), "", ""))


class Xuite(Adapter):
    name = "xuite"
    slash = "strip"

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.highest = 1  # the highest list page scheduled so far
        self._home = ""
        self.listed: set[str] = set()

    def home(self, url: str) -> str:
        url = desktop(url)
        parts = urlsplit(canonicalize(url) or url)
        segments = [s for s in parts.path.split("/") if s][:2]
        return urlunsplit((parts.scheme, parts.netloc, "/" + "/".join(segments), "", ""))

    def canonical(self, url: str, base: str | None = None) -> str | None:
        found = super().canonical(url, base)
        return desktop(found) if found else None

    def page_url(self, home: str, number: int) -> str:
        return home if number == 1 else f"{home}?&p={number}"

    async def detect(self, crawl: Crawl) -> bool:
        host = (urlsplit(crawl.start_url).hostname or "").lower()
        if host == "xuite.net" or host.endswith(".xuite.net"):
            return True
        first = crawl.first
        if first is None or "xuite" not in first.text.lower():
            return False
        found = self.parse(first, home=self.home(first.final_url))
        return bool(found.posts) or any((_page_number(p) or 1) > 1 for p in found.follow)

    async def enumerate(self, crawl: Crawl) -> None:
        home = self._home = crawl.home
        rss: Listing | None = None

        async def read_rss() -> None:
            nonlocal rss
            rss = await crawl.listing(f"{home}/rss.xml", self._rss_parser(home), probe=True)

        async with anyio.create_task_group() as group:
            group.start_soon(read_rss)
            await crawl.walk(
                [home], lambda response: self.parse(response, home=home), expand=self._expand,
                until_stale=True,
            )  # fmt: skip
        rss_only = sorted(set(rss.posts) - self.listed) if rss else []
        crawl.stats.update(
            list_pages=self.highest, listed_posts=len(self.listed), rss_read=rss is not None,
            rss_only=len(rss_only),
        )  # fmt: skip

    def parse(self, response: FetchedPage, *, home: str) -> Listing:
        """Posts and pager links of one list page."""
        matcher = _Matcher(home)
        posts: dict[str, None] = {}
        pages: dict[int, None] = {}
        for link in documents.links(response):
            post, number = matcher.read(link)
            if post is not None:
                posts[post] = None
            elif number is not None:
                pages[number] = None
        return Listing(list(posts), [self.page_url(home, n) for n in sorted(pages)])

    def _expand(self, url: str, listing: Listing, depth: int) -> Iterable[tuple[str, int]]:
        self.listed.update(listing.posts)
        home = self._home
        numbers = [_page_number(link) for link in listing.follow]
        highest = max([n for n in numbers if n], default=1)
        if highest <= self.highest:
            return []
        start, self.highest = self.highest + 1, highest
        return [(self.page_url(home, n), depth + 1) for n in range(max(start, 2), highest + 1)]

    def _rss_parser(self, home: str):
        matcher = _Matcher(home)

        def parse(response: FetchedPage) -> Listing:
            entries = documents.feed(response).entries
            return Listing([p for link in entries if (p := matcher.read(link)[0]) is not None])

        return parse


class _Matcher:
    """Reads links relative to one blog home."""

    def __init__(self, home: str) -> None:
        parts = urlsplit(home)
        self.home = home
        self.netloc = parts.netloc
        self.path = parts.path.rstrip("/")
        self.post_path = re.compile(re.escape(self.path) + r"/(\d+)(?:-[^/]*)?/?")
        # Most links are spelled exactly like the home; those skip the full
        # canonicalization (a list page has dozens of links).
        self.plain_post = re.compile(re.escape(home) + r"/(\d+)(?:-[^/?#]*)?/?(?:#.*)?")
        self.plain_page = re.compile(re.escape(home) + r"\?&?p=(\d+)")

    def read(self, link: str) -> tuple[str | None, int | None]:
        """``({home}/{id}, None)`` for a link to one of the blog's posts,
        ``(None, N)`` for list page N (``{home}?&p=N``), ``(None, None)`` for
        anything else, category lists (``?st=c&w=…&p=N``) included."""
        if MOBILE_HOST in link.lower():
            link = desktop(link)
        if match := self.plain_post.fullmatch(link):
            return f"{self.home}/{match.group(1)}", None
        if match := self.plain_page.fullmatch(link):
            return None, int(match.group(1))
        url = canonicalize(link)
        if url is None:
            return None, None
        parts = urlsplit(url)
        if parts.netloc != self.netloc:
            return None, None
        if match := self.post_path.fullmatch(parts.path):
            return f"{self.home}/{match.group(1)}", None
        if parts.path.rstrip("/") == self.path:
            return None, _page_number(url)
        return None, None


def _page_number(url: str) -> int | None:
    query = parse_qs(urlsplit(url).query)
    if not query:
        return 1  # the home is the first list page
    values = query.get("p", [])
    if set(query) != {"p"} or len(values) != 1 or not values[0].isdigit():
        return None
    return int(values[0])
