"""One spelling per page, with the trailing slash as the platform has it."""

from __future__ import annotations

import pytest

from crawler.adapters.blogger import Blogger
from crawler.adapters.links import looks_like_post
from crawler.adapters.wordpress import WordPress
from crawler.adapters.xuite import Xuite
from crawler.canonical import canonicalize, folder, under


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Blog.Example.ORG:80/a/b", "http://blog.example.org/a/b"),
        ("https://example.org:443/x", "https://example.org/x"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org/x#comments", "https://example.org/x"),
        ("https://example.org/x?utm_source=a&utm_medium=b&fbclid=c&gclid=d", "https://example.org/x"),
        ("https://example.org/x?b=2&a=1", "https://example.org/x?a=1&b=2"),
        ("https://example.org/%e4%b8%ad", "https://example.org/%E4%B8%AD"),
        ("https://example.org", "https://example.org/"),
        ("mailto:someone@example.org", None),
        ("javascript:void(0)", None),
    ],
)
def test_it_spells_urls_one_way(given, expected):
    assert canonicalize(given) == expected


def test_it_adds_or_strips_the_trailing_slash_as_the_platform_does():
    assert canonicalize("https://e.org/2024/05/slug", slash="add") == "https://e.org/2024/05/slug/"
    assert canonicalize("https://e.org/post.html", slash="add") == "https://e.org/post.html"
    assert canonicalize("https://e.org/u/b/123/", slash="strip") == "https://e.org/u/b/123"
    assert canonicalize("https://e.org/x/", slash="keep") == "https://e.org/x/"


def test_it_resolves_relative_links_against_their_page():
    assert canonicalize("../c?x=1", base="https://e.org/a/b/") == "https://e.org/a/c?x=1"


def test_xuite_keeps_the_blog_home_of_any_url_on_it():
    xuite = Xuite()
    assert xuite.home("https://Blog.Xuite.net/alice/diary/123-title?&p=2") == (
        "https://blog.xuite.net/alice/diary")


def test_blogger_drops_the_mobile_view_parameter():
    blogger = Blogger()
    assert blogger.canonical("https://x.blogspot.com/2020/01/a.html?m=1") == (
        "https://x.blogspot.com/2020/01/a.html")


@pytest.mark.parametrize(
    ("url", "post_like"),
    [
        ("https://e.org/2024/05/a-day-out/", True),
        ("https://e.org/blog/12345", True),
        ("https://e.org/notes/my-first-long-post", True),
        ("https://e.org/about/", False),
        ("https://e.org/contact", False),
    ],
)
def test_it_tells_post_like_addresses(url, post_like):
    assert looks_like_post(url) is post_like


@pytest.mark.django_db
def test_any_page_of_a_xuite_blog_names_the_same_site():
    from crawler.services import site_for

    home = site_for(url="https://blog.xuite.net/alice/diary")
    assert site_for(url="https://blog.xuite.net/alice/diary/123-title?&p=2") == home
    assert home.url == "https://blog.xuite.net/alice/diary"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://e.org", "https://e.org/"),
        ("https://e.org/blog", "https://e.org/blog/"),
        ("https://e.org/blog/", "https://e.org/blog/"),
        ("https://e.org/blog/sitemap.xml", "https://e.org/blog/"),
        ("https://e.org/blog/sitemap.xml.gz", "https://e.org/blog/"),
        ("https://e.org/blog/?sitemap=index", "https://e.org/blog/"),
    ],
)
def test_a_url_names_its_folder(url, expected):
    assert folder(url) == expected


def test_under_keeps_to_the_folder_whatever_the_case_or_www():
    assert under("https://www.e.org/Blog/2024/05/a/", "https://e.org/blog/")
    assert not under("https://e.org/blogroll/a/", "https://e.org/blog")
    assert not under("https://e.org/shop/a/", "https://e.org/blog/")


# What WordPress makes under a home in a folder (``home_url``, ``get_rest_url``,
# ``WP_Sitemaps``, ``get_feed_link``), each naming that home.
@pytest.mark.parametrize(
    "url",
    [
        "https://e.org/blog",
        "https://e.org/blog/",
        "https://e.org/blog/wp-json/",
        "https://e.org/blog/wp-json/wp/v2/posts?per_page=100&page=2",
        "https://e.org/blog/index.php?rest_route=/wp/v2/posts",
        "https://e.org/blog/?rest_route=/",
        "https://e.org/blog/wp-sitemap.xml",
        "https://e.org/blog/wp-sitemap-posts-post-1.xml",
        "https://e.org/blog/sitemap.xml",
        "https://e.org/blog/sitemap_index.xml",
        "https://e.org/blog/xmlrpc.php",
        "https://e.org/blog/?sitemap=index",
        "https://e.org/blog/feed/",
        "https://e.org/blog/feed/?paged=3",
        "https://e.org/blog/?feed=rss2&paged=3",
        "https://e.org/blog/page/2/",
        "https://e.org/blog/?paged=2",
        "https://e.org/blog/?p=123",
    ],
)
def test_wordpress_addresses_name_the_blogs_home(url):
    assert WordPress().home(url) == "https://e.org/blog/"
