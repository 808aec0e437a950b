"""RSS/Atom feeds, where the platform pages them.

Pages are followed through RFC 5005 ``next`` links, and on WordPress-made
feeds through ``?paged=N``, until a page lists no post not seen before
(a feed that ignores ``?paged``, or whose ``next`` never stops, would
otherwise be followed for ever). A feed that is not paged holds only the latest
posts, so detection picks this adapter only for a paged feed; forced, it
reads whatever the feed holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from waybrief.fetching import FetchedPage

from ..canonical import same_site
from . import documents
from .base import Adapter, Listing

if TYPE_CHECKING:
    from ..engine import Crawl

_COMMON_PATHS = ("feed/", "rss.xml", "atom.xml", "feed.xml", "index.xml", "rss")


class Feed(Adapter):
    name = "feed"

    async def detect(self, crawl: Crawl) -> bool:
        feeds = documents.alternate_feeds(crawl.first) if crawl.first else []
        if not feeds:
            return False
        first = await crawl.listing(feeds[0], self._parse(crawl), probe=True)
        return first is not None and bool(first.follow)

    async def enumerate(self, crawl: Crawl) -> None:
        page = crawl.first or await crawl.fetch(crawl.start_url)
        feeds = documents.alternate_feeds(page) if page.ok else []
        candidates = feeds[:1] or [urljoin(crawl.home, path) for path in _COMMON_PATHS]
        parse = self._parse(crawl)
        for url in candidates:
            if await crawl.listing(url, parse, probe=True) is not None:
                read = await crawl.walk([url], parse, probe=True, until_stale=True)
                crawl.stats["feed_pages"] = len(read)
                return

    def _parse(self, crawl: Crawl):
        def parse(response: FetchedPage) -> Listing:
            found = documents.feed(response)
            mine = [u for u in found.entries if same_site(u, crawl.home)]
            posts = [p for u in mine if (p := self.canonical(u))]
            follow = list(found.next_pages)
            if posts and not follow and "wordpress" in found.generator.lower():
                follow.append(_next_paged(response.url))
            return Listing(posts, follow)

        return parse


def _next_paged(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    page = int(query.get("paged", ["1"])[0]) + 1
    query["paged"] = [str(page)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
