"""Blogs in a subfolder (``example.com/blog/``), and a sitemap given as the start.

The site root of these blogs answers 404. The WordPress ones use the
addresses WordPress makes under its home: ``wp-json/wp/v2/posts``,
``wp-sitemap.xml`` (``sitemap.xml`` redirecting to it), ``feed/?paged=N``,
and with plain permalinks ``index.php?rest_route=/wp/v2/posts``,
``?sitemap=index`` and ``?feed=rss2&paged=N``.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from crawler.models import CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.static import SitemapSite
from tests.support.sites.wordpress import WordPressSite

pytestmark = pytest.mark.django_db


# --- the sitemap adapter -------------------------------------------------------


@pytest.mark.parametrize("adapter", ["", "sitemap"])
def test_the_sitemap_in_the_blogs_folder_is_read_though_the_root_answers_404(server, adapter):
    """GIVEN a site at /blog/ whose root answers 404, with no robots.txt and
    its sitemap at /blog/sitemap.xml WHEN /blog/ is crawled (detected, or
    with --adapter sitemap) THEN its posts are found from that sitemap and
    the root is never read."""
    site = SitemapSite(server, posts=40, folder="/blog")

    run, announced = crawl(site.home, adapter=adapter)

    assert run.adapter == "sitemap"
    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected
    assert server.hits["/"] == 0
    assert server.hits["/blog/sitemap-tags.xml"] == 0


def test_the_crawl_command_prints_the_posts_of_a_blog_in_a_folder(server):
    """GIVEN a site at /blog/ whose root answers 404 WHEN `crawl URL
    --adapter sitemap` runs on /blog/ THEN stdout holds its posts, one a
    line (it used to fail: "http://…/ cannot be read: it answered 404")."""
    site = SitemapSite(server, posts=12, folder="/blog")
    out, err = StringIO(), StringIO()

    call_command("crawl", site.home, "--adapter", "sitemap", stdout=out, stderr=err)

    assert sorted(out.getvalue().splitlines()) == sorted(site.expected)


def test_robots_txt_names_the_sitemap_when_the_folder_has_none(server):
    """GIVEN a blog at /blog/ without a sitemap of its own, whose site's
    robots.txt names a root sitemap that also lists the shop at /shop/ WHEN
    /blog/ is crawled with --adapter sitemap THEN the folder is looked in
    first, then robots.txt's sitemap gives the posts: only those in /blog/."""
    site = SitemapSite(server, posts=25, folder="/blog", in_folder=False)

    run, announced = crawl(site.home, adapter="sitemap")

    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected
    assert server.hits["/blog/sitemap.xml"] == 1
    assert server.hits["/sitemap.xml"] == 0  # the root's own, not needed


@pytest.mark.parametrize("adapter", ["", "sitemap"])
def test_a_sitemap_given_as_the_start_is_read(server, adapter):
    """GIVEN a blog in /blog/ WHEN its /blog/sitemap.xml is given as the
    start (detected, or with --adapter sitemap) THEN every post is found."""
    site = SitemapSite(server, posts=30, folder="/blog")

    run, announced = crawl(site.home + "sitemap.xml", adapter=adapter)

    assert run.adapter == "sitemap"
    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected
    assert server.hits["/"] == 0


def test_a_plain_permalink_wordpress_sitemap_gives_its_posts(server):
    """GIVEN WordPress at /blog/ with plain permalinks (posts /blog/?p=ID,
    its sitemap at /blog/?sitemap=index) WHEN it is crawled with --adapter
    sitemap THEN its ?p=ID posts are found (they are no pager pages), and
    its fixed pages and categories are not."""
    site = WordPressSite(server, posts=30, folder="/blog", plain=True)

    run, announced = crawl(site.home, adapter="sitemap")

    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected


def test_no_sitemap_anywhere_fails_saying_where_it_looked(server):
    """GIVEN a blog at /blog/ with no sitemap anywhere WHEN it is crawled
    with --adapter sitemap THEN the run fails, naming the places looked in."""
    site = WordPressSite(server, posts=5, folder="/blog", plain=True, sitemap=False)

    run, announced = crawl(site.home, adapter="sitemap")

    assert run.state == CrawlRun.State.FAILED
    assert announced == []
    assert f"{site.home}sitemap.xml" in run.error and f"{site.base}/sitemap.xml" in run.error
    assert "robots.txt" in run.error


# --- WordPress ---------------------------------------------------------------------


@pytest.mark.parametrize("plain", [False, True], ids=["pretty", "plain"])
def test_wordpress_in_a_subfolder_is_detected_and_read_whole(server, plain):
    """GIVEN WordPress at /blog/ (root 404), 30 posts, 10 on each of its own
    list pages, pretty or plain permalinks WHEN /blog/ is crawled without
    --adapter THEN it is read as WordPress, and the REST API and the core
    sitemap each give all 30 posts."""
    site = WordPressSite(server, posts=30, folder="/blog", plain=plain)

    run, announced = crawl(site.home)

    assert run.adapter == "wordpress"
    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected
    assert run.stats["rest_posts"] == run.stats["sitemap_posts"] == 30
    assert server.hits["/"] == 0


@pytest.mark.parametrize("plain", [False, True], ids=["pretty", "plain"])
def test_wordpress_in_a_subfolder_falls_back_to_its_feed(server, plain):
    """GIVEN WordPress at /blog/ with its REST API and sitemap off WHEN it is
    crawled THEN the paged feed (/blog/feed/?paged=N, or with plain
    permalinks /blog/?feed=rss2&paged=N) gives every post."""
    site = WordPressSite(server, posts=35, folder="/blog", plain=plain, rest=False, sitemap=False)

    run, announced = crawl(site.home, adapter="wordpress")

    assert set(announced) == site.expected
    assert run.stats["feed_posts"] == 35
    last = "/blog/?feed=rss2&paged=4" if plain else "/blog/feed/?paged=4"
    assert server.hits[last] == 1


@pytest.mark.parametrize(
    ("plain", "start"),
    [(False, "sitemap.xml"), (False, "wp-sitemap.xml"), (True, "?sitemap=index")],
    ids=["sitemap.xml", "wp-sitemap.xml", "plain"],
)
def test_a_wordpress_sitemap_given_as_the_start_reads_the_blog(server, plain, start):
    """GIVEN WordPress at /blog/ WHEN its sitemap is given as the start
    (/blog/sitemap.xml, which WordPress redirects to /blog/wp-sitemap.xml;
    or plain permalinks' /blog/?sitemap=index) THEN it is read as WordPress
    and every post is found."""
    site = WordPressSite(server, posts=30, folder="/blog", plain=plain)

    run, announced = crawl(site.home + start)

    assert run.adapter == "wordpress"
    assert run.state == CrawlRun.State.DONE, run.error
    assert set(announced) == site.expected
    assert run.stats["sitemap_posts"] == 30


def test_a_wordpress_crawl_started_at_a_post_reads_the_whole_blog(server):
    """GIVEN WordPress at /blog/ with its REST API off WHEN one of its posts
    is given as the start THEN the home its pages name (their REST API
    link) is the blog's, and its sitemap gives every post."""
    site = WordPressSite(server, posts=30, folder="/blog", rest=False)

    run, announced = crawl(site.post_url(7))

    assert run.adapter == "wordpress"
    assert run.base_url == site.home
    assert set(announced) == site.expected
    assert server.hits["/blog/wp-sitemap.xml"] == 1


def test_wordpress_is_told_by_its_link_header_when_the_page_hides_it(server):
    """GIVEN WordPress at /blog/ whose pages carry none of its marks (a
    plugin strips them) but whose answers keep WordPress's ``Link: <…/wp-json/>;
    rel="https://api.w.org/"`` header WHEN /blog/ is crawled THEN it is read
    as WordPress and every post is found."""
    site = WordPressSite(server, posts=30, folder="/blog", hidden=True)

    run, announced = crawl(site.home)

    assert run.adapter == "wordpress"
    assert set(announced) == site.expected


def test_a_resumed_wordpress_run_keeps_the_blogs_home(server):
    """GIVEN a WordPress crawl started at a post of /blog/, stopped after it
    ran WHEN it is resumed THEN it goes on from the blog's home (its
    base_url), never from the post: nothing under the post's path is asked."""
    site = WordPressSite(server, posts=20, folder="/blog", rest=False)
    start = site.post_url(3)
    run, _ = crawl(start)
    CrawlRun.objects.filter(pk=run.pk).update(state=CrawlRun.State.STOPPED)

    again, announced = crawl(start)

    assert again.pk == run.pk
    assert again.state == CrawlRun.State.DONE
    assert set(announced) == site.expected
    post_path = start.removeprefix(site.base)
    assert [path for path in server.hits if path.startswith(post_path) and path != post_path] == []


@pytest.mark.parametrize(
    ("captured", "post"),
    [
        ("http://www.e.org/blog/?p=1234", "https://e.org/blog/?p=1234"),
        ("https://e.org/blog/2020/01/a-day-out/", "https://e.org/blog/2020/01/a-day-out/"),
        ("https://e.org/blog/?paged=2", None),
        ("https://e.org/blog/?feed=rss2", None),
        ("https://e.org/blog/feed/", None),
        ("https://e.org/blog/?sitemap=index", None),
        ("https://e.org/blog/wp-json/wp/v2/posts", None),
        ("https://e.org/blog/page/2/", None),
        ("https://e.org/shop/?p=1234", None),
    ],
)
def test_the_archives_captures_of_a_wordpress_blog_in_a_folder_are_told_apart(captured, post):
    """A capture of a plain permalink (?p=ID) is a post of the blog, not a
    pager page; WordPress's own list, feed, sitemap and API pages are not."""
    from crawler.adapters.wayback import post_shape

    assert post_shape("https://e.org/blog/")(captured) == post
