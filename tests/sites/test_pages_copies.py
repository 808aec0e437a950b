"""A site that keeps local WARC copies: its page counts them and serves each
post's copy, sandboxed (the kept page is anyone's markup)."""

from __future__ import annotations

import re

import pytest

from tests.sites.kept_blog import kept_blog
from tests.support.crawling import crawl

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path):
    settings.WARC_DIR = str(tmp_path / "warc")


def test_the_site_page_links_each_posts_local_copy_and_serves_it_sandboxed(server, admin_client):
    """GIVEN a crawled blog of 4 posts whose site keeps WARC copies WHEN its page is shown
    THEN the local-copy bar counts 4 of 4 and each row links its copy, which is served
    as the blog sent it, under a CSP sandbox, with no network."""
    blog, site, bodies = kept_blog(server, 4)
    crawl(blog.base + "/")
    server.stop()

    html = admin_client.get(f"/sites/{site.pk}/").content.decode()
    assert "4 of 4 kept" in html
    links = re.findall(r'href="(/sites/\d+/copy\?url=[^"]+)"', html)
    assert len(links) == 4
    response = admin_client.get(links[0].replace("&amp;", "&"))
    assert response.status_code == 200 and response.content in bodies.values()
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_a_copy_of_a_page_that_is_not_one_of_the_sites_posts_is_not_served(server, admin_client):
    blog, site, _ = kept_blog(server, 2)
    crawl(blog.base + "/")
    response = admin_client.get(f"/sites/{site.pk}/copy?url=https://elsewhere.example.org/")
    assert response.status_code == 404


def test_a_kept_post_that_answered_as_a_script_is_served_as_a_file(server, admin_client):
    """GIVEN a blog whose "post" answered text/javascript (anyone's server says what it
    likes) WHEN its local copy is asked for THEN it comes as a download, never as a
    script of this site's own origin that a page here could load past its CSP."""
    from urllib.parse import urlsplit

    from tests.support.http import Reply

    blog, site, bodies = kept_blog(server, 2)
    hostile = sorted(bodies)[0]
    script = {"Content-Type": "text/javascript"}
    server.route(urlsplit(hostile).path, Reply(200, b"document.title='pwned'", script))
    crawl(blog.base + "/")

    response = admin_client.get(f"/sites/{site.pk}/copy", {"url": hostile})

    assert response.status_code == 200 and response.content == b"document.title='pwned'"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    page = admin_client.get(f"/sites/{site.pk}/copy", {"url": sorted(bodies)[1]})
    assert page["Content-Type"].startswith("text/html") and page.content in bodies.values()


def test_the_feed_ignores_ids_that_are_not_plain_digits(client, django_user_model):
    """``?ids=²`` (a digit to str.isdigit, not to int) is ignored, not a 500."""
    from sites.pages.feed import _ids

    assert _ids("1,²,x, 3 ,٣") == [1, 3]
