"""/api/v1/sites: queue a blog for crawling and archiving, and watch it."""

import pytest

from crawler.models import CrawlRun

pytestmark = pytest.mark.django_db


def test_posting_a_site_queues_a_crawl_that_archives(api):
    response = api.post("/api/v1/sites/", {"url": "https://blog.xuite.net/alice/diary"},
                        format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == "https://blog.xuite.net/alice/diary"
    assert body["latest_run"]["state"] == "pending" and body["latest_run"]["archive_posts"]
    assert body["progress"] == {"found": 0, "archived": 0, "pending": 0, "failed": 0,
                                "not_requested": 0}  # fmt: skip
    assert api.get(f"/api/v1/sites/{body['id']}/").json()["id"] == body["id"]
    assert CrawlRun.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"url": "ftp://example.org/"}, "url"), ({"url": "https://e.org/", "adapter": "nope"}, "url")],
)
def test_bad_sites_are_refused_with_the_reason(api, body, field):
    response = api.post("/api/v1/sites/", body, format="json")
    assert response.status_code == 400 and field in response.json()
