"""Any site with a sitemap, looked for where the user pointed first.

A sitemap given as the start is read as it is. For a blog in a folder
(``https://example.com/blog/``) its own ``sitemap.xml`` (or WordPress's
``wp-sitemap.xml``) comes next, then robots.txt's ``Sitemap:`` lines, then
the site root's ``/sitemap.xml``; the first of these that exists is read.
Only posts inside the blog's folder are kept (a root sitemap lists the whole
site). Sitemap indexes are followed (child sitemaps are read at once),
gzipped sitemaps inflated under the size cap. Taxonomy sitemaps
(categories, tags, authors) and listing pages (the home page, pagers,
feeds) are left out: what stays are the site's posts and articles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from waybrief.fetching import FetchedPage
from waybrief.fetching.errors import FetchError

from ..canonical import canonicalize, folder, origin, under
from ..errors import SiteUnreadable
from . import documents
from .base import Adapter, Listing, is_listing_url
from .links import looks_like_post

if TYPE_CHECKING:
    from ..engine import Crawl

#: sitemaps of taxonomies and fixed pages (Yoast's ``page-sitemap``, WordPress's ``posts-page``)
_TAXONOMY = re.compile(
    r"(categor|tag|author|user|taxonom|page-sitemap|posts-page|subtype=page|archive)", re.IGNORECASE
)
_SITEMAP_NAME = re.compile(r"\.xml(\.gz)?$", re.IGNORECASE)
#: where a blog in a folder keeps its sitemap: the usual name, then WordPress's
#: (with pretty permalinks, then plain ones)
IN_FOLDER = ("sitemap.xml", "wp-sitemap.xml", "?sitemap=index")
_SNIFF_BYTES = 64 * 1024 * 1024  # what a gzipped start page may inflate to, to be told a sitemap


class Sitemap(Adapter):
    name = "sitemap"

    def home(self, url: str) -> str:
        """Where the user pointed: a blog's folder, or a sitemap itself."""
        return canonicalize(url) or url

    def home_from(self, page: FetchedPage) -> str:
        """The folder of the blog: of a sitemap, the folder it is in; of a
        post, the whole site (its sitemap lists the others)."""
        url = canonicalize(page.final_url) or page.final_url
        if not is_sitemap(page) and looks_like_post(url):
            return origin(url) + "/"
        return folder(url)

    async def detect(self, crawl: Crawl) -> bool:
        return bool(await self._sitemaps(crawl))

    async def enumerate(self, crawl: Crawl) -> None:
        starts = await self._sitemaps(crawl)
        if not starts:
            raise SiteUnreadable(
                f"No sitemap found for {crawl.start_url}: none at "
                f"{', '.join(self._looked(crawl))}, and none that robots.txt names."
            )
        read = await crawl.walk(starts, self._parser(crawl))
        crawl.stats["sitemaps"] = len(read)

    def _blog(self, crawl: Crawl) -> str:
        """The blog's folder: the crawl's home once chosen, else (while
        detecting) what the first page says it will be."""
        if crawl.adapter is not None or crawl.first is None:
            return folder(crawl.home)
        return self.home_from(crawl.first)

    async def _sitemaps(self, crawl: Crawl) -> list[str]:
        """The sitemaps that exist, the first place that has any winning."""
        parse = self._parser(crawl)
        *pointed, at_root = self._looked(crawl)
        for url in pointed:
            if await crawl.listing(url, parse, probe=True) is not None:
                return [url]
        robots = await crawl.robots()
        named = [u for u in dict.fromkeys(robots.sitemaps)
                 if await crawl.listing(u, parse, probe=True) is not None]  # fmt: skip
        if named:
            return named
        return [at_root] if await crawl.listing(at_root, parse, probe=True) is not None else []

    def _looked(self, crawl: Crawl) -> list[str]:
        """Where a sitemap is looked for, but robots.txt: where the user
        pointed, the blog's folder, and last the site's root."""
        blog = self._blog(crawl)
        root = origin(blog) + "/"
        pointed = [crawl.start_url] if self._is_start_sitemap(crawl) else []
        if blog != root:
            pointed += [urljoin(blog, name) for name in IN_FOLDER]
        at_root = urljoin(root, "sitemap.xml")
        return [u for u in dict.fromkeys(pointed) if u != at_root] + [at_root]

    def _is_start_sitemap(self, crawl: Crawl) -> bool:
        start = crawl.start_url
        if _SITEMAP_NAME.search(urlsplit(start).path):
            return True
        if crawl.first is not None:
            return is_sitemap(crawl.first)
        return crawl.journal.recall(start) is not None  # a resumed run read it

    def _parser(self, crawl: Crawl):
        blog = self._blog(crawl)

        def parse(response: FetchedPage) -> Listing:
            body = documents.gunzip(response.body, max_bytes=crawl.client.max_bytes)
            found = documents.sitemap(body)
            if found.is_index:
                return Listing(follow=[u for u in found.locations if not _TAXONOMY.search(u)])
            posts = (self.canonical(u) for u in found.locations if under(u, blog))
            return Listing([p for p in posts if p and not is_listing_url(p, blog)])

        return parse


def is_sitemap(page: FetchedPage) -> bool:
    """Whether the page is a sitemap or sitemap index (XML or gzipped)."""
    head = page.body[:512].lstrip()
    if not (head.startswith(b"\x1f\x8b") or head.startswith(b"<?xml") or "xml" in
            page.content_type):  # fmt: skip
        return False
    try:
        documents.sitemap(documents.gunzip(page.body, max_bytes=_SNIFF_BYTES))
    except (ValueError, FetchError):
        return False
    return True
