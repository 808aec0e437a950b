"""The one small interface every platform adapter has: detect, enumerate.

An adapter reads a blog the way its platform lays it out. It never fetches
or stores anything itself: it asks the crawl for list pages
(``crawl.listing`` / ``crawl.walk``), which fetch politely, remember what was
read (so a resumed run does not read it again) and collect the posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from courlan import is_navigation_page, is_not_crawlable

from waybrief.fetching import FetchedPage

from ..canonical import Slash, canonicalize

if TYPE_CHECKING:
    from ..engine import Crawl


@dataclass
class Listing:
    """What one list page held: posts, and further list pages it points to."""

    posts: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)


Parse = Callable[[FetchedPage], Listing]


class Adapter:
    """Base class; subclasses set ``name`` and implement detect/enumerate."""

    name: ClassVar[str] = ""
    #: how the platform treats a trailing slash: the same page ("add"/"strip") or not ("keep")
    slash: ClassVar[Slash] = "keep"
    #: False for an adapter that never reads the site itself (``wayback``)
    reads_live: ClassVar[bool] = True

    def __init__(self, **options: Any) -> None:
        self.options = options

    def home(self, url: str) -> str:
        """The blog's home for a URL on it (a post URL gives its blog's home)."""
        return canonicalize(url) or url

    def home_from(self, page: FetchedPage) -> str:
        """The blog's home, from the first page read: what the page says
        (WordPress names its own home), else its address (``home``)."""
        return self.home(page.final_url)

    def canonical(self, url: str, base: str | None = None) -> str | None:
        """The one spelling of a post URL on this platform, or None to drop it."""
        return canonicalize(url, base=base, slash=self.slash)

    async def detect(self, crawl: Crawl) -> bool:
        """Whether this adapter fits the blog at ``crawl.first`` (the first page)."""
        raise NotImplementedError

    async def enumerate(self, crawl: Crawl) -> None:
        """Find every post, handing each to the crawl via list pages."""
        raise NotImplementedError


#: WordPress's "plain" permalink (and every post's shortlink): ``/?p=123`` is a post
_PLAIN_PERMALINK = re.compile(r"p=\d+")
#: query variables of list, feed, sitemap, search and API pages (WordPress's
#: plain addresses: ``?paged=2``, ``?feed=rss2``, ``?sitemap=index``, ``?cat=3``…)
_LISTING_QUERY = {"paged", "feed", "sitemap", "sitemap-stylesheet", "rest_route", "cat", "tag",
                  "s", "author"}  # fmt: skip
_NOT_POSTS = {"feed", "rss", "atom", "wp-json", "comments", "search", "xmlrpc.php", "wp-admin"}


def is_listing_url(url: str, home: str) -> bool:
    """True for a site's home, navigation, feeds and other pages that are
    not posts themselves (category and tag lists, pagers, search)."""
    lowered = url.lower().rstrip("/")
    if lowered == home.lower().rstrip("/") or lowered.count("/") <= 2:
        return True
    parts = urlsplit(lowered)
    if set(parts.path.split("/")) & _NOT_POSTS or lowered.endswith((".xml", ".xml.gz")):
        return True
    if set(parse_qs(parts.query, keep_blank_values=True)) & _LISTING_QUERY:
        return True
    if _PLAIN_PERMALINK.fullmatch(parts.query):  # courlan counts ?p=N as a pager
        return is_navigation_page(urlsplit(url)._replace(query="").geturl())
    return is_navigation_page(url) or is_not_crawlable(url)
