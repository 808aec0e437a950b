"""/api/v1/jobs: bulk archiving and summarizing, validated and idempotent."""

import pytest
from rest_framework.test import APIClient

from api.models import Job, JobItem
from archiver.models import Capture
from summarizer.models import Summary

pytestmark = pytest.mark.django_db

URLS = ["https://example.org/1", "https://example.org/2", "https://example.org/3"]


def post_job(api, **body):
    body.setdefault("urls", URLS)
    body.setdefault("actions", ["archive", "summarize"])
    return api.post("/api/v1/jobs/", body, format="json")


def test_it_creates_a_job_with_one_item_per_url_and_action(api):
    response = post_job(api)
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.items.count() == 6
    assert Capture.objects.count() == 3 and Summary.objects.count() == 3
    progress = response.json()["progress"]
    assert progress["actions"] == {"archive": {"pending": 3}, "summarize": {"pending": 3}}
    assert (progress["total"], progress["finished"]) == (6, False)


def test_bad_urls_are_reported_by_index_and_nothing_is_accepted(api):
    response = post_job(api, urls=["https://ok.example/", "ftp://x/", "not a url"])
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [1, 2]
    assert not Job.objects.exists() and not Capture.objects.exists()


def test_skip_invalid_accepts_the_good_ones(api):
    response = post_job(api, urls=["https://ok.example/", "ftp://x/"], skip_invalid=True)
    assert response.status_code == 201
    assert [e["index"] for e in response.json()["rejected"]] == [1]
    assert JobItem.objects.filter(url="https://ok.example/").count() == 2


def test_a_retried_post_with_the_same_idempotency_key_returns_the_same_job(api):
    first = api.post("/api/v1/jobs/", {"urls": URLS}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post("/api/v1/jobs/", {"urls": URLS}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Job.objects.count() == 1


def test_items_are_paginated_and_filtered(api):
    job_id = post_job(api).json()["id"]
    Summary.objects.filter(url=URLS[0]).update(state="done", output="Short.")
    page = api.get(f"/api/v1/jobs/{job_id}/items/", {"action": "summarize", "state": "done"})
    assert page.status_code == 200
    assert page.json()["count"] == 1
    item = page.json()["results"][0]
    assert (item["url"], item["state"], item["summary"]) == (URLS[0], "done", "Short.")


def test_delete_cancels_what_has_not_started(api):
    job_id = post_job(api, actions=["summarize"]).json()["id"]
    Summary.objects.filter(url=URLS[0]).update(state="summarizing")
    response = api.delete(f"/api/v1/jobs/{job_id}/")
    assert response.status_code == 200
    counts = response.json()["progress"]["actions"]["summarize"]
    assert counts == {"cancelled": 2, "summarizing": 1}


def test_cancelling_a_job_stops_the_saves_only_it_asked_for(api):
    """GIVEN a job archiving 3 URLs, one of which a crawl had already asked for
    WHEN the job is cancelled before any save THEN its own 2 captures end (no save
    will go out for them) and the shared one goes on for the crawl."""
    from archiver.services import archive_urls

    archive_urls([URLS[2]], source="crawl run 7", enqueue=False)
    job_id = post_job(api, actions=["archive"]).json()["id"]

    response = api.delete(f"/api/v1/jobs/{job_id}/")

    assert response.json()["progress"]["actions"]["archive"] == {"cancelled": 3}
    states = dict(Capture.objects.values_list("url", "state"))
    assert states == {URLS[0]: "failed", URLS[1]: "failed", URLS[2]: "pending"}
    assert Capture.objects.get(url=URLS[0]).reason.startswith("cancelled")


def test_a_job_is_private_to_its_owner(api, django_user_model):
    job_id = post_job(api).json()["id"]
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve"))
    assert other.get(f"/api/v1/jobs/{job_id}/").status_code == 404
    assert APIClient().get(f"/api/v1/jobs/{job_id}/").status_code == 401


def test_ten_thousand_urls_take_a_bounded_number_of_queries_and_messages(
    api, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    urls = [f"https://example.org/post/{i}" for i in range(10_000)]
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(120):
        response = post_job(api, urls=urls)
    assert response.status_code == 201
    assert JobItem.objects.count() == 20_000
    assert len(callbacks) == 20  # ten fan-out messages per action, not 20,000


def test_the_latest_summary_of_a_url(api, user):
    Summary.objects.create(
        url=URLS[0], state="done", output="Old.", finished_at="2026-01-01T00:00Z", owner=user
    )
    Summary.objects.create(
        url=URLS[0], state="done", output="New.", finished_at="2026-02-01T00:00Z", owner=user
    )
    assert api.get("/api/v1/summaries/", {"url": URLS[0]}).json()["output"] == "New."
    assert api.get("/api/v1/summaries/", {"url": URLS[1]}).status_code == 404
