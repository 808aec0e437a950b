"""Blogs that set crawler traps: pagers that loop back, calendars and pagers
that never end, redirect loops, sitemaps that include each other, huge feeds.

Most are the usual stand-ins with one thing changed, so what a crawler
should find stays what the plain stand-in says (``expected``). Every
endless trap is endless only up to ``ENDLESS`` pages: a crawler that falls
into one still ends, and the test sees from the hit counts that it fell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.crawler.sites.blogger import BloggerBlog
from tests.crawler.sites.static import LinksSite
from tests.crawler.sites.wordpress import WordPressSite
from tests.crawler.sites.xuite import XuiteBlog
from tests.support.http import LocalServer, Reply, Request

#: how far an "endless" trap goes before the stand-in gives up (404)
ENDLESS = 3000
_HTML = {"Content-Type": "text/html; charset=utf-8"}
_XML = {"Content-Type": "application/xml"}
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


# --- pagers that loop back --------------------------------------------------


@dataclass
class LoopingLinksSite(LinksSite):
    """A links-only blog whose last archive page's "Older posts" goes back to page 2."""

    loop_to: int = 2

    @property
    def archive_paths(self) -> list[str]:
        pages = -(-self.posts // self.per_page)
        return ["/", *(f"/page/{n}/" for n in range(2, pages + 1))]

    def _archive(self, page: int, pages: int) -> bytes:
        html = super()._archive(page, pages)
        if page < pages:
            return html
        older = f'<a href="/page/{self.loop_to}/">Older posts</a>'
        return html.replace(b"</ul>", b"</ul>" + older.encode())


@dataclass
class LoopingXuiteBlog(XuiteBlog):
    """A Xuite blog whose pager shows no page numbers, only previous/next,
    and whose last page's "next" goes back to page 2."""

    loop_to: int = 2

    def _pager(self, page: int) -> str:
        def link(number: int, label: str) -> str:
            return f'<a href="{self.home}?&amp;p={number}">{label}</a>'

        parts = [f'<a href="{self.home}">第一頁</a>'] if page > 1 else []
        if page > 1:
            parts.append(link(page - 1, "上一頁"))
        parts.append(link(page + 1 if page < self.pages else self.loop_to, "下一頁"))
        return " ".join(parts)


@dataclass
class LoopingBloggerBlog(BloggerBlog):
    """A Blogger blog answering only Atom, whose last feed page's ``next``
    goes back to the second page."""

    json: bool = False
    loop_to_start: int = 0  # 0: the second page

    def _atom(self, numbers: range, start: int, size: int) -> Reply:
        reply = super()._atom(numbers, start, size)
        if start + size <= self.posts:
            return reply
        back = self.loop_to_start or 1 + size
        more = (f'<link rel="next" href="{self.base}/feeds/posts/default?start-index={back}'
                f'&amp;max-results={size}"/>')  # fmt: skip
        return Reply(reply.status, reply.body.replace(b"</title>", b"</title>" + more.encode(), 1),
                     reply.headers)  # fmt: skip


@dataclass
class EchoingWordPressSite(WordPressSite):
    """A WordPress site with only its feeds on, whose ``/feed/?paged=N`` past
    the last page shows page ``echo`` again instead of answering 404 (as a
    caching plugin that ignores ``paged`` does)."""

    rest: bool = False
    sitemap: bool = False
    echo: int = 2

    def _feed(self, request: Request) -> Reply:
        page = int(parse_qs(urlsplit(request.path).query).get("paged", ["1"])[0])
        if (page - 1) * self.feed_per_page >= self.posts and page < ENDLESS:
            request = Request(f"/feed/?paged={self.echo}", request.headers, request.body)
        return super()._feed(request)

    @property
    def feed_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.server.hits.items() if p.startswith("/feed/")})


# --- feeds --------------------------------------------------------------------


@dataclass
class PagedFeed:
    """An Atom feed at ``/atom.xml?page=N`` advertised by the home page.

    ``pages`` pages of ``per_page`` posts; the last page's ``next`` goes to
    ``loop_to`` if set. With ``endless``, every page links to the next one
    forever: past the real pages, each repeats ``echo`` (0: no entries).
    """

    server: LocalServer
    posts: int = 45
    per_page: int = 10
    loop_to: int = 0
    endless: bool = False
    echo: int = 0
    generator: str = ""

    def __post_init__(self) -> None:
        self.base = self.server.base
        home = (b'<html><head><link rel="alternate" type="application/atom+xml" '
                b'href="/atom.xml"></head><body><h1>Notes</h1></body></html>')  # fmt: skip
        self.server.route("/", Reply(200, home, _HTML))
        self.server.route("/atom.xml", self._feed)

    @property
    def pages(self) -> int:
        return -(-self.posts // self.per_page)

    def post_url(self, number: int) -> str:
        return f"{self.base}/notes/{number}-a-note.html"

    @property
    def expected(self) -> set[str]:
        return {self.post_url(n) for n in range(self.posts)}

    def page_path(self, number: int) -> str:
        return "/atom.xml" if number == 1 else f"/atom.xml?page={number}"

    @property
    def feed_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.server.hits.items() if p.startswith("/atom.xml")})

    def _feed(self, request: Request) -> Reply:
        number = int(parse_qs(urlsplit(request.path).query).get("page", ["1"])[0])
        if number >= ENDLESS:
            return Reply(404, b"not found")
        shown = number if number <= self.pages else self.echo
        first = (shown - 1) * self.per_page
        numbers = range(first, min(first + self.per_page, self.posts)) if shown else range(0)
        entries = "".join(
            f'<entry><title>{n}</title><link rel="alternate" href="{self.post_url(n)}"/></entry>'
            for n in numbers
        )
        following = number + 1 if number < self.pages or self.endless else self.loop_to
        more = ""
        if following:
            more = f'<link rel="next" href="{self.base}{self.page_path(following)}"/>'
        made_by = f"<generator>{escape(self.generator)}</generator>" if self.generator else ""
        body = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>n</title>'
                f"{made_by}{more}{entries}</feed>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/atom+xml"})
