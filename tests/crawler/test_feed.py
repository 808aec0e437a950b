"""The feed adapter walks a paged feed (RFC 5005 next links)."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.http import Reply, Request

pytestmark = pytest.mark.django_db

POSTS = 57
PER_PAGE = 20


def paged_feed(server) -> set[str]:
    """A home page that advertises an Atom feed of 3 pages linked by rel=next."""
    base = server.base
    home = (b'<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml">'
            b'<link rel="alternate" type="application/rss+xml" title="Comments" '
            b'href="/comments.xml"></head><body><h1>Notes</h1></body></html>')  # fmt: skip
    server.route("/", Reply(200, home, {"Content-Type": "text/html"}))

    def page(request: Request) -> Reply:
        number = int(request.path.partition("?page=")[2] or 1)
        first = (number - 1) * PER_PAGE
        entries = "".join(
            f'<entry><title>{n}</title><link rel="alternate" href="{base}/notes/{n}.html"/></entry>'
            for n in range(first, min(first + PER_PAGE, POSTS))
        )
        last = first + PER_PAGE >= POSTS
        more = "" if last else f'<link rel="next" href="{base}/atom.xml?page={number + 1}"/>'
        body = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>n</title>'
                f"{more}{entries}</feed>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/atom+xml"})

    server.route("/atom.xml", page)
    return {f"{base}/notes/{n}.html" for n in range(POSTS)}


def test_it_walks_a_paged_feed_to_its_end(server):
    """GIVEN a site whose only listing is an Atom feed paged with next links
    WHEN it is crawled THEN the feed adapter is chosen, the comments feed is
    ignored, and every post of every page is found."""
    expected = paged_feed(server)

    run, announced = crawl(server.base + "/")

    assert run.adapter == "feed"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == expected
    assert server.hits["/atom.xml"] == 1
    assert server.hits["/atom.xml?page=3"] == 1
    assert server.hits["/comments.xml"] == 0
