"""The Blogger adapter reads the posts feed, every page at once after the first."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.blogger import BloggerBlog

pytestmark = pytest.mark.django_db


def test_it_finds_exactly_the_posts_from_the_json_feed(server):
    """GIVEN a Blogger blog of 320 posts WHEN it is crawled THEN the JSON feed
    is read in 3 pages of at most 150 and exactly the 320 posts are found."""
    blog = BloggerBlog(server, posts=320)

    run, announced = crawl(blog.base + "/")

    assert run.adapter == "blogger"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    assert len(announced) == 320
    feed_pages = sorted(p for p in server.hits if p.startswith("/feeds/posts/default"))
    assert [p.split("start-index=")[1].split("&")[0] for p in feed_pages] == ["1", "151", "301"]


def test_it_reads_an_atom_feed_through_its_next_links(server):
    """GIVEN a Blogger feed that answers only Atom WHEN the blog is crawled
    THEN the next links lead through every page and every post is found."""
    blog = BloggerBlog(server, posts=200, json=False)

    run, announced = crawl(blog.base + "/", adapter="blogger")

    assert set(announced) == blog.expected
    assert run.state == CrawlRun.State.DONE


def test_it_follows_the_page_size_blogger_really_gives(server):
    """GIVEN a feed that gives at most 25 entries a page, whatever is asked
    WHEN the blog is crawled THEN pages start every 25 entries and no post
    between them is skipped."""
    blog = BloggerBlog(server, posts=110, page_cap=25)

    run, announced = crawl(blog.base + "/", adapter="blogger")

    assert set(announced) == blog.expected
    starts = sorted(int(p.split("start-index=")[1].split("&")[0])
                    for p in server.hits if p.startswith("/feeds/posts/default"))  # fmt: skip
    assert starts == [1, 26, 51, 76, 101]
