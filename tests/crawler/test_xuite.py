"""The Xuite adapter finds every post of a Xuite-shaped blog, and only those."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.support.crawling import crawl, stored
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


def test_it_finds_exactly_the_posts_of_a_blog(server):
    """GIVEN a Xuite blog of 47 posts on 5 list pages, some linked only by
    title, one only in rss.xml WHEN it is crawled with --adapter xuite THEN
    exactly its 48 posts are found, each once, in the {home}/{id} form."""
    blog = XuiteBlog(server, posts=47, title_only=frozenset({3, 17, 40}), rss_only=1)

    run, announced = crawl(blog.home, adapter="xuite")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    assert len(announced) == len(blog.expected) == 48
    assert stored(run) == blog.expected
    assert run.urls_found == 48


def test_it_reads_each_list_page_once_and_no_category_list(server):
    """GIVEN a blog with category lists linked from every page WHEN it is
    crawled THEN each ?&p=N page is read once and no category list is read."""
    blog = XuiteBlog(server, posts=47)

    crawl(blog.home, adapter="xuite")

    assert blog.list_hits == {blog.list_path(n): 1 for n in range(1, blog.pages + 1)}


def test_it_follows_a_windowed_pager_without_a_last_link_to_the_end(server):
    """GIVEN a pager that shows 3 numbers and no last-page link WHEN the blog
    is crawled THEN pages beyond the first window are still all read."""
    blog = XuiteBlog(server, posts=125, window=3, last_link=False)

    run, announced = crawl(blog.home, adapter="xuite")

    assert set(announced) == blog.expected
    assert blog.pages == 13
    assert set(blog.list_hits) == {blog.list_path(n) for n in range(1, 14)}


def test_it_is_detected_from_the_first_page(server):
    """GIVEN a Xuite-shaped blog on a host that is not xuite.net WHEN it is
    crawled without --adapter THEN the xuite adapter is chosen."""
    blog = XuiteBlog(server, posts=12)

    run, announced = crawl(blog.home)

    assert run.adapter == "xuite"
    assert set(announced) == blog.expected


def test_it_beats_the_classic_enumeration_in_recall(server):
    """GIVEN posts linked only by title and one only in rss.xml WHEN the
    classic enumeration (highest ?&p=N, keep {home}/\\d+ links) and the
    adapter read the same blog THEN the adapter finds all, the classic not."""
    from bench.crawl import classic_enumeration

    blog = XuiteBlog(server, posts=30, title_only=frozenset({5}), rss_only=1)

    classic = classic_enumeration(blog.home)
    run, announced = crawl(blog.home, adapter="xuite")

    assert classic < blog.expected
    assert set(announced) == blog.expected
