"""Every real Xuite blog URL shape maps to the right blog and post.

The shapes are those ArchiveTeam's xuite-grab recognises, taken from its
``xuite.lua`` (github.com/ArchiveTeam/xuite-grab, commit 69ea871f, 2023-08-30):
the item patterns (lines 343-375: ``user``, ``blog``, ``article``, on
``blog.xuite.net`` and ``m.xuite.net``), the trackback and ``?amp;`` links it
skips (lines 540-541), the mobile list API (line 1590) and the mobile
"random post" link ``m.xuite.net/blog/blog/{uid}/{id}`` (lines 410-418). It
fetches ``blog.xuite.net/…`` and ``m.xuite.net/blog/…`` as one page (lines
1532, 1807). A user id is ``[0-9A-Za-z._]+`` (mixed case, dots, underscores),
a blog name ``[0-9A-Za-z]+``, a post id ``[0-9]+``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.adapters.wayback import post_shape
from crawler.adapters.xuite import Xuite, _Matcher
from crawler.models import CrawlRun
from tests.support.crawling import crawl, stored

HOME = "https://blog.xuite.net/Alice.B_2/Diary01"
POST = f"{HOME}/12345678"
USER = "https://blog.xuite.net/Alice.B_2"

# (url, the blog home it names, the post it is, the list page it is)
SHAPES = [
    # user (xuite.lua: blog.xuite.net/{uid}, m.xuite.net/blog/{uid})
    ("https://blog.xuite.net/Alice.B_2", USER, None, None),
    ("https://m.xuite.net/blog/Alice.B_2", USER, None, None),
    # blog: its home and list pages
    ("https://blog.xuite.net/Alice.B_2/Diary01", HOME, None, 1),
    ("http://blog.xuite.net/Alice.B_2/Diary01/", HOME, None, 1),
    ("https://blog.xuite.net/Alice.B_2/Diary01?&p=3", HOME, None, 3),
    ("https://blog.xuite.net/Alice.B_2/Diary01/?&p=3", HOME, None, 3),
    ("https://m.xuite.net/blog/Alice.B_2/Diary01", HOME, None, 1),
    # blog: category lists, feeds and the other views, none of them a post
    ("https://blog.xuite.net/Alice.B_2/Diary01?st=c&p=2&w=101", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/?st=c&w=101&p=2", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/rss.xml", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/atom.xml", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/expert-view", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/list-view", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/snapshot-view", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/brick-view", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/mosaic-view", HOME, None, None),
    # article: {id}, {id}-{title}, and its mobile page
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678", HOME, POST, None),
    ("http://blog.xuite.net:80/Alice.B_2/Diary01/12345678", HOME, POST, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678-%E6%97%85%E8%A1%8C", HOME, POST, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678-旅行", HOME, POST, None),
    ("https://m.xuite.net/blog/Alice.B_2/Diary01/12345678", HOME, POST, None),
    ("http://m.xuite.net/blog/Alice.B_2/Diary01/12345678/", HOME, POST, None),
    # an article's cover images and trackback page are not posts
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678/cover.jpg", HOME, None, None),
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678/cover2.jpg?d=avatar_m.jpg", HOME, None,
     None),  # fmt: skip
    ("https://blog.xuite.net/Alice.B_2/Diary01/12345678/track", HOME, None, None),
    # the mobile list API is no post
    ("https://m.xuite.net/rpc/blog?method=loadMoreArticles&offset=11&userAcct=Alice.B_2"
     "&blogid=6063305", None, None, None),  # fmt: skip
    # the mobile "random post" link names user Diary01's post, not this blog's
    ("https://m.xuite.net/blog/blog/Diary01/12345678", None, None, None),
]


@pytest.mark.parametrize(("url", "home", "post", "page"), SHAPES)
def test_each_shape_names_its_blog(url, home, post, page):
    """The blog's home, in the scheme it was asked in (http or https alike)."""
    if home is not None:
        assert Xuite().home(url) == url.split("://")[0] + "://" + home.split("://")[1]


@pytest.mark.parametrize(("url", "home", "post", "page"), SHAPES)
def test_each_shape_is_read_as_the_post_or_page_it_is(url, home, post, page):
    """A list page's link (the Xuite adapter) and a captured URL (the wayback
    adapter, which spells every capture as the home does) agree."""
    assert _Matcher(HOME).read(url) == (post, page)
    assert post_shape(HOME, "xuite")(url) == post
    assert post_shape(HOME.replace("https:", "http:"), "xuite")(url) == (
        post and post.replace("https:", "http:"))


@pytest.mark.parametrize(("url", "home", "post", "page"), SHAPES)
def test_the_canonical_spelling_keeps_the_user_id_and_the_blog(url, home, post, page):
    """The canonicalizer lower-cases the host only: ``Alice.B_2/Diary01`` is
    another blog than ``alice.b_2/diary01`` on the live site; a mobile page
    is spelled as its desktop page."""
    spelled = urlsplit(Xuite().canonical(url) or "")
    if home is not None:
        assert spelled.netloc == "blog.xuite.net"
        assert spelled.path.startswith(urlsplit(home).path)


def test_a_mobile_post_and_its_desktop_page_are_one_post():
    assert Xuite().canonical("https://m.xuite.net/blog/Alice.B_2/Diary01/12345678") == POST


@pytest.mark.django_db
def test_a_blog_captured_under_its_mobile_address_is_listed_from_it(wayback):
    """GIVEN a gone Xuite blog the Archive captured partly as
    blog.xuite.net/{uid}/{blog}/{id} and partly only as its mobile page
    m.xuite.net/blog/{uid}/{blog}/{id} WHEN it is crawled with --adapter
    wayback from a mobile post's address THEN the run's home is the blog
    (not m.xuite.net/blog/{uid}), and every post is found once, spelled the
    desktop way."""
    home = "http://blog.xuite.net/alice/diary"
    desktop_ids = [12_000_000 + n * 37 for n in range(6)]
    mobile_ids = [13_000_000 + n * 41 for n in range(4)]
    for n, post_id in enumerate(desktop_ids):
        wayback.add_capture(f"{home}/{post_id}-%E6%97%85", 1_300_000_000 + n)
    for n, post_id in enumerate([*mobile_ids, desktop_ids[0]]):
        wayback.add_capture(f"https://m.xuite.net/blog/alice/diary/{post_id}", 1_400_000_000 + n)
    wayback.add_capture("https://m.xuite.net/blog/alice/diary", 1_400_000_000)
    wayback.add_capture("https://m.xuite.net/blog/alice/other/14000000", 1_400_000_000)

    run, announced = crawl("http://m.xuite.net/blog/alice/diary/13000000", adapter="wayback")

    expected = {f"{home}/{post_id}" for post_id in desktop_ids + mobile_ids}
    assert run.state == CrawlRun.State.DONE
    assert run.site.url == home
    assert sorted(announced) == sorted(expected)
    assert stored(run) == expected


@pytest.mark.django_db
def test_a_mobile_page_names_the_same_site_as_the_blog():
    from crawler.services import site_for

    home = site_for(url="https://blog.xuite.net/Alice.B_2/Diary01")
    assert site_for(url="https://m.xuite.net/blog/Alice.B_2/Diary01/12345678") == home
    assert site_for(url="https://m.xuite.net/blog/Alice.B_2/Diary01") == home
