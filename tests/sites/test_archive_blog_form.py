"""The home page's staff form crawls and archives a blog in one step."""

import pytest

from crawler.models import CrawlRun

pytestmark = pytest.mark.django_db


def test_staff_see_the_form_and_it_queues_a_crawl_that_archives(admin_client):
    assert "Archive a blog" in admin_client.get("/").content.decode()
    response = admin_client.post("/sites/archive", {"url": "https://blog.xuite.net/alice/diary"})
    run = CrawlRun.objects.get()
    assert run.archive_posts is True
    assert response["Location"] == f"/admin/crawler/site/{run.site_id}/change/"


def test_others_neither_see_nor_use_it(client):
    assert "Archive a blog" not in client.get("/").content.decode()
    response = client.post("/sites/archive", {"url": "https://blog.xuite.net/alice/diary"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CrawlRun.objects.exists()


def test_a_bad_address_comes_back_with_the_reason(admin_client):
    response = admin_client.post("/sites/archive", {"url": "ftp://nowhere/"}, follow=True)
    assert "Only http:// and https://" in response.content.decode()
