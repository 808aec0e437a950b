"""Sites and crawls in the admin: listed, inspectable, crawlable in one action."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun, DiscoveredURL, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    site = Site.objects.create(url="https://blog.xuite.net/alice/diary", adapter="xuite")
    run = CrawlRun.objects.create(site=site, adapter="xuite", state=CrawlRun.State.DONE,
                                  urls_found=1, pages_fetched=2)  # fmt: skip
    DiscoveredURL.objects.create(site=site, run=run, last_run=run, url=f"{site.url}/123")
    return site


@pytest.mark.parametrize("model", ["site", "crawlrun", "discoveredurl", "crawledpage"])
def test_every_crawler_list_shows(admin_client, site, model):
    assert admin_client.get(f"/admin/crawler/{model}/").status_code == 200


def test_a_run_can_be_inspected(admin_client, site):
    run = site.runs.get()
    page = admin_client.get(f"/admin/crawler/crawlrun/{run.pk}/change/")
    assert page.status_code == 200
    assert b"xuite" in page.content


def test_the_crawl_action_queues_a_run_for_the_workers(
    admin_client, site, django_capture_on_commit_callbacks
):
    """GIVEN a site WHEN 'Crawl the selected sites now' is chosen THEN a new
    pending run exists and its message waits for the commit."""
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post("/admin/crawler/site/", {
            "action": "crawl", "_selected_action": [site.pk]}, follow=True)  # fmt: skip

    assert response.status_code == 200
    assert site.runs.filter(state=CrawlRun.State.PENDING).count() == 1
    assert len(callbacks) == 1
