"""WordPress: the REST API and the core sitemap together, feeds as a fallback.

``/wp-json/wp/v2/posts?per_page=100&page=N`` says how many pages there are
(``X-WP-TotalPages``), so pages 2..N are read at once. ``/wp-sitemap.xml``
(WordPress 5.5+) lists posts in ``wp-sitemap-posts-post-N.xml``. Both are
read at the same time and cross-checked; either may be switched off by a
plugin. When both are, ``/feed/?paged=N`` is walked a few pages ahead at a
time until a page comes back missing, empty, or with only posts already
seen (a cache that ignores ``paged`` shows the same page for every N).

A blog in a folder (``example.com/blog/``) has all of these under it. With
"plain" permalinks (a fresh install's: posts ``?p=123``) they are
``index.php?rest_route=/wp/v2/posts``, ``?sitemap=index`` and
``?feed=rss2&paged=N``, the addresses ``get_rest_url`` and
``WP_Sitemaps`` make. The blog's home is the one its pages name in their
REST API link (``<link rel="https://api.w.org/">``, or the same ``Link``
header), so a crawl started at a post or at the sitemap reads the whole blog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import anyio

from waybrief.fetching import FetchedPage

from ..canonical import canonicalize, same_site
from . import documents
from .base import Adapter, Listing

if TYPE_CHECKING:
    from ..engine import Crawl

#: signs on a page (or a core sitemap: its stylesheet) that WordPress made it
_MARKERS = ("/wp-content/", "/wp-includes/", "https://api.w.org/", 'content="wordpress',
            "wp-sitemap", "?sitemap-stylesheet=")  # fmt: skip
_POST_SITEMAP = re.compile(r"wp-sitemap-posts-post-\d+\.xml$")
_API_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?', re.IGNORECASE)
#: what follows a blog's home in the addresses WordPress makes under it (its
#: sitemaps and a plugin's, ``index.php``, ``xmlrpc.php``, the REST API, feeds, pagers)
_UNDER_HOME = re.compile(
    r"/(?:[^/]+\.(?:xml|xml\.gz|php)|wp-json(?:/.*)?|feed/?|"
    r"wp-(?:content|includes|admin)(?:/.*)?|page/\d+/?)$"
)
PER_PAGE = 100


class WordPress(Adapter):
    name = "wordpress"
    slash = "add"  # WordPress redirects /slug to /slug/

    def home(self, url: str) -> str:
        parts = urlsplit(canonicalize(url, slash="add") or url)
        path = _UNDER_HOME.sub("/", parts.path) or "/"
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def home_from(self, page: FetchedPage) -> str:
        root = _api_link(page)
        if root and same_site(root, page.final_url):
            return self.home(root)
        return self.home(page.final_url)

    async def detect(self, crawl: Crawl) -> bool:
        host = (urlsplit(crawl.start_url).hostname or "").lower()
        if host.endswith(".wordpress.com"):
            return True
        if crawl.first is None:
            return False
        if _API_LINK.search(crawl.first.headers.get("link", "")):
            return True
        text = crawl.first.text.lower()
        return any(marker in text for marker in _MARKERS)

    async def enumerate(self, crawl: Crawl) -> None:
        counts: dict[str, int] = {}

        async def count(source: str, read) -> None:
            counts[source] = await read(crawl)

        async with anyio.create_task_group() as group:
            group.start_soon(count, "rest", self._rest)
            group.start_soon(count, "sitemap", self._sitemap)
        if not any(counts.values()):
            counts["feed"] = await self._feed(crawl)
        crawl.stats.update({f"{source}_posts": n for source, n in counts.items()})

    # --- REST API ---------------------------------------------------------
    def _api_root(self, crawl: Crawl) -> str:
        root = _api_link(crawl.first) if crawl.first is not None else None
        return root or urljoin(crawl.home, "wp-json/")

    def _rest_url(self, root: str, page: int) -> str:
        query = f"per_page={PER_PAGE}&page={page}&_fields=link"
        parts = urlsplit(root)
        if "rest_route" in parse_qs(parts.query):  # plain permalinks
            return urlunsplit(parts._replace(query=f"rest_route=/wp/v2/posts&{query}"))
        return urljoin(root, f"wp/v2/posts?{query}")

    async def _rest(self, crawl: Crawl) -> int:
        root = self._api_root(crawl)
        first = self._rest_url(root, 1)

        def parse(response: FetchedPage) -> Listing:
            items = response.json()
            if not isinstance(items, list):
                raise ValueError("the REST API did not answer with a list of posts")
            links = [item.get("link") for item in items if isinstance(item, dict)]
            posts = [self._post(crawl, link) for link in links]
            follow = []
            if parse_qs(urlsplit(response.url).query).get("page") == ["1"]:
                total = int(response.headers.get("x-wp-totalpages", "1") or 1)
                follow = [self._rest_url(root, n) for n in range(2, total + 1)]
            return Listing([p for p in posts if p], follow)

        if await crawl.listing(first, parse, probe=True) is None:
            return 0
        return _posts_of(crawl, await crawl.walk([first], parse))

    # --- core sitemap -----------------------------------------------------
    async def _sitemap(self, crawl: Crawl) -> int:
        def parse(response: FetchedPage) -> Listing:
            body = documents.gunzip(response.body, max_bytes=crawl.client.max_bytes)
            found = documents.sitemap(body)
            if found.is_index:
                return Listing(follow=[u for u in found.locations if _is_post_sitemap(u)])
            return Listing([p for u in found.locations if (p := self._post(crawl, u))])

        # pretty permalinks' index, then plain permalinks' (a start at either is read first)
        candidates = [urljoin(crawl.home, "wp-sitemap.xml"), f"{crawl.home}?sitemap=index"]
        if crawl.first is not None and _is_core_sitemap(crawl.first.final_url):
            candidates.insert(0, crawl.first.final_url)
        for index in dict.fromkeys(candidates):
            if await crawl.listing(index, parse, probe=True) is not None:
                return _posts_of(crawl, await crawl.walk([index], parse))
        return 0

    # --- feeds ------------------------------------------------------------
    def _feed_url(self, home: str, page: int, *, plain: bool) -> str:
        if plain:
            return f"{home}?feed=rss2" if page == 1 else f"{home}?feed=rss2&paged={page}"
        return urljoin(home, "feed/" if page == 1 else f"feed/?paged={page}")

    async def _feed(self, crawl: Crawl) -> int:
        ahead = max(1, crawl.client.politeness.concurrency)

        def parse(response: FetchedPage) -> Listing:
            entries = documents.feed(response).entries
            return Listing([p for u in entries if (p := self._post(crawl, u))])

        for plain in (False, True):  # /feed/, else ?feed=rss2

            def expand(url: str, listing: Listing, depth: int, plain=plain):
                page = int(parse_qs(urlsplit(url).query).get("paged", ["1"])[0])
                pages = range(page + 1, page + 1 + ahead)
                return [(self._feed_url(crawl.home, n, plain=plain), depth + 1) for n in pages]

            start = self._feed_url(crawl.home, 1, plain=plain)
            if await crawl.listing(start, parse, probe=True) is None:
                continue
            read = await crawl.walk([start], parse, expand=expand, probe=True, until_stale=True)
            return _posts_of(crawl, read)
        return 0

    def _post(self, crawl: Crawl, url: object) -> str | None:
        if not isinstance(url, str) or not same_site(url, crawl.home):
            return None
        return self.canonical(url)


def _api_link(page: FetchedPage) -> str | None:
    """The REST API root a WordPress page names: ``…/wp-json/``, or
    ``…/index.php?rest_route=/`` with plain permalinks."""
    if match := _API_LINK.search(page.headers.get("link", "")):
        return urljoin(page.final_url, match.group(1).strip())
    if "api.w.org" not in page.text:
        return None
    doc = documents.html_document(page)
    hrefs = doc.xpath("//link[@rel='https://api.w.org/']/@href") if doc is not None else []
    return urljoin(page.final_url, hrefs[0].strip()) if hrefs else None


def _is_core_sitemap(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.endswith("/wp-sitemap.xml") or (
        parse_qs(parts.query).get("sitemap") == ["index"])


def _is_post_sitemap(url: str) -> bool:
    """``wp-sitemap-posts-post-N.xml``, or ``?sitemap=posts&sitemap-subtype=post&paged=N``."""
    query = parse_qs(urlsplit(url).query)
    if query.get("sitemap") == ["posts"]:
        return query.get("sitemap-subtype") == ["post"]
    return bool(_POST_SITEMAP.search(urlsplit(url).path))


def _posts_of(crawl: Crawl, pages: Iterable[str]) -> int:
    """How many distinct posts the given (read) pages held."""
    posts: set[str] = set()
    for url in pages:
        if (listing := crawl.journal.recall(url)) is not None:
            posts.update(listing.posts)
    return len(posts)
