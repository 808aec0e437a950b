"""The API shows a user their own summaries only (issue 24 item 2, issue 16 item 5).

Any token could read any summary at /api/v1/summaries/N/, private texts
included. Now every summary made through the API has an owner, and the
summaries endpoints answer another user's summary as if it did not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from summarizer import services
from summarizer.models import Summary

pytestmark = pytest.mark.django_db
URL = "https://example.org/shared-topic"


def client_of(username: str) -> tuple[APIClient, object]:
    user = get_user_model().objects.create_user(username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client, user


def done(summary: Summary, output: str) -> Summary:
    Summary.objects.filter(pk=summary.pk).update(state="done", output=output,
                                                 finished_at=timezone.now())  # fmt: skip
    return summary


def test_a_user_reads_and_lists_their_own_summaries_and_no_one_elses():
    """GIVEN alice's text summary and alice's summary of a URL
    THEN alice reads both (by id, and the URL by ?url=); bob gets 404 for each,
    and his own ?url= lookup of the same URL does not find alice's."""
    alice_api, alice = client_of("alice")
    bob_api, _bob = client_of("bob")
    text = done(services.request_text_summary(text="Alice's memo. " * 20, owner=alice),
                "The memo, summarized.")  # fmt: skip
    page = done(services.request_summary(url=URL, owner=alice, enqueue=False), "Alice's view.")

    for summary in (text, page):
        assert alice_api.get(f"/api/v1/summaries/{summary.pk}/").status_code == 200
        answer = bob_api.get(f"/api/v1/summaries/{summary.pk}/")
        assert answer.status_code == 404 and "summarized" not in answer.content.decode()
    assert alice_api.get("/api/v1/summaries/", {"url": URL}).json()["output"] == "Alice's view."
    assert bob_api.get("/api/v1/summaries/", {"url": URL}).status_code == 404


def test_summaries_a_job_asks_for_belong_to_the_jobs_owner():
    alice_api, alice = client_of("alice")
    answer = alice_api.post("/api/v1/jobs/", {"urls": [URL], "actions": ["summarize"]},
                            format="json")  # fmt: skip
    assert answer.status_code == 201
    assert list(Summary.objects.values_list("owner", flat=True)) == [alice.pk]


def test_text_and_cache_false_summaries_record_their_owner_and_are_private():
    _api, alice = client_of("alice")
    text = services.request_text_summary(text="Some text to summarize.", owner=alice)
    uncached = services.request_summary(url=URL, keep=False, owner=alice, enqueue=False)
    public = services.request_summary(url=URL + "/2", owner=alice, enqueue=False)
    assert [(s.owner, s.private) for s in (text, uncached, public)] == [
        (alice, True), (alice, True), (alice, False)]  # fmt: skip
