"""The fallback for any site: follow its own links from the home page.

Only pages of the same site, only where robots.txt allows (its
``Crawl-delay`` slows the crawl further if it asks for more than the
configured delay), within a depth and a page limit. Pager links
(``/page/2``, ``?page=2``) do not count as a level, so a long archive is
still reached. A page is kept as a post when its address looks like one
(a date in the path, a numeric id, a slug of several words) or the page
says it is an article, and it is not a listing (home, categories, tags);
the page's ``<link rel=canonical>`` gives the URL kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings

from waybrief.fetching import FetchedPage

from ..canonical import canonicalize, same_site
from . import documents
from .base import Adapter, Listing, is_listing_url

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from ..engine import Crawl

MAX_PAGES = 2000
MAX_DEPTH = 6
_FILES = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|pdf|zip|gz|rar|7z|tar|mp[34]|m4a|avi|mov|wmv|flv|"
    r"docx?|xlsx?|pptx?|exe|dmg|apk|iso|css|js|json|xml|txt)$",
    re.IGNORECASE,
)
_PAGER = re.compile(r"(/page/\d+/?$)|([?&](page|paged|p|pg)=\d+$)", re.IGNORECASE)
_DATE_PATH = re.compile(r"/(19|20)\d{2}/[01]?\d/")
_NUMERIC_ID = re.compile(r"(^|[/_-])\d{3,}([./_-]|$)")
_ARTICLE_TYPES = ("blogposting", "article", "newsarticle", "posting")


class Links(Adapter):
    name = "links"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.max_pages = int(options.get("max_pages") or MAX_PAGES)
        self.max_depth = int(options.get("max_depth") or MAX_DEPTH)

    async def detect(self, crawl: Crawl) -> bool:
        return True

    async def enumerate(self, crawl: Crawl) -> None:
        robots = await crawl.robots()
        asked = robots.crawl_delay(settings.FETCH_USER_AGENT)
        politeness = crawl.client.politeness
        if asked and asked > politeness.delay:
            politeness.delay = float(asked)
        home = crawl.home

        def allowed(url: str) -> bool:
            return robots.can_fetch(url, settings.FETCH_USER_AGENT)

        def expand(url: str, listing: Listing, depth: int) -> Iterable[tuple[str, int]]:
            for link in listing.follow:
                level = depth if _PAGER.search(link) else depth + 1
                if level <= self.max_depth and allowed(link):
                    yield link, level

        read = await crawl.walk(
            [home], lambda r: self.parse(r, home=home), expand=expand, max_pages=self.max_pages
        )
        crawl.stats["pages_read"] = len(read)
        crawl.stats.setdefault("page_limit_reached", False)  # the walk sets it when reached

    def parse(self, response: FetchedPage, *, home: str) -> Listing:
        """The page itself if it is a post, and the same-site pages it links to."""
        doc = documents.html_document(response)
        if doc is None or "html" not in (response.content_type or "text/html"):
            return Listing()
        follow = []
        for link in documents.links(response, doc):
            url = self.canonical(link)
            if url and same_site(url, home) and not _FILES.search(urlsplit(url).path):
                follow.append(url)
        page = self.canonical(documents.canonical_link(response, doc) or response.final_url)
        if page and not same_site(page, home):
            page = self.canonical(response.final_url)
        posts = [page] if page and is_post(page, doc, home=home) else []
        return Listing(posts, list(dict.fromkeys(follow)))


def is_post(url: str, doc: HtmlElement, *, home: str) -> bool:
    """Whether the page at ``url`` is a post rather than a listing or a fixed page."""
    if is_listing_url(url, home):
        return False
    declared = _declared_type(doc)
    if declared is not None:
        return declared in _ARTICLE_TYPES
    return looks_like_post(url)


def looks_like_post(url: str) -> bool:
    """A post-like address: a date in the path, a numeric id, or a slug of
    three words or more (``/2024/05/a-day-out/``, ``/blog/12345``)."""
    path = urlsplit(canonicalize(url) or url).path
    slug = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return bool(_DATE_PATH.search(path) or _NUMERIC_ID.search(slug) or slug.count("-") >= 2)


def _declared_type(doc: HtmlElement) -> str | None:
    """What the page says it is: Open Graph ``og:type``, else schema.org."""
    for value in doc.xpath("//meta[@property='og:type']/@content")[:1]:
        return value.strip().lower()
    for value in doc.xpath("//*[@itemtype]/@itemtype")[:1]:
        return value.rstrip("/").rsplit("/", 1)[-1].lower()
    return None
