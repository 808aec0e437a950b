"""A WordPress-shaped site: REST API, core sitemap (5.5+), paged feeds.

Each source can be switched off (answering 404, as when a plugin disables
it), so each adapter path can be tested alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from tests.support.http import LocalServer, Reply, Request

_XML = {"Content-Type": "application/xml; charset=utf-8"}
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class WordPressSite:
    server: LocalServer
    posts: int = 230
    rest: bool = True
    sitemap: bool = True
    feed: bool = True
    feed_per_page: int = 10
    sitemap_per_file: int = 100

    def __post_init__(self) -> None:
        self.base = self.server.base
        routes = {
            "/": self._home,
            "/wp-json/wp/v2/posts": self._rest,
            "/wp-sitemap.xml": self._sitemap_index,
            "/feed/": self._feed,
        }
        for number in range(1, self._sitemap_files + 1):
            routes[f"/wp-sitemap-posts-post-{number}.xml"] = self._post_sitemap
        routes["/wp-sitemap-posts-page-1.xml"] = self._page_sitemap
        routes["/wp-sitemap-taxonomies-category-1.xml"] = self._page_sitemap
        for path, route in routes.items():
            self.server.route(path, route)

    def post_url(self, number: int) -> str:
        return f"{self.base}/{2015 + number % 9}/{1 + number % 12:02d}/post-number-{number}/"

    @property
    def expected(self) -> set[str]:
        return {self.post_url(n) for n in range(self.posts)}

    @property
    def _sitemap_files(self) -> int:
        return -(-self.posts // self.sitemap_per_file)

    def _home(self, request: Request) -> Reply:
        recent = "".join(f'<li><a href="{self.post_url(n)}">post {n}</a></li>' for n in range(5))
        body = f"""<!DOCTYPE html><html><head><title>A WordPress blog</title>
<meta name="generator" content="WordPress 6.5">
<link rel="https://api.w.org/" href="{self.base}/wp-json/">
<link rel="alternate" type="application/rss+xml" title="Feed" href="{self.base}/feed/">
<link rel="stylesheet" href="{self.base}/wp-content/themes/twenty/style.css"></head>
<body><ul>{recent}</ul><a href="{self.base}/about/">About</a>
<a href="{self.base}/category/travel/">Travel</a><a href="{self.base}/page/2/">Older</a>
</body></html>"""
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=UTF-8"})

    def _rest(self, request: Request) -> Reply:
        if not self.rest:
            return Reply(404, b'{"code":"rest_no_route"}', {"Content-Type": "application/json"})
        query = parse_qs(urlsplit(request.path).query)
        per_page = int(query.get("per_page", ["10"])[0])
        page = int(query.get("page", ["1"])[0])
        total_pages = -(-self.posts // per_page)
        if page > total_pages:
            return Reply(400, b'{"code":"rest_post_invalid_page_number"}')
        numbers = range((page - 1) * per_page, min(page * per_page, self.posts))
        body = json.dumps([{"link": self.post_url(n)} for n in numbers]).encode()
        return Reply(200, body, {"Content-Type": "application/json; charset=UTF-8",
                                 "X-WP-Total": str(self.posts),
                                 "X-WP-TotalPages": str(total_pages)})  # fmt: skip

    def _sitemap_index(self, request: Request) -> Reply:
        if not self.sitemap:
            return Reply(404, b"not found")
        names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, self._sitemap_files + 1)]
        names += ["wp-sitemap-posts-page-1.xml", "wp-sitemap-taxonomies-category-1.xml"]
        entries = "".join(f"<sitemap><loc>{self.base}/{name}</loc></sitemap>" for name in names)
        body = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{_NS}">'
                f"{entries}</sitemapindex>")  # fmt: skip
        return Reply(200, body.encode(), _XML)

    def _post_sitemap(self, request: Request) -> Reply:
        number = int(request.path.rsplit("-", 1)[1].split(".")[0])
        first = (number - 1) * self.sitemap_per_file
        numbers = range(first, min(first + self.sitemap_per_file, self.posts))
        return Reply(200, _urlset(self.post_url(n) for n in numbers), _XML)

    def _page_sitemap(self, request: Request) -> Reply:
        return Reply(200, _urlset([f"{self.base}/about/", f"{self.base}/category/travel/"]), _XML)

    def _feed(self, request: Request) -> Reply:
        if not self.feed:
            return Reply(404, b"not found")
        page = int(parse_qs(urlsplit(request.path).query).get("paged", ["1"])[0])
        first = (page - 1) * self.feed_per_page
        if first >= self.posts:
            return Reply(404, b"not found")
        numbers = range(first, min(first + self.feed_per_page, self.posts))
        items = "".join(
            f"<item><title>post {n}</title><link>{self.post_url(n)}</link></item>" for n in numbers
        )
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>A WordPress blog</title><link>{self.base}/</link>"
                "<generator>https://wordpress.org/?v=6.5</generator>"
                f"{items}</channel></rss>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=UTF-8"})


def _urlset(urls) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{_NS}">'
            f"{entries}</urlset>").encode()  # fmt: skip
