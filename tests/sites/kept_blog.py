"""A stand-in blog whose posts answer (a sitemap names them), for the WARC tests."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.models import Site
from crawler.services import site_for
from tests.support.http import LocalServer, Reply
from tests.support.sites.static import SitemapSite

_HTML = {"Content-Type": "text/html; charset=utf-8"}


def post_html(n: int) -> bytes:
    return (f'<!doctype html><html lang="en"><head><title>Note {n}: the closing</title></head>'
            f"<body><nav><a href='/'>Home</a></nav><article><h1>Note {n}: the closing</h1>"
            f"<p>Note {n} says the platform closes at the end of the year, and that every "
            f"post written there since 2004 must be saved before the servers go dark.</p>"
            f"<p>Volunteers of team {n} list the blog addresses and keep a copy of each post, "
            f"so that nothing written there is lost for good.</p></article></body></html>"
            ).encode()


def kept_blog(server: LocalServer, posts: int, *, keep: bool = True) -> tuple[SitemapSite, Site,
                                                                          dict[str, bytes]]:
    """The blog, its Site row (with ``keep_warc``), and each post's body by URL."""
    blog = SitemapSite(server, posts=posts)
    bodies = {}
    for n, url in enumerate(sorted(blog.expected)):
        bodies[url] = post_html(n)
        server.route(urlsplit(url).path, Reply(200, bodies[url], _HTML))
    site = site_for(url=blog.base + "/")
    Site.objects.filter(pk=site.pk).update(keep_warc=keep)
    return blog, site, bodies
