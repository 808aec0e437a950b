"""Crawler traps (#10): pagers that loop back, calendars that never end,
redirect loops, sitemaps that include each other, a feed of 10,000 posts.

Each crawl ends with the right posts (or a clear error), inside its page
limits, and within a time bound: ``within`` stops a crawl that overruns
the way Ctrl-C does (it saves what it read and ends) and fails the test.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command

from crawler import engine
from crawler.adapters import links
from crawler.models import CrawlRun
from tests.crawler.conftest import crawl, stored
from tests.crawler.sites.traps import (
    CalendarSite,
    CrossSitemaps,
    EchoingWordPressSite,
    EndlessArchiveSite,
    EndlessBloggerBlog,
    EndlessSitemaps,
    EndlessXuiteBlog,
    HugeFeed,
    LoopingBloggerBlog,
    LoopingLinksSite,
    LoopingXuiteBlog,
    PagedFeed,
    RedirectLoopLinksSite,
    RedirectLoopSitemaps,
    loop,
)
from tests.crawler.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db

GRACE_SECONDS = 5.0  # for a stopped crawl to save its progress and end


class Overran(BaseException):
    """A crawl went on past its time bound, and then past the grace period."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test if its block runs longer than ``seconds``.

    At the bound the crawl is interrupted as by Ctrl-C; one that does not
    end even then is abandoned ``GRACE_SECONDS`` later.
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("signals only reach the main thread")
    fired: list[float] = []

    def on_alarm(signum: int, frame: object) -> None:
        if fired:
            raise Overran(f"the crawl did not even stop within {GRACE_SECONDS:g} s more")
        fired.append(time.monotonic())
        signal.setitimer(signal.ITIMER_REAL, GRACE_SECONDS)
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (KeyboardInterrupt, Overran) as exc:
        if not fired:
            raise
        pytest.fail(f"the crawl was still going after {seconds:g} s ({exc!r})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
