"""Very long URLs and host names are refused at once, with a clear message,
by the bookmarklet page, the Kagi-style API, the archive button and API jobs."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from summarizer.models import Summary
from waybrief.fetching.urls import MAX_URL_LENGTH

HUGE_URL = "https://example.org/search?q=" + "a" * 100_000
LONG_LABEL_HOST = "a" * 300 + ".example"

@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [(HUGE_URL, "longer than 4096 characters"), (f"https://{LONG_LABEL_HOST}/", "too long")],
)
def test_the_bookmarklet_page_answers_a_clear_400(client, url, message):
    response = client.get("/summarize", {"url": url})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert len(page) < 20_000  # the address is shown cut short, not echoed whole
    assert Summary.objects.count() == 0


@pytest.mark.django_db
def test_the_longest_allowed_url_is_stored_whole(client):
    """GIVEN a URL of exactly MAX_URL_LENGTH WHEN the bookmarklet page takes it
    THEN the summary row holds all of it (the columns are as wide as the check)."""
    url = "https://example.org/" + "a" * (MAX_URL_LENGTH - len("https://example.org/"))
    assert client.get("/summarize", {"url": url}).status_code == 200
    assert Summary.objects.get().url == url


@pytest.fixture
def bot(django_user_model) -> APIClient:
    user = django_user_model.objects.create_user(username="long-url-reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bot {AuthToken.objects.create(user=user)[1]}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("url", "message"),
    [(HUGE_URL, "longer than 4096 characters"), (f"https://{LONG_LABEL_HOST}/", "too long")],
)
def test_the_kagi_api_answers_a_400_in_its_error_shape(bot, method, url, message):
    if method == "get":
        response = bot.get("/api/v0/summarize", {"url": url})
    else:
        response = bot.post("/api/v0/summarize", {"url": url}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert body["error"][0]["code"] == 1 and message in body["error"][0]["msg"]  # Kagi: malformed
    assert Summary.objects.count() == 0


ARCHIVE_TOO_LONG = "https://example.org/" + "a" * 2_500  # summarizable, not archivable


@pytest.mark.django_db
def test_the_archive_button_refuses_an_address_too_long_to_archive(client):
    """GIVEN a 2,520-character URL (within the summarizer's limit, past the
    archiver's 2,000) WHEN its archive button is pressed THEN a clear 400, no capture."""
    from archiver.models import Capture

    response = client.post("/archive", {"url": ARCHIVE_TOO_LONG})
    assert response.status_code == 400
    assert "too long to archive (over 2,000 characters)" in response.content.decode()
    assert Capture.objects.count() == 0


@pytest.mark.django_db
def test_an_api_job_names_an_address_too_long_to_archive_by_index(django_user_model):
    """GIVEN a job to archive and summarize a good URL and a 2,520-character one
    WHEN it is posted THEN a 400 names the long one by index, and nothing is written;
    a summarize-only job takes the same URL."""
    from api.models import Job

    user = django_user_model.objects.create_user(username="long-url-jobs")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    urls = ["https://example.org/fine", ARCHIVE_TOO_LONG]

    both = api.post("/api/v1/jobs/", {"urls": urls, "actions": ["archive", "summarize"]},
                    format="json")  # fmt: skip
    summarize_only = api.post("/api/v1/jobs/", {"urls": urls, "actions": ["summarize"]},
                              format="json")  # fmt: skip

    assert both.status_code == 400, both.content
    assert [(e["index"], "too long to archive" in e["reason"]) for e in both.json()["errors"]] == [
        (1, True)
    ]
    assert summarize_only.status_code == 201, summarize_only.content
    assert Job.objects.count() == 1
