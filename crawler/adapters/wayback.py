"""A blog's posts as the Archive captured them: enumeration from the CDX index.

For a blog that is gone (or cannot be read) the Archive's own index is
the only list left. Captured URLs go through the same canonicalization as
the live adapters, so a Xuite post captured as ``{id}`` and as
``{id}-{title}`` is one post, and list, category and feed pages are not
posts. Each CDX page read is journalled with its resume key as what it
"points to", so a stopped run resumes from the page it had reached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import anyio
from django.conf import settings

from wayback import WaybackError
from wayback.cdx import CdxReader
from wayback.errors import Blocked

from ..canonical import canonicalize, same_site
from ..errors import SiteUnreadable
from .base import Adapter, Listing, is_listing_url
from .xuite import Xuite, _Matcher, desktop, mobile_home

if TYPE_CHECKING:
    from ..engine import Crawl


def is_xuite(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "xuite.net" or host.endswith(".xuite.net")


def capture_homes(home: str, shape: str = "") -> list[str]:
    """Every prefix the index holds a blog's captures under: its home, and
    for a Xuite blog its mobile address too (``m.xuite.net/blog/{uid}/{blog}``,
    which ``post_shape`` maps to the same posts)."""
    if shape == "xuite" or is_xuite(home):
        return [home, *[m for m in [mobile_home(home)] if m]]
    return [home]


def post_shape(home: str, shape: str = "") -> Callable[[str], str | None]:
    """Maps a captured URL to the post it is (canonical, as the live adapter
    ``shape`` spells it), or None for anything that is not a post."""
    xuite = shape == "xuite" or is_xuite(home)
    matcher = _Matcher(home) if xuite else None
    home_parts = urlsplit(home)
    path = home_parts.path.rstrip("/") + "/"

    def as_home_spells(url: str) -> str:
        """The index's key is lower-cased, so it answers a query for
        ``/Heartland/Hills/*`` with captures of ``/heartland/hills/…`` too:
        those are under the home, spelled as the home spells it."""
        parts = urlsplit(url)
        if (parts.path.lower() + "/").startswith(path.lower()):
            return urlunsplit(parts._replace(path=path[:-1] + parts.path[len(path) - 1 :]))
        return url

    def post(original: str) -> str | None:
        if xuite:  # m.xuite.net/blog/{uid}/{blog}/{id} is blog.xuite.net/{uid}/{blog}/{id}
            original = desktop(original)
        if not same_site(original, home):
            return None
        # The index holds http and https, www. and not, alike: spell it as the home.
        url = as_home_spells(urlunsplit((home_parts.scheme, home_parts.netloc,
                                         *urlsplit(original)[2:])))  # fmt: skip
        if matcher is not None:
            return matcher.read(url)[0]
        url = canonicalize(url, slash="keep")
        if url is None or not (urlsplit(url).path + "/").startswith(path):
            return None
        return None if is_listing_url(url, home) else url

    return post


class Wayback(Adapter):
    """Never detected from a page (there may be none); chosen by name, or
    by the crawl when the live site cannot be read (``fallback`` says why)."""

    name = "wayback"
    reads_live = False

    def __init__(self, shape: str = "", fallback: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.shape = shape
        self.fallback = fallback

    def home(self, url: str) -> str:
        if self.shape == "xuite" or is_xuite(url):
            return Xuite().home(url)
        return canonicalize(url) or url

    async def detect(self, crawl: Crawl) -> bool:
        return False

    async def enumerate(self, crawl: Crawl) -> None:
        reader = CdxReader()
        post = post_shape(crawl.home, self.shape)
        try:
            pages = await self._read_all(crawl, reader, post)
        except Blocked as exc:  # the site is excluded: nothing to resume or retry
            reason = f"{self.fallback}; and {exc}" if self.fallback else str(exc)
            raise SiteUnreadable(reason) from None
        except WaybackError as exc:
            if self.fallback:
                raise SiteUnreadable(
                    f"{self.fallback}; and the Archive's index could not be read: {exc}"
                ) from None
            crawl.journal.failed(f"{settings.WAYBACK_URL}/cdx/search/cdx", str(exc))
            return
        if self.fallback and not crawl.journal.known:
            raise SiteUnreadable(f"{self.fallback}; and the Archive holds no capture of its posts.")
        crawl.stats.update(cdx_pages=pages, cdx_requests=reader.requests)
        if self.fallback:
            crawl.stats["fallback"] = self.fallback

    async def _read_all(self, crawl: Crawl, reader: CdxReader, post) -> int:
        """Every CDX page under the home, then under its mobile address
        (a Xuite blog's posts were captured under both)."""
        pages = 0
        for home in capture_homes(crawl.home, self.shape):
            pages += await self._read_prefix(crawl, reader, post, home)
        return pages

    async def _read_prefix(self, crawl: Crawl, reader: CdxReader, post, home: str) -> int:
        key, pages = "", 0
        while True:
            page_key = _page_key(home, key)
            listing = crawl.journal.recall(page_key)
            if listing is None:
                rows, next_key = await anyio.to_thread.run_sync(
                    lambda k=key: reader.page(home, collapse=True, resume_key=k)
                )
                found = (post(row.get("original", "")) for row in rows)
                posts = list(dict.fromkeys(p for p in found if p))
                listing = Listing(posts, [next_key] if next_key else [])
                crawl.journal.fetched()
                crawl.found(listing.posts)
                crawl.journal.page_done(page_key, listing)
            else:
                crawl.found(listing.posts)
            pages += 1
            if not listing.follow:
                return pages
            key = listing.follow[0]


def _page_key(home: str, resume_key: str) -> str:
    """How a CDX page is named in the run's journal."""
    query = urlencode({"url": home, "collapse": "urlkey", "resumeKey": resume_key})
    return f"{settings.WAYBACK_URL}/cdx/search/cdx?{query}"
