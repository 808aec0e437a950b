"""The link crawl, the fallback for any site: same site only, robots.txt obeyed."""

from __future__ import annotations

import pytest

from crawler.adapters import links
from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.static import LinksSite

pytestmark = pytest.mark.django_db


def test_it_finds_exactly_the_posts_by_following_links(server):
    """GIVEN a site with a paged archive, tag and about pages, links with
    tracking parameters and fragments, and a post reached only through a
    shortlink that redirects WHEN it is crawled THEN exactly its 26 posts are
    found, each once, canonical."""
    site = LinksSite(server, posts=25)

    run, announced = crawl(site.base + "/")

    assert run.adapter == "links"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert len(announced) == 26


def test_it_never_fetches_what_robots_txt_disallows(server):
    """GIVEN a robots.txt that disallows /private/, linked from every page
    WHEN the site is crawled THEN nothing under /private/ is requested."""
    site = LinksSite(server, posts=25)

    crawl(site.base + "/")

    assert server.hits["/robots.txt"] == 1
    assert not [path for path in server.hits if path.startswith("/private/")]


def test_it_reads_each_page_once(server):
    """GIVEN posts linked from the archive, from tags and from each other
    WHEN the site is crawled THEN no page is requested twice."""
    site = LinksSite(server, posts=25)

    crawl(site.base + "/")

    assert max(server.hits.values()) == 1, server.hits
    assert server.hits[site.post_path(3)] == 1


def test_it_stops_at_the_page_limit(server, monkeypatch):
    """GIVEN a page limit of 5 WHEN a larger site is crawled THEN 5 pages are
    read and the run says the limit was reached."""
    monkeypatch.setattr(links, "MAX_PAGES", 5)
    site = LinksSite(server, posts=25)

    run, announced = crawl(site.base + "/")

    # robots.txt and sitemap.xml were read for detection, a shortlink redirects
    pages = set(server.hits) - {"/robots.txt", "/sitemap.xml", "/?p=99"}
    assert len(pages) == run.stats["pages_read"] == 5
    assert run.stats["page_limit_reached"] is True
    assert len(announced) < 5
