"""Sites whose sitemaps, redirects and feeds set crawler traps: endless
sitemap chains, redirect loops, sitemaps that include each other, huge feeds
(endless up to ``ENDLESS`` pages, as in ``trap_pagers``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.support.http import LocalServer, Reply, Request
from tests.support.sites.static import LinksSite
from tests.support.sites.trap_pagers import ENDLESS

_HTML = {"Content-Type": "text/html; charset=utf-8"}
_XML = {"Content-Type": "application/xml"}
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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
