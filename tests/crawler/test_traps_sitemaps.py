"""Crawler traps (#10) in redirects, sitemaps and feeds: redirect loops,
sitemaps that include each other, a feed of 10,000 posts. Each crawl ends
with the right posts or a clear error, inside its limits, ``within`` a time bound."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.crawler.bounded import within
from tests.support.crawling import crawl, stored
from tests.support.sites.trap_sitemaps import (
    CrossSitemaps,
    HugeFeed,
    RedirectLoopLinksSite,
    RedirectLoopSitemaps,
    loop,
)
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


# --- 3. redirect loops -------------------------------------------------------------


@pytest.mark.parametrize("via", [None, "/alice/diary?&p=3&from=old"], ids=["self", "a-b-a"])
def test_a_xuite_list_page_in_a_redirect_loop_is_reported_and_the_rest_read(server, settings, via):
    """GIVEN a Xuite blog of 5 list pages whose page 3 redirects to itself
    (or to another address that redirects back) WHEN it is crawled THEN the
    posts of the other 4 pages are found, page 3 is given up after the
    redirect limit without a retry, and the run ends incomplete, naming it."""
    blog = XuiteBlog(server, posts=50, per_page=10)
    loop(server, blog.list_path(3), via=via)
    on_page_3 = {f"{blog.home}/{blog.post_id(n)}" for n in range(20, 30)}

    with within(20):
        run, announced = crawl(blog.home, adapter="xuite")

    assert run.state == CrawlRun.State.INCOMPLETE
    assert set(announced) == blog.expected - on_page_3
    assert run.errors == 1
    assert f"{blog.home}?&p=3: Too many redirects" in run.error
    hops = server.hits[blog.list_path(3)] + server.hits[via or ""]
    assert hops == settings.FETCH_MAX_REDIRECTS + 1


def test_links_pages_in_redirect_loops_are_reported_and_the_rest_read(server):
    """GIVEN a links-only blog where a post redirects to itself and the
    archive's last page to an address that redirects back WHEN it is
    crawled THEN every other post is found (those of the lost archive page
    through their neighbours' links), and the run ends incomplete, naming
    both pages."""
    site = RedirectLoopLinksSite(server, posts=25, per_page=10)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.state == CrawlRun.State.INCOMPLETE
    assert set(announced) == site.reachable
    assert run.errors == 2
    assert f"{site.base}{site.post_path(5)}: Too many redirects" in run.error
    assert f"{site.base}/page/3/: Too many redirects" in run.error


def test_sitemaps_in_redirect_loops_are_reported_and_the_rest_read(server, settings):
    """GIVEN a sitemap index listing the posts' sitemap, a sitemap that
    redirects to itself and one that redirects to another which redirects
    back WHEN the site is crawled THEN the posts are found, each looping
    sitemap is given up once after the redirect limit, and the run ends
    incomplete, naming both."""
    site = RedirectLoopSitemaps(server, posts=30)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.adapter == "sitemap"
    assert run.state == CrawlRun.State.INCOMPLETE
    assert set(announced) == site.expected
    assert run.errors == 2
    assert f"{site.base}/sitemap-self.xml: Too many redirects" in run.error
    assert f"{site.base}/sitemap-a.xml: Too many redirects" in run.error
    limit = settings.FETCH_MAX_REDIRECTS + 1
    assert server.hits["/sitemap-self.xml"] == limit
    assert server.hits["/sitemap-a.xml"] + server.hits["/sitemap-b.xml"] == limit


def test_a_sitemap_index_that_redirects_to_itself_is_reported_and_the_crawl_goes_on(server):
    """GIVEN a site whose only sitemap, named in robots.txt, redirects to
    itself WHEN it is crawled THEN the sitemap is reported, the crawl falls
    back on following links, and it ends incomplete rather than hanging."""
    RedirectLoopSitemaps(server, posts=30, index_loops=True)

    with within(20):
        run, announced = crawl(server.base + "/")

    assert run.adapter == "links"
    assert run.state == CrawlRun.State.INCOMPLETE
    assert announced == []
    assert f"{server.base}/sitemap_index.xml: Too many redirects" in run.error


def test_a_home_page_that_redirects_to_itself_fails_clearly(server):
    """GIVEN a blog whose home page redirects to itself WHEN it is crawled
    THEN the run fails at once, saying the page cannot be read for too many
    redirects."""
    loop(server, "/blog/")

    with within(20):
        run, announced = crawl(server.base + "/blog/")

    assert run.state == CrawlRun.State.FAILED
    assert run.error == f"{server.base}/blog/ cannot be read: Too many redirects."
    assert announced == []


# --- 4. sitemaps that include each other ---------------------------------------------

CYCLES = {
    "a-b-a": (("a.xml",), {"a.xml": ("b.xml", "posts-1.xml"), "b.xml": ("a.xml", "posts-2.xml")}),
    "self": (("a.xml",), {"a.xml": ("a.xml", "posts-1.xml", "posts-2.xml")}),
    "a-b-c-a": (
        ("a.xml",),
        {
            "a.xml": ("b.xml",),
            "b.xml": ("c.xml", "posts-1.xml"),
            "c.xml": ("a.xml", "b.xml", "posts-2.xml"),
        },
    ),  # fmt: skip
    "both-in-robots": (
        ("a.xml", "b.xml"),
        {"a.xml": ("b.xml", "posts-1.xml"), "b.xml": ("a.xml", "b.xml", "posts-2.xml")},
    ),
}


@pytest.mark.parametrize("cycle", CYCLES.values(), ids=CYCLES.keys())
def test_sitemap_indexes_that_include_each_other_are_each_read_once(server, cycle):
    """GIVEN sitemap indexes that include each other or themselves (A lists B
    and B lists A; A lists A; A, B, C in a ring; both named in robots.txt),
    around two posts' sitemaps that share ten posts WHEN the site is crawled
    THEN each of the 30 posts is found once, each sitemap is read once and
    the run is done."""
    robots, indexes = cycle
    site = CrossSitemaps(server, robots=robots, indexes=indexes)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.adapter == "sitemap"
    assert run.state == CrawlRun.State.DONE
    assert sorted(announced) == sorted(site.expected)
    assert {path: server.hits[path] for path in site.sitemaps} == dict.fromkeys(site.sitemaps, 1)
    assert run.stats["sitemaps"] == len(site.sitemaps)
    assert "page_limit_reached" not in run.stats


# --- 5. a feed of 10,000 posts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "adapter"),
    [("rss", "feed"), ("atom", "feed"), ("rss", "")],
    ids=["rss", "atom", "rss-detected"],
)
def test_a_feed_of_10000_posts_is_read_whole_and_once(server, settings, kind, adapter):
    """GIVEN a blog whose one feed (not paged) holds all its 10,000 posts,
    2-3 MB, under the size cap WHEN it is crawled with the feed adapter, or
    with none named THEN all 10,000 posts are found and stored, each once,
    and the feed is fetched once. (Unnamed, the feed adapter is not chosen,
    as a feed that is not paged usually holds only the latest posts, but
    what the feed held when detection read it is kept.)"""
    feed = HugeFeed(server, posts=10_000, kind=kind)
    assert 2_000_000 < len(feed.body) < settings.FETCH_MAX_BYTES

    with within(60):
        run, announced = crawl(server.base + "/", adapter=adapter)

    assert run.state == CrawlRun.State.DONE
    assert run.adapter == (adapter or "links")
    assert len(announced) == 10_000
    assert set(announced) == feed.expected
    assert stored(run) == feed.expected
    assert run.urls_found == 10_000
    assert server.hits["/feed.xml"] == 1


def test_a_feed_past_the_size_cap_is_refused_clearly_and_fetched_once(server, settings):
    """GIVEN the feed of 10,000 posts (about 3 MB) and a 1 MB size cap WHEN
    the blog is crawled with the feed adapter THEN the feed is fetched once,
    not read past the cap, and the run ends incomplete, saying it is too
    large."""
    settings.FETCH_MAX_BYTES = 1024 * 1024
    HugeFeed(server, posts=10_000, kind="rss")

    with within(20):
        run, announced = crawl(server.base + "/", adapter="feed")

    assert run.state == CrawlRun.State.INCOMPLETE
    assert announced == []
    assert f"{server.base}/feed.xml is larger than 1048576 bytes" in run.error
    assert server.hits["/feed.xml"] == 1
