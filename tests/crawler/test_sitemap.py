"""The sitemap adapter follows robots.txt to a sitemap index and its gzipped children."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.static import SitemapSite

pytestmark = pytest.mark.django_db


def test_it_finds_exactly_the_posts_in_a_gzipped_child_sitemap(server):
    """GIVEN a site whose robots.txt names a sitemap index with a gzipped posts
    sitemap (which also lists the home and a tag page) and a tags sitemap
    WHEN it is crawled THEN exactly the posts are found and the tags sitemap
    is not read."""
    site = SitemapSite(server, posts=120)

    run, announced = crawl(site.base + "/")

    assert run.adapter == "sitemap"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert server.hits["/sitemap-posts.xml.gz"] == 1
    assert server.hits["/sitemap-tags.xml"] == 0
    assert server.hits["/sitemap.xml"] == 0


def test_it_refuses_a_gzipped_sitemap_that_inflates_past_the_cap(server, settings):
    """GIVEN a size cap smaller than the inflated posts sitemap WHEN the site is
    crawled THEN that sitemap is reported as an error, not read whole."""
    settings.FETCH_MAX_BYTES = 4096
    site = SitemapSite(server, posts=400)

    run, announced = crawl(site.base + "/", adapter="sitemap")

    assert announced == []
    assert run.state == CrawlRun.State.INCOMPLETE
    assert "sitemap-posts.xml.gz" in run.error
