"""Blogs whose pagers and calendars set crawler traps: pagers that loop back,
and calendars and pagers that never end.

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

from tests.support.http import LocalServer, Reply, Request
from tests.support.sites.blogger import BloggerBlog
from tests.support.sites.static import LinksSite
from tests.support.sites.wordpress import WordPressSite
from tests.support.sites.xuite import XuiteBlog

#: how far an "endless" trap goes before the stand-in gives up (404)
ENDLESS = 3000
_HTML = {"Content-Type": "text/html; charset=utf-8"}


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
    and whose last page's "next" goes back to page ``loop_to``."""

    loop_to: int = 2

    def next_page(self, page: int) -> int | None:
        return page + 1 if page < self.pages else self.loop_to

    def _pager(self, page: int) -> str:
        def link(number: int, label: str) -> str:
            return f'<a href="{self.home}?&amp;p={number}">{label}</a>'

        parts = [f'<a href="{self.home}">第一頁</a>', link(page - 1, "上一頁")] if page > 1 else []
        if (following := self.next_page(page)) is not None:
            parts.append(link(following, "下一頁"))
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


# --- pagers and calendars that never end ---------------------------------------


@dataclass
class EndlessArchiveSite(LinksSite):
    """A links-only blog whose archive pager runs on past its last page:
    ``/page/N/`` answers for every N, empty, with an "Older posts" link."""

    def __post_init__(self) -> None:
        super().__post_init__()
        pages = -(-self.posts // self.per_page)
        for number in range(pages + 1, ENDLESS):
            self.server.route(f"/page/{number}/", self._empty)

    def _archive(self, page: int, pages: int) -> bytes:
        html = super()._archive(page, pages)
        if page < pages:
            return html
        return html.replace(b"</ul>", f'</ul><a href="/page/{page + 1}/">Older posts</a>'.encode())

    def _empty(self, request: Request) -> Reply:
        number = int(request.path.strip("/").rsplit("/", 1)[1])
        body = (f'<html><head><meta property="og:type" content="website"></head><body>'
                f'<a href="/">Home</a><p>No posts here.</p>'
                f'<a href="/page/{number + 1}/">Older posts</a></body></html>')  # fmt: skip
        return Reply(200, body.encode(), _HTML)

    @property
    def pager_hits(self) -> int:
        return sum(n for path, n in self.server.hits.items() if path.startswith("/page/"))


@dataclass
class CalendarSite(LinksSite):
    """A links-only blog with a calendar: the home links to this month's
    page, and each month's page links to the month before and after, for
    ever, and to the same few posts again."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for month in range(ENDLESS):
            self.server.route(self.month_path(month), self._month)

    def month_path(self, month: int) -> str:
        return f"/calendar/{2000 + month // 12}/{1 + month % 12:02d}/"

    def _archive(self, page: int, pages: int) -> bytes:
        html = super()._archive(page, pages)
        widget = f'<a href="{self.month_path(ENDLESS // 2)}">Calendar</a>'
        return html.replace(b"</ul>", b"</ul>" + widget.encode())

    def _month(self, request: Request) -> Reply:
        year, month = (int(part) for part in request.path.strip("/").split("/")[1:])
        number = (year - 2000) * 12 + month - 1
        around = [self.month_path(n) for n in (number - 1, number + 1) if 0 <= n < ENDLESS]
        links = "".join(f'<a href="{path}">month</a>' for path in around)
        posts = "".join(f'<a href="{self.post_path(n)}">post</a>' for n in range(3))
        body = (f'<html><head><meta property="og:type" content="website"></head><body>'
                f"<h1>{year}-{month:02d}</h1>{posts}{links}</body></html>")  # fmt: skip
        return Reply(200, body.encode(), _HTML)

    @property
    def calendar_hits(self) -> int:
        return sum(n for path, n in self.server.hits.items() if path.startswith("/calendar/"))


@dataclass
class EndlessXuiteBlog(LoopingXuiteBlog):
    """A Xuite blog whose "next" runs on past its last page: those pages list
    no posts (``echo=0``) or page ``echo``'s posts again."""

    echo: int = 0

    def next_page(self, page: int) -> int | None:
        return page + 1 if page + 1 < ENDLESS else None

    def _html(self, page: int, *, category: bool = False) -> bytes:
        if page <= self.pages or not self.echo:
            return super()._html(page, category=category)
        html = super()._html(self.echo, category=category)
        return html.replace(self._pager(self.echo).encode(), self._pager(page).encode())

    @property
    def past_the_end(self) -> int:
        """How many list pages past the last one were read."""
        numbers = [int(p.rsplit("p=", 1)[1]) for p in self.list_hits if "p=" in p]
        return sum(1 for n in numbers if n > self.pages)


@dataclass
class EndlessBloggerBlog(BloggerBlog):
    """A Blogger blog answering only Atom whose ``next`` link never stops:
    past the last post, every feed page is empty and links to the next."""

    json: bool = False

    def _atom(self, numbers: range, start: int, size: int) -> Reply:
        reply = super()._atom(numbers, start, size)
        if start + size <= self.posts or start >= ENDLESS * size:
            return reply
        more = (f'<link rel="next" href="{self.base}/feeds/posts/default?start-index='
                f'{start + size}&amp;max-results={size}"/>')  # fmt: skip
        return Reply(reply.status, reply.body.replace(b"</title>", b"</title>" + more.encode(), 1),
                     reply.headers)  # fmt: skip
