"""Who sees which site on the sites pages: staff every site, a person the
sites they added, nobody else any; a visitor who is not signed in is sent
to the sign-in page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from crawler.models import CrawlRun, Site
from tests.sites.pages_data import a_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="a-long-password-1")


@pytest.fixture
def bob():
    return get_user_model().objects.create_user("bob", password="a-long-password-2")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_sends_a_visitor_who_is_not_signed_in_to_the_sign_in_page(client, alice):
    site = a_site(posts=3, owner=alice)
    for path in ("/sites/", f"/sites/{site.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_sign_in_page_signs_a_person_in_and_lands_on_their_sites(client, alice):
    page = client.get("/accounts/login/?next=/sites/")
    assert page.status_code == 200 and b'name="password"' in page.content

    response = client.post("/accounts/login/", {"username": "alice",
                                                "password": "a-long-password-1",
                                                "next": "/sites/"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/sites/"
    assert client.get("/sites/").status_code == 200


def test_a_person_sees_the_sites_they_added_and_no_others(alice, bob):
    mine = a_site(url="https://blog.example.org/mine", posts=2, owner=alice)
    theirs = a_site(url="https://blog.example.org/theirs", posts=2, owner=bob)
    page = signed_in(alice).get("/sites/").content.decode()
    assert mine.url in page and theirs.url not in page
    assert signed_in(alice).get(f"/sites/{mine.pk}/").status_code == 200


def test_a_site_someone_else_added_is_not_found_for_a_person(alice, bob):
    theirs = a_site(posts=2, owner=bob)
    client = signed_in(alice)
    assert client.get(f"/sites/{theirs.pk}/").status_code == 404
    assert client.post(f"/sites/{theirs.pk}/crawl").status_code == 404
    assert CrawlRun.objects.filter(site=theirs).count() == 1  # nothing was started


def test_staff_see_every_site(admin_user, alice, bob):
    a_site(url="https://blog.example.org/one", posts=1, owner=alice)
    a_site(url="https://blog.example.org/two", posts=1, owner=bob)
    a_site(url="https://blog.example.org/nobody", posts=1)
    page = signed_in(admin_user).get("/sites/").content.decode()
    for name in ("one", "two", "nobody"):
        assert f"https://blog.example.org/{name}" in page


def test_adding_a_blog_makes_it_the_adders_and_queues_its_crawl_and_archive(alice, bob):
    """GIVEN a signed-in person WHEN they add a blog THEN a crawl that archives is
    queued, they see the site, and another person who adds the same blog sees it too."""
    client = signed_in(alice)
    response = client.post("/sites/add", {"url": "https://blog.xuite.net/alice/diary",
                                          "keep_warc": "1"})  # fmt: skip
    site = Site.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sites/{site.pk}/"
    assert list(site.added_by.all()) == [alice] and site.keep_warc
    assert CrawlRun.objects.get(site=site).archive_posts

    signed_in(bob).post("/sites/add", {"url": "https://blog.xuite.net/alice/diary"})
    assert set(site.added_by.all()) == {alice, bob}
    assert signed_in(bob).get(f"/sites/{site.pk}/").status_code == 200


def test_joining_a_blog_others_added_does_not_switch_its_local_copies_on(alice, bob):
    """Local copies cost disk and a second read of every post: the first to add a
    blog decides; someone adding it again later cannot turn them on."""
    signed_in(alice).post("/sites/add", {"url": "https://blog.xuite.net/alice/diary"})
    signed_in(bob).post("/sites/add", {"url": "https://blog.xuite.net/alice/diary",
                                       "keep_warc": "1"})  # fmt: skip
    site = Site.objects.get()
    assert set(site.added_by.all()) == {alice, bob} and not site.keep_warc


def test_adding_an_address_that_is_no_blog_says_why(alice):
    response = signed_in(alice).post("/sites/add", {"url": "ftp://example.org/x"}, follow=True)
    assert response.redirect_chain[-1][0] == "/sites/"
    assert not Site.objects.exists()
    assert b'class="messages"' in response.content
