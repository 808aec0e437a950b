"""The WordPress adapter reads the REST API and the core sitemap, feeds as a fallback."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.wordpress import WordPressSite

pytestmark = pytest.mark.django_db


def test_it_finds_exactly_the_posts_through_rest_and_sitemap(server):
    """GIVEN a WordPress site of 230 posts with REST API, sitemap and feeds
    WHEN it is crawled THEN exactly its posts are found (no pages, no
    categories), REST pages 2 and 3 being read after page 1 said there are 3."""
    site = WordPressSite(server, posts=230)

    run, announced = crawl(site.base + "/")

    assert run.adapter == "wordpress"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert len(announced) == 230
    assert run.stats["rest_posts"] == run.stats["sitemap_posts"] == 230
    rest_pages = [p for p in server.hits if p.startswith("/wp-json/wp/v2/posts")]
    assert len(rest_pages) == 3
    assert server.hits["/wp-sitemap-posts-page-1.xml"] == 0
    assert server.hits["/wp-sitemap-taxonomies-category-1.xml"] == 0


def test_it_uses_the_sitemap_when_the_rest_api_is_off(server):
    """GIVEN a site whose REST API answers 404 WHEN it is crawled THEN the
    core sitemap alone gives every post, and the run is not marked incomplete."""
    site = WordPressSite(server, posts=150, rest=False)

    run, announced = crawl(site.base + "/", adapter="wordpress")

    assert set(announced) == site.expected
    assert run.state == CrawlRun.State.DONE
    assert run.errors == 0


def test_it_falls_back_to_paged_feeds(server):
    """GIVEN a site with neither REST API nor sitemap WHEN it is crawled THEN
    /feed/?paged=N is walked until a page is missing, finding every post."""
    site = WordPressSite(server, posts=45, rest=False, sitemap=False, feed_per_page=10)

    run, announced = crawl(site.base + "/", adapter="wordpress")

    assert set(announced) == site.expected
    assert run.state == CrawlRun.State.DONE
    assert server.hits["/feed/?paged=5"] == 1
    assert run.stats["feed_posts"] == 45
