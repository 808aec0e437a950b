"""Sites with no platform to recognise: one that has only a sitemap, one
that has only links (and a robots.txt that keeps a folder out)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from tests.support.http import LocalServer, Reply

_HTML = {"Content-Type": "text/html; charset=utf-8"}
_XML = {"Content-Type": "application/xml"}
HIDDEN = "/2019/12/the-hidden-post/"


def _urlset(urls) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>2024-01-01</lastmod></url>" for url in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
            f"{entries}</urlset>").encode()  # fmt: skip


@dataclass
class SitemapSite:
    """robots.txt names a sitemap index; the posts sit in a gzipped child.

    With ``folder`` (``/blog``) the site lives in a subfolder and its root
    answers 404. ``in_folder``: the index is ``{folder}/sitemap.xml`` (as
    Hugo or Jekyll write it under their base URL) and there is no
    robots.txt; else only the root's robots.txt names an index, at the root,
    whose posts sitemap lists the shop next door too.
    """

    server: LocalServer
    posts: int = 120
    folder: str = ""
    in_folder: bool = True

    def __post_init__(self) -> None:
        base = self.base = self.server.base
        home = self.home = f"{base}{self.folder}/"
        self.server.route(f"{self.folder}/", Reply(200, b"<html><body><h1>Notes</h1></body></html>",
                                                   _HTML))  # fmt: skip
        at = self.folder if self.folder and self.in_folder else ""
        index_path = f"{at}/sitemap.xml" if at else "/sitemap_index.xml"
        if not at:
            self.server.route("/robots.txt", Reply(200, (
                f"User-agent: *\nDisallow: /drafts/\n\nSitemap: {base}{index_path}\n"
            ).encode()))  # fmt: skip
        index = "".join(
            f"<sitemap><loc>{base}{at}/{name}</loc></sitemap>"
            for name in ("sitemap-posts.xml.gz", "sitemap-tags.xml")
        )
        self.server.route(index_path, Reply(200, (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{index}</sitemapindex>").encode(), _XML))  # fmt: skip
        listed = [home, f"{home}tag/travel/", *sorted(self.expected)]
        if self.folder and not at:
            listed += [f"{base}/shop/2024/05/a-blue-teapot-for-sale.html", f"{base}/shop/"]
        self.server.route(f"{at}/sitemap-posts.xml.gz",
                          Reply(200, gzip.compress(_urlset(listed)),
                                {"Content-Type": "application/x-gzip"}))  # fmt: skip
        self.server.route(f"{at}/sitemap-tags.xml", Reply(200, _urlset([f"{home}tag/food/"]), _XML))

    @property
    def expected(self) -> set[str]:
        return {f"{self.home}notes/{n:04d}-a-note-on-things.html" for n in range(self.posts)}


@dataclass
class LinksSite:
    """Posts reachable only by links: a paged archive, tags, an about page,
    and a /private/ folder that robots.txt disallows."""

    server: LocalServer
    posts: int = 25
    per_page: int = 10

    def __post_init__(self) -> None:
        base = self.base = self.server.base
        self.server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"))
        pages = -(-self.posts // self.per_page)
        for page in range(1, pages + 1):
            path = "/" if page == 1 else f"/page/{page}/"
            self.server.route(path, Reply(200, self._archive(page, pages), _HTML))
        for number in range(self.posts):
            self.server.route(self.post_path(number), Reply(200, self._post(number), _HTML))
        self.server.route("/about/", Reply(200, _page("About me", "website"), _HTML))
        self.server.route("/tag/travel/", Reply(200, _page("Travel", "website", [
            f"{base}{self.post_path(0)}"]), _HTML))  # fmt: skip
        self.server.route("/private/secret-trip-notes/", Reply(200, _page("x", "article"), _HTML))
        # A post linked only by its shortlink, which redirects to it.
        self.server.route("/?p=99", Reply(301, headers={"Location": f"{base}{HIDDEN}"}))
        self.server.route(HIDDEN, Reply(200, self._post(0).replace(
            self.post_path(0).encode(), HIDDEN.encode()), _HTML))  # fmt: skip

    def post_path(self, number: int) -> str:
        return f"/{2020 + number % 4}/{1 + number % 12:02d}/a-trip-to-place-{number}/"

    @property
    def expected(self) -> set[str]:
        return {f"{self.base}{self.post_path(n)}" for n in range(self.posts)} | {self.base + HIDDEN}

    def _archive(self, page: int, pages: int) -> bytes:
        first = (page - 1) * self.per_page
        numbers = range(first, min(first + self.per_page, self.posts))
        # Post links carry tracking parameters and fragments now and then.
        items = "".join(
            f'<li><a href="{self.post_path(n)}{"?utm_source=feed" if n % 3 == 0 else ""}">'
            f'post {n}</a> <a href="{self.post_path(n)}#comments">comments</a></li>'
            for n in numbers
        )
        older = f'<a href="/page/{page + 1}/">Older posts</a>' if page < pages else ""
        return f"""<!DOCTYPE html><html><head><title>Travels</title>
<meta property="og:type" content="website"></head><body>
<nav><a href="/">Home</a> <a href="/about/">About</a> <a href="/tag/travel/">Travel</a>
<a href="/private/secret-trip-notes/">Private</a> <a href="/?p=99">shortlink</a>
<a href="mailto:me@example.org">mail</a> <a href="/files/map.pdf">map</a>
<a href="http://127.0.0.2:9/elsewhere/2020/01/another-site-post/">elsewhere</a></nav>
<ul>{items}</ul>{older}</body></html>""".encode()

    def _post(self, number: int) -> bytes:
        sibling = self.post_path((number + 1) % self.posts)
        return f"""<!DOCTYPE html><html><head><title>Post {number}</title>
<meta property="og:type" content="article">
<link rel="canonical" href="{self.base}{self.post_path(number)}"></head>
<body><article><h1>Post {number}</h1><p>…</p></article>
<a href="{sibling}">next</a> <a href="/">home</a></body></html>""".encode()


def _page(title: str, kind: str, links: list[str] | None = None) -> bytes:
    anchors = "".join(f'<a href="{link}">x</a>' for link in links or [])
    return (f'<html><head><title>{title}</title><meta property="og:type" content="{kind}">'
            f"</head><body>{anchors}</body></html>").encode()  # fmt: skip
