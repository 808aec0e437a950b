"""A WordPress-shaped site: REST API, core sitemap (5.5+), paged feeds.

Each source can be switched off (answering 404, as when a plugin disables
it), so each adapter path can be tested alone. ``folder`` installs the
blog under a subfolder (``/blog``), whose site root then answers 404 and
has no robots.txt unless ``robots_sitemap`` names the sitemap in one.
``plain`` uses WordPress's default "plain" permalinks, as a fresh install
has: posts ``?p=ID``, pages ``?paged=N``, feeds ``?feed=rss2``, the REST API
at ``index.php?rest_route=/``, the sitemap at ``?sitemap=index`` (the
shapes ``get_rest_url`` and ``WP_Sitemaps_*::get_*_url`` make). Every page
answers with WordPress's ``Link: <…>; rel="https://api.w.org/"`` header;
``hidden`` strips the marks from the pages themselves (generator, REST
link, ``/wp-content/`` paths), as "hide WordPress" plugins do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.http import LocalServer, Reply, Request

_XML = {"Content-Type": "application/xml; charset=utf-8"}
_HTML = {"Content-Type": "text/html; charset=UTF-8"}
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
    folder: str = ""  # "/blog": installed in a subfolder
    plain: bool = False  # plain permalinks (?p=ID)
    robots_sitemap: bool = False  # the root robots.txt names the sitemap
    per_page: int = 10  # posts per list page of the blog itself
    hidden: bool = False  # pages carry no WordPress marks (a "hide WordPress" plugin)

    def __post_init__(self) -> None:
        self.base = self.server.base
        self.home = f"{self.base}{self.folder}/"
        f = self.folder
        routes = {f"{f}/": self._home_route}
        if self.plain:
            routes[f"{f}/index.php"] = self._index_php
        else:
            routes |= {f"{f}/wp-json/wp/v2/posts": self._rest, f"{f}/wp-sitemap.xml":
                       self._sitemap_index, f"{f}/feed/": self._feed,
                       f"{f}/sitemap.xml": self._sitemap_redirect}  # fmt: skip
            for number in range(1, self._sitemap_files + 1):
                routes[f"{f}/wp-sitemap-posts-post-{number}.xml"] = self._post_sitemap
            routes[f"{f}/wp-sitemap-posts-page-1.xml"] = self._page_sitemap
            routes[f"{f}/wp-sitemap-taxonomies-category-1.xml"] = self._page_sitemap
            for page in range(2, self.list_pages + 1):
                routes[f"{f}/page/{page}/"] = self._list_route
            for number in range(self.posts):
                routes[urlsplit(self.post_url(number)).path] = self._post_route
        if self.robots_sitemap:
            routes["/robots.txt"] = Reply(200, (
                f"User-agent: *\nDisallow: {f}/wp-admin/\n\nSitemap: {self.sitemap_url}\n"
            ).encode())  # fmt: skip
        for path, route in routes.items():
            self.server.route(path, route)

    # --- what a crawler should find ----------------------------------------
    def post_url(self, number: int) -> str:
        if self.plain:
            return f"{self.home}?p={1000 + number}"
        return f"{self.home}{2015 + number % 9}/{1 + number % 12:02d}/post-number-{number}/"

    @property
    def expected(self) -> set[str]:
        return {self.post_url(n) for n in range(self.posts)}

    @property
    def sitemap_url(self) -> str:
        return f"{self.home}?sitemap=index" if self.plain else f"{self.home}wp-sitemap.xml"

    @property
    def list_pages(self) -> int:
        return max(1, -(-self.posts // self.per_page))

    def _url(self, name: str, query: dict[str, object]) -> str:
        """A URL in this site's permalink style: ``/wp-sitemap-….xml`` or ``/?sitemap=…``."""
        if self.plain:
            return f"{self.home}?{urlencode(query)}"
        return f"{self.home}{name}"

    @property
    def _sitemap_files(self) -> int:
        return -(-self.posts // self.sitemap_per_file)

    # --- the blog's own pages ----------------------------------------------
    def _home_route(self, request: Request) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        if not self.plain or not query:
            return self._list(1)
        if "p" in query:
            return self._post(int(query["p"][0]) - 1000)
        if "feed" in query:
            return self._feed(request)
        if "sitemap" in query:
            return self._plain_sitemap(query)
        if "paged" in query:
            return self._list(int(query["paged"][0]))
        return self._list(1)

    def _list_route(self, request: Request) -> Reply:
        return self._list(int(urlsplit(request.path).path.rstrip("/").rsplit("/", 1)[1]))

    def _post_route(self, request: Request) -> Reply:
        slug = urlsplit(request.path).path.rstrip("/").rsplit("-", 1)[1]
        return self._post(int(slug))

    def _list_url(self, page: int) -> str:
        return f"{self.home}?paged={page}" if self.plain else f"{self.home}page/{page}/"

    def _list(self, page: int) -> Reply:
        if page > self.list_pages:
            return Reply(404, b"not found", _HTML)
        first = (page - 1) * self.per_page
        numbers = range(first, min(first + self.per_page, self.posts))
        items = "".join(f'<li><a href="{self.post_url(n)}">post {n}</a></li>' for n in numbers)
        older = f'<a href="{self._list_url(page + 1)}">Older posts</a>'
        return self._page("A WordPress blog", "website", items, older)

    def _post(self, number: int) -> Reply:
        if not 0 <= number < self.posts:
            return Reply(404, b"not found", _HTML)
        return self._page(f"post {number}", "article", f"<h1>post {number}</h1>")

    @property
    def rest_root(self) -> str:
        return f"{self.home}index.php?rest_route=/" if self.plain else f"{self.home}wp-json/"

    def _page(self, title: str, kind: str, *parts: str) -> Reply:
        feed = f"{self.home}?feed=rss2" if self.plain else f"{self.home}feed/"
        category = f"{self.home}?cat=3" if self.plain else f"{self.home}category/travel/"
        about = f"{self.home}?page_id=2" if self.plain else f"{self.home}about/"
        marks = "" if self.hidden else f"""<meta name="generator" content="WordPress 6.5">
<link rel="https://api.w.org/" href="{self.rest_root}">"""
        theme = f"{self.home}assets/css/main.css" if self.hidden else (
            f"{self.home}wp-content/themes/twenty/style.css")
        body = f"""<!DOCTYPE html><html><head><title>{title}</title>{marks}
<meta property="og:type" content="{kind}">
<link rel="alternate" type="application/rss+xml" title="Feed" href="{feed}">
<link rel="stylesheet" href="{theme}"></head>
<body><ul>{"".join(parts)}</ul><a href="{about}">About</a>
<a href="{category}">Travel</a></body></html>""".encode()
        link = f'<{self.rest_root}>; rel="https://api.w.org/"'
        return Reply(200, body, {**_HTML, "Link": link})

    # --- REST API ------------------------------------------------------------
    def _index_php(self, request: Request) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        if query.get("rest_route") == ["/wp/v2/posts"]:
            return self._rest(request)
        return Reply(404, b'{"code":"rest_no_route"}', {"Content-Type": "application/json"})

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

    # --- core sitemap ----------------------------------------------------------
    def _sitemap_redirect(self, request: Request) -> Reply:
        """``/sitemap.xml`` redirects to the core sitemap (``redirect_sitemapxml``)."""
        return Reply(301, headers={"Location": self.sitemap_url})

    def _plain_sitemap(self, query: dict[str, list[str]]) -> Reply:
        if query["sitemap"] == ["index"]:
            return self._sitemap_index(None)
        if query["sitemap"] == ["posts"] and query.get("sitemap-subtype") == ["post"]:
            return self._post_sitemap_page(int(query.get("paged", ["1"])[0]))
        return self._page_sitemap(None)

    def _sitemap_index(self, request: Request | None) -> Reply:
        if not self.sitemap:
            return Reply(404, b"not found")
        urls = [
            self._url(f"wp-sitemap-posts-post-{n}.xml",
                      {"sitemap": "posts", "sitemap-subtype": "post", "paged": n})
            for n in range(1, self._sitemap_files + 1)
        ]  # fmt: skip
        urls.append(self._url("wp-sitemap-posts-page-1.xml",
                              {"sitemap": "posts", "sitemap-subtype": "page", "paged": 1}))
        urls.append(self._url("wp-sitemap-taxonomies-category-1.xml",
                              {"sitemap": "taxonomies", "sitemap-subtype": "category",
                               "paged": 1}))  # fmt: skip
        entries = "".join(f"<sitemap><loc>{url.replace('&', '&amp;')}</loc></sitemap>"
                          for url in urls)  # fmt: skip
        body = (f'<?xml version="1.0" encoding="UTF-8"?>{self._stylesheet("index")}'
                f'<sitemapindex xmlns="{_NS}">{entries}</sitemapindex>')  # fmt: skip
        return Reply(200, body.encode(), _XML)

    def _stylesheet(self, kind: str) -> str:
        """The stylesheet line WordPress puts atop its sitemaps (``WP_Sitemaps_Renderer``)."""
        name = "wp-sitemap-index.xsl" if kind == "index" else "wp-sitemap.xsl"
        href = f"{self.home}?sitemap-stylesheet={kind}" if self.plain else f"{self.home}{name}"
        return f'<?xml-stylesheet type="text/xsl" href="{href.replace("&", "&amp;")}" ?>'


    def _post_sitemap(self, request: Request) -> Reply:
        return self._post_sitemap_page(int(request.path.rsplit("-", 1)[1].split(".")[0]))

    def _post_sitemap_page(self, number: int) -> Reply:
        first = (number - 1) * self.sitemap_per_file
        numbers = range(first, min(first + self.sitemap_per_file, self.posts))
        return Reply(200, _urlset((self.post_url(n) for n in numbers),
                                  self._stylesheet("sitemap")), _XML)  # fmt: skip

    def _page_sitemap(self, request: Request | None) -> Reply:
        pages = [f"{self.home}about/", f"{self.home}category/travel/"]
        if self.plain:
            pages = [f"{self.home}?page_id=2", f"{self.home}?cat=3"]
        return Reply(200, _urlset(pages, self._stylesheet("sitemap")), _XML)

    # --- feeds -------------------------------------------------------------------
    def _feed(self, request: Request) -> Reply:
        if not self.feed:
            return Reply(404, b"not found")
        page = int(parse_qs(urlsplit(request.path).query).get("paged", ["1"])[0])
        first = (page - 1) * self.feed_per_page
        if first >= self.posts:
            return Reply(404, b"not found")
        numbers = range(first, min(first + self.feed_per_page, self.posts))
        items = "".join(
            f"<item><title>post {n}</title><link>{self.post_url(n).replace('&', '&amp;')}</link>"
            "</item>" for n in numbers
        )  # fmt: skip
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>A WordPress blog</title><link>{self.home}</link>"
                "<generator>https://wordpress.org/?v=6.5</generator>"
                f"{items}</channel></rss>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=UTF-8"})


def _urlset(urls, stylesheet: str = "") -> bytes:
    entries = "".join(f"<url><loc>{url.replace('&', '&amp;')}</loc></url>" for url in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{stylesheet}<urlset xmlns="{_NS}">'
            f"{entries}</urlset>").encode()  # fmt: skip
