"""Crawler traps (#10) in pagers and calendars: pagers that loop back, and
calendars and pagers that never end. Each crawl ends with the right posts,
inside its page limits, ``within`` a time bound."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from crawler import engine
from crawler.adapters import links
from crawler.models import CrawlRun
from tests.crawler.bounded import within
from tests.support.crawling import crawl
from tests.support.sites.trap_pagers import (
    CalendarSite,
    EchoingWordPressSite,
    EndlessArchiveSite,
    EndlessBloggerBlog,
    EndlessXuiteBlog,
    LoopingBloggerBlog,
    LoopingLinksSite,
    LoopingXuiteBlog,
    PagedFeed,
)
from tests.support.sites.trap_sitemaps import (
    EndlessSitemaps,
)

pytestmark = pytest.mark.django_db


# --- 1. pagers that loop back --------------------------------------------------


def test_a_xuite_pager_that_loops_back_is_read_once_to_its_end(server):
    """GIVEN a Xuite blog of 5 list pages whose pager has only previous/next
    links, page 5's "next" going back to page 2 WHEN it is crawled THEN its
    50 posts are found and each list page is read once."""
    blog = LoopingXuiteBlog(server, posts=50, per_page=10)

    with within(20):
        run, announced = crawl(blog.home, adapter="xuite")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    assert len(announced) == 50
    assert blog.list_hits == {blog.list_path(n): 1 for n in range(1, 6)}


def test_a_links_archive_that_loops_back_is_read_once_to_its_end(server):
    """GIVEN a blog with only links, whose archive's last page (3) has an
    "Older posts" link back to page 2 WHEN it is crawled THEN exactly its
    posts are found and no page is requested twice."""
    site = LoopingLinksSite(server, posts=25, per_page=10)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.adapter == "links"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert {path: server.hits[path] for path in site.archive_paths} == {
        "/": 1, "/page/2/": 1, "/page/3/": 1,
    }  # fmt: skip
    assert max(server.hits.values()) == 1, server.hits
    assert run.stats["page_limit_reached"] is False


def test_a_feed_whose_next_link_loops_back_is_read_once_to_its_end(server):
    """GIVEN an Atom feed of 5 pages linked by rel=next, page 5's next going
    back to page 2 WHEN the site is crawled THEN the feed adapter finds all
    45 posts, reading each feed page once."""
    feed = PagedFeed(server, posts=45, per_page=10, loop_to=2)

    with within(20):
        run, announced = crawl(server.base + "/")

    assert run.adapter == "feed"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == feed.expected
    assert feed.feed_hits == {feed.page_path(n): 1 for n in range(1, 6)}


def test_a_blogger_atom_feed_whose_next_link_loops_back_is_read_once(server):
    """GIVEN a Blogger blog answering Atom only, 320 posts on 3 feed pages,
    the last page's next going back to the second WHEN it is crawled THEN
    all 320 posts are found, each feed page read once."""
    blog = LoopingBloggerBlog(server, posts=320)

    with within(20):
        run, announced = crawl(blog.base + "/")

    assert run.adapter == "blogger"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    feed_hits = [n for path, n in server.hits.items() if path.startswith("/feeds/")]
    assert feed_hits == [1, 1, 1]


def test_a_wordpress_feed_that_repeats_a_page_past_its_end_is_read_to_its_end(server):
    """GIVEN a WordPress site with only its feed on, 35 posts on 4 pages,
    whose /feed/?paged=N past the end shows page 2 again instead of a 404
    WHEN it is crawled THEN its 35 posts are found, every feed page is read
    once and the crawl stops a few pages past the end (the pages read ahead
    at once), not when a limit is reached."""
    site = EchoingWordPressSite(server, posts=35, feed_per_page=10)

    with within(20):
        run, announced = crawl(site.base + "/", adapter="wordpress")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert run.stats["feed_posts"] == 35
    assert max(site.feed_hits.values()) == 1
    ahead = 8  # CRAWL_CONCURRENCY: feed pages read ahead at once
    assert len(site.feed_hits) <= 4 + 2 * ahead, sorted(site.feed_hits)


# --- 2. calendars and pagers that never end ------------------------------------


def test_an_endless_archive_pager_stops_at_the_page_limit_and_says_so(server, monkeypatch):
    """GIVEN a links-only blog of 25 posts whose archive pager runs on for
    ever past its 3 real pages (empty pages, each linking to the next) and a
    page limit of 60 WHEN it is crawled THEN it reads 60 pages, finds every
    real post, and its stats say the page limit was reached."""
    monkeypatch.setattr(links, "MAX_PAGES", 60)
    site = EndlessArchiveSite(server, posts=25, per_page=10)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.adapter == "links"
    assert set(announced) == site.expected
    assert run.stats["pages_read"] == 60
    assert run.stats["page_limit_reached"] is True
    assert site.pager_hits < 60
    assert max(server.hits.values()) == 1


def test_the_crawl_command_says_when_it_stopped_at_the_page_limit(server, monkeypatch):
    """GIVEN the endless archive pager and a page limit of 60 WHEN `manage.py
    crawl` runs THEN it prints the real posts and says on stderr that it
    stopped at the page limit, so posts may be missing."""
    monkeypatch.setattr(links, "MAX_PAGES", 60)
    site = EndlessArchiveSite(server, posts=25, per_page=10)
    out, err = StringIO(), StringIO()

    with within(20):
        call_command("crawl", site.base + "/", "--no-progress", stdout=out, stderr=err)

    assert set(out.getvalue().splitlines()) == site.expected
    assert "page limit" in err.getvalue()


def test_an_endless_calendar_is_cut_at_the_depth_limit_with_exactly_the_posts(server):
    """GIVEN a links-only blog whose calendar links each month to the month
    before and after, for ever, and to the same posts again WHEN it is
    crawled THEN exactly its real posts are found, no month counted as a
    post, and only the months within the depth limit are read."""
    site = CalendarSite(server, posts=25, per_page=10)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    assert site.calendar_hits <= 2 * links.MAX_DEPTH
    assert max(server.hits.values()) == 1


@pytest.mark.parametrize("echo", [0, 1], ids=["empty", "repeating-page-1"])
def test_a_xuite_pager_that_runs_on_past_its_end_stops_there(server, echo):
    """GIVEN a Xuite blog of 5 list pages whose "next" runs on for ever past
    page 5 (pages with no posts, or page 1's posts again) WHEN it is crawled
    THEN its 50 posts are found and the crawl stops at the first page past
    the end, as nothing new is listed there."""
    blog = EndlessXuiteBlog(server, posts=50, per_page=10, echo=echo)

    with within(20):
        run, announced = crawl(blog.home, adapter="xuite")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    assert blog.past_the_end == 1
    assert max(blog.list_hits.values()) == 1


@pytest.mark.parametrize("echo", [0, 1], ids=["empty", "repeating-page-1"])
def test_a_feed_whose_next_links_never_end_stops_past_its_end(server, echo):
    """GIVEN an Atom feed of 5 pages whose rel=next runs on for ever past
    page 5 (pages with no entries, or page 1's entries again) WHEN the site
    is crawled THEN its 45 posts are found and the crawl stops at the first
    page past the end."""
    feed = PagedFeed(server, posts=45, per_page=10, endless=True, echo=echo)

    with within(20):
        run, announced = crawl(server.base + "/")

    assert run.adapter == "feed"
    assert run.state == CrawlRun.State.DONE
    assert set(announced) == feed.expected
    assert set(feed.feed_hits) == {feed.page_path(n) for n in range(1, 7)}


def test_a_wordpress_made_feed_that_ignores_paged_is_read_once(server):
    """GIVEN a feed made by WordPress (so read page by page through ?paged=N)
    that ignores ?paged and always shows its 10 posts WHEN the site is
    crawled THEN the 10 posts are found and the feed is read twice: page 1
    and the ?paged=2 that repeats it."""
    feed = PagedFeed(server, posts=10, per_page=10, generator="https://wordpress.org/?v=6.5")

    with within(20):
        run, announced = crawl(server.base + "/")

    assert run.adapter == "feed"
    assert set(announced) == feed.expected
    assert sum(feed.feed_hits.values()) == 2, feed.feed_hits


def test_a_blogger_atom_feed_that_never_ends_stops_past_its_end(server):
    """GIVEN a Blogger blog answering Atom only whose next link runs on past
    its 320 posts (empty pages, each linking to the next) WHEN it is crawled
    THEN all posts are found and one page past the end is read."""
    blog = EndlessBloggerBlog(server, posts=320)

    with within(20):
        run, announced = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    feed_pages = [path for path in server.hits if path.startswith("/feeds/")]
    assert len(feed_pages) == 4  # 150 + 150 + 20 posts, then one empty page


def test_an_endless_chain_of_sitemap_indexes_stops_at_the_page_limit(server, monkeypatch):
    """GIVEN a sitemap index that lists the posts' sitemap and a second index,
    which lists a third, and so on for ever, and a limit of 40 pages a walk
    WHEN the site is crawled THEN its posts are found, 40 sitemaps are read
    and the stats say the page limit was reached."""
    monkeypatch.setattr(engine, "MAX_WALK_PAGES", 40)
    site = EndlessSitemaps(server, posts=30)

    with within(20):
        run, announced = crawl(site.base + "/")

    assert run.adapter == "sitemap"
    assert set(announced) == site.expected
    assert run.stats["sitemaps"] == 40
    assert site.index_hits == 39
    assert run.stats["page_limit_reached"] is True
