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


@dataclass
class EndlessSitemaps:
    """robots.txt names ``/sitemap.xml``, an index of the posts' sitemap and
    of ``/sitemap.xml?n=2``, an index of ``?n=3``, and so on for ever."""

    server: LocalServer
    posts: int = 30

    def __post_init__(self) -> None:
        base = self.base = self.server.base
        self.server.route("/", Reply(200, b"<html><body><h1>Notes</h1></body></html>", _HTML))
        self.server.route("/robots.txt", Reply(200, f"Sitemap: {base}/sitemap.xml\n".encode()))
        self.server.route("/sitemap.xml", self._index)
        self.server.route("/sitemap-posts.xml", Reply(200, urlset(sorted(self.expected)), _XML))

    @property
    def expected(self) -> set[str]:
        return {f"{self.base}/notes/{n:04d}-a-note-on-things.html" for n in range(self.posts)}

    def _index(self, request: Request) -> Reply:
        number = int(parse_qs(urlsplit(request.path).query).get("n", ["1"])[0])
        children = [f"{self.base}/sitemap.xml?n={number + 1}"] if number < ENDLESS else []
        if number == 1:
            children.insert(0, f"{self.base}/sitemap-posts.xml")
        return Reply(200, sitemap_index(children), _XML)

    @property
    def index_hits(self) -> int:
        return sum(n for path, n in self.server.hits.items() if path.startswith("/sitemap.xml"))


def urlset(urls) -> bytes:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>" for url in urls)
    return f'<?xml version="1.0"?><urlset xmlns="{_NS}">{entries}</urlset>'.encode()


def sitemap_index(urls) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="{_NS}">{entries}</sitemapindex>'.encode()


# --- redirect loops -------------------------------------------------------------


def redirect(to: str, status: int = 301) -> Reply:
    return Reply(status, b"", {"Location": to})


def loop(server: LocalServer, path: str, *, via: str | None = None) -> None:
    """Make ``path`` redirect to itself, or (``via``) to ``via``, which redirects back."""
    if via is None:
        server.route(path, redirect(path))
    else:
        server.route(path, redirect(via, 302))
        server.route(via, redirect(path, 302))


@dataclass
class RedirectLoopLinksSite(LinksSite):
    """A links-only blog where post 5 redirects to itself and the archive's
    last page (3) redirects to ``/page/3/?from=old``, which redirects back.
    Posts 20-24 are still reached through each post's link to the next."""

    looping_post: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        loop(self.server, self.post_path(self.looping_post))
        loop(self.server, "/page/3/", via="/page/3/?from=old")

    @property
    def reachable(self) -> set[str]:
        return self.expected - {self.base + self.post_path(self.looping_post)}


@dataclass
class RedirectLoopSitemaps:
    """robots.txt names a sitemap index listing the posts' sitemap, one that
    redirects to itself and one that redirects to another, which redirects
    back; with ``index_loops``, the index itself redirects to itself."""

    server: LocalServer
    posts: int = 30
    index_loops: bool = False

    def __post_init__(self) -> None:
        base = self.base = self.server.base
        self.server.route("/", Reply(200, b"<html><body><h1>Notes</h1></body></html>", _HTML))
        robots = f"Sitemap: {base}/sitemap_index.xml\n".encode()
        self.server.route("/robots.txt", Reply(200, robots))
        children = [f"{base}/{name}" for name in ("sitemap-posts.xml", "sitemap-self.xml",
                                                  "sitemap-a.xml")]  # fmt: skip
        self.server.route("/sitemap_index.xml", Reply(200, sitemap_index(children), _XML))
        self.server.route("/sitemap-posts.xml", Reply(200, urlset(sorted(self.expected)), _XML))
        loop(self.server, "/sitemap-self.xml")
        loop(self.server, "/sitemap-a.xml", via="/sitemap-b.xml")
        if self.index_loops:
            loop(self.server, "/sitemap_index.xml")

    @property
    def expected(self) -> set[str]:
        return {f"{self.base}/notes/{n:04d}-a-note-on-things.html" for n in range(self.posts)}


# --- sitemaps that include each other ----------------------------------------------


@dataclass
class CrossSitemaps:
    """Sitemap indexes that include each other (or themselves), by name:
    ``indexes`` maps an index's name to the names it lists; robots.txt names
    ``robots``. ``posts-1.xml`` and ``posts-2.xml`` list posts 0-19 and
    10-29: ten posts are in both."""

    server: LocalServer
    robots: tuple[str, ...]
    indexes: dict[str, tuple[str, ...]]

    def __post_init__(self) -> None:
        base = self.base = self.server.base
        self.server.route("/", Reply(200, b"<html><body><h1>Notes</h1></body></html>", _HTML))
        lines = "".join(f"Sitemap: {base}/{name}\n" for name in self.robots)
        self.server.route("/robots.txt", Reply(200, lines.encode()))
        for name, listed in self.indexes.items():
            body = sitemap_index(f"{base}/{child}" for child in listed)
            self.server.route(f"/{name}", Reply(200, body, _XML))
        for name, numbers in (("posts-1.xml", range(0, 20)), ("posts-2.xml", range(10, 30))):
            self.server.route(f"/{name}", Reply(200, urlset(self.post(n) for n in numbers), _XML))

    def post(self, number: int) -> str:
        return f"{self.base}/notes/{number:04d}-a-note-on-things.html"

    @property
    def expected(self) -> set[str]:
        return {self.post(n) for n in range(30)}

    @property
    def sitemaps(self) -> set[str]:
        return {f"/{name}" for name in self.indexes} | {"/posts-1.xml", "/posts-2.xml"}


# --- a huge feed -------------------------------------------------------------------


@dataclass
class HugeFeed:
    """A blog whose one feed (RSS 2.0 or Atom, not paged) holds every post,
    each with a short summary; the home page advertises it."""

    server: LocalServer
    posts: int = 10_000
    kind: str = "rss"  # or "atom"

    def __post_init__(self) -> None:
        self.base = self.server.base
        kind = "application/rss+xml" if self.kind == "rss" else "application/atom+xml"
        home = (f'<html><head><link rel="alternate" type="{kind}" href="/feed.xml"></head>'
                "<body><h1>Notes</h1></body></html>")  # fmt: skip
        self.server.route("/", Reply(200, home.encode(), _HTML))
        self.body = self._rss() if self.kind == "rss" else self._atom()
        self.server.route("/feed.xml", Reply(200, self.body, {"Content-Type": kind}))

    def post(self, number: int) -> str:
        return f"{self.base}/{2000 + number // 1000}/{1 + number % 12:02d}/note-{number}.html"

    @property
    def expected(self) -> set[str]:
        return {self.post(n) for n in range(self.posts)}

    def _summary(self, number: int) -> str:
        return escape(f"Note {number}: a few lines on what happened that day & after. " * 2)

    def _rss(self) -> bytes:
        items = "".join(
            f"<item><title>Note {n}</title><link>{self.post(n)}</link><guid>{self.post(n)}</guid>"
            f"<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
            f"<description>{self._summary(n)}</description></item>"
            for n in range(self.posts)
        )
        channel = f"<title>Notes</title><link>{self.base}/</link>{items}"
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'.encode()
        )

    def _atom(self) -> bytes:
        entries = "".join(
            f'<entry><title>Note {n}</title><link rel="alternate" href="{self.post(n)}"/>'
            f"<id>{self.post(n)}</id><updated>2024-01-01T00:00:00Z</updated>"
            f"<summary>{self._summary(n)}</summary></entry>"
            for n in range(self.posts)
        )
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Notes</title><id>{self.base}/</id>{entries}</feed>").encode()  # fmt: skip
