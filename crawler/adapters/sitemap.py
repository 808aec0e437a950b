"""Any site with a sitemap: robots.txt ``Sitemap:`` lines, else ``/sitemap.xml``.

Sitemap indexes are followed (child sitemaps are read at once), gzipped
sitemaps inflated under the size cap. Taxonomy sitemaps (categories, tags,
authors) and listing pages (the home page, pagers, feeds) are left out:
what stays are the site's posts and articles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from waybrief.fetching import FetchedPage

from ..canonical import canonicalize, origin, same_site
from . import documents
from .base import Adapter, Listing, is_listing_url

if TYPE_CHECKING:
    from ..engine import Crawl

_TAXONOMY = re.compile(r"(categor|tag|author|user|taxonom|page-sitemap|archive)", re.IGNORECASE)


class Sitemap(Adapter):
    name = "sitemap"

    def home(self, url: str) -> str:
        return origin(canonicalize(url) or url) + "/"

    async def detect(self, crawl: Crawl) -> bool:
        return bool(await self._sitemaps(crawl))

    async def enumerate(self, crawl: Crawl) -> None:
        starts = await self._sitemaps(crawl)
        read = await crawl.walk(starts, self._parser(crawl))
        crawl.stats["sitemaps"] = len(read)

    async def _sitemaps(self, crawl: Crawl) -> list[str]:
        """The sitemaps that exist: robots.txt's, else ``/sitemap.xml``."""
        home = self.home(crawl.home if crawl.adapter else crawl.start_url)
        robots = await crawl.robots()
        candidates = list(dict.fromkeys(robots.sitemaps)) or [urljoin(home, "sitemap.xml")]
        parse = self._parser(crawl)
        return [url for url in candidates if await crawl.listing(url, parse, probe=True)]

    def _parser(self, crawl: Crawl):
        def parse(response: FetchedPage) -> Listing:
            body = documents.gunzip(response.body, max_bytes=crawl.client.max_bytes)
            found = documents.sitemap(body)
            if found.is_index:
                return Listing(follow=[u for u in found.locations if not _TAXONOMY.search(u)])
            home = self.home(response.final_url)
            posts = (self.canonical(u) for u in found.locations if same_site(u, home))
            return Listing([p for p in posts if p and not is_listing_url(p, home)])

        return parse
