"""Blogger: the posts feed, ``/feeds/posts/default?start-index=N&max-results=M``.

The first page says how many posts there are (``openSearch:totalResults``),
so every other page is read at once. JSON (``alt=json``) is asked for;
an Atom answer is read with feedparser, following its ``next`` link until
a page lists no post not seen before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from waybrief.fetching import FetchedPage

from ..canonical import canonicalize, origin
from . import documents
from .base import Adapter, Listing

if TYPE_CHECKING:
    from ..engine import Crawl

_HOST = re.compile(r"\.blogspot\.[a-z.]+$")
_MARKERS = ("content='blogger' name='generator'", 'content="blogger" name="generator"',
            "www.blogger.com/feeds/", "blogger.com/static/")  # fmt: skip
PER_PAGE = 150  # the most the feed gives in one page


class Blogger(Adapter):
    name = "blogger"

    def home(self, url: str) -> str:
        return origin(canonicalize(url) or url) + "/"

    def canonical(self, url: str, base: str | None = None) -> str | None:
        """Blogger's mobile view (``?m=1``) is the same post."""
        found = super().canonical(url, base)
        if found is None:
            return None
        parts = urlsplit(found)
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("m="))
        return urlunsplit(parts._replace(query=query))

    async def detect(self, crawl: Crawl) -> bool:
        if _HOST.search((urlsplit(crawl.start_url).hostname or "").lower()):
            return True
        text = crawl.first.text.lower() if crawl.first else ""
        return any(marker in text for marker in _MARKERS)

    def page_url(self, home: str, start: int, size: int = PER_PAGE) -> str:
        return f"{home}feeds/posts/default?alt=json&start-index={start}&max-results={size}"

    async def enumerate(self, crawl: Crawl) -> None:
        home = crawl.home

        def parse(response: FetchedPage) -> Listing:
            try:
                data = response.json()
            except ValueError:
                return self._parse_atom(response)
            return self._parse_json(data, home, first=_start_index(response.url) == 1)

        pages = await crawl.walk([self.page_url(home, 1)], parse, until_stale=True)
        crawl.stats["feed_pages"] = len(pages)

    def _parse_json(self, data: Any, home: str, *, first: bool) -> Listing:
        feed = data["feed"]
        entries = feed.get("entry", [])
        posts = []
        for entry in entries:
            for link in entry.get("link", []):
                if link.get("rel") == "alternate" and (url := self.canonical(link.get("href", ""))):
                    posts.append(url)
        follow = []
        if first and entries:
            total = int(feed.get("openSearch$totalResults", {}).get("$t", "0"))
            # Blogger may give fewer entries than asked; the first page says
            # how many it really gives, and the other pages are cut to match.
            size = min(PER_PAGE, len(entries))
            pages = range(1 + size, total + 1, size)
            follow = [self.page_url(home, start, size) for start in pages]
        return Listing(posts, follow)

    def _parse_atom(self, response: FetchedPage) -> Listing:
        found = documents.feed(response)
        posts = [p for link in found.entries if (p := self.canonical(link))]
        return Listing(posts, found.next_pages)


def _start_index(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("start-index", ["1"])
    return int(values[0]) if values[0].isdigit() else 1
