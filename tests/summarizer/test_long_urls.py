"""Very long URLs and host names are refused at once, with a clear message,
by check_url, the Fetcher, the bookmarklet page and the Kagi-style API."""

import time

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from summarizer.models import Summary
from tests.support.http import Reply
from waybrief.fetching import Fetcher
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import MAX_URL_LENGTH, check_url

HUGE_URL = "https://example.org/search?q=" + "a" * 100_000
LONG_LABEL_HOST = "a" * 300 + ".example"


def test_a_100000_character_url_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(InvalidURL, match=f"longer than {MAX_URL_LENGTH} characters") as refusal:
        check_url(HUGE_URL)
    assert time.monotonic() - started < 0.1
    assert len(refusal.value.url) <= 200  # the error does not carry the whole URL around


def test_the_longest_url_allowed_is_exactly_the_limit():
    """GIVEN URLs of MAX_URL_LENGTH and one character more WHEN checked
    THEN the first passes and the second is refused."""
    at_limit = "https://example.org/" + "a" * (MAX_URL_LENGTH - len("https://example.org/"))
    assert check_url(at_limit) == at_limit
    with pytest.raises(InvalidURL):
        check_url(at_limit + "a")


@pytest.mark.parametrize(
    "host",
    [LONG_LABEL_HOST, "a" * 64 + ".example", ".".join(["abcdefghi"] * 26) + ".example"],
    ids=["300-character label", "64-character label", "267-character name"],
)
def test_a_host_name_past_the_dns_limits_is_refused(host):
    """GIVEN a label over 63 characters or a name over 253 WHEN checked
    THEN it is refused as invalid, not passed on to a resolver that would
    raise UnicodeError instead of a lookup error."""
    with pytest.raises(InvalidURL, match="host name is too long"):
        check_url(f"https://{host}/")


def test_a_host_name_at_the_dns_limits_passes():
    label = "a" * 63
    assert check_url(f"https://{label}.example/")
    assert check_url("https://" + ".".join([label] * 3) + "." + "b" * 61 + "/")  # 253


@pytest.mark.parametrize("kind", ["huge url", "long label"])
def test_the_fetcher_refuses_long_urls_before_connecting(site, kind):
    """GIVEN a fetcher that allows loopback and a stub resolver that sends the long
    name to the local server WHEN a long URL aimed there is fetched THEN it is
    refused as invalid at once and the server sees nothing."""
    site.route("/", Reply(200, b"reached", {"Content-Type": "text/plain"}))
    fetcher = Fetcher(
        allow_private=True, resolver=lambda host, port: ["127.0.0.1"], timeout=5, max_redirects=0
    )
    url = (
        f"http://127.0.0.1:{site.port}/?q=" + "a" * 100_000
        if kind == "huge url"
        else f"http://{LONG_LABEL_HOST}:{site.port}/"
    )
    started = time.monotonic()
    with pytest.raises(InvalidURL):
        fetcher.fetch(url)
    assert time.monotonic() - started < 0.5
    assert sum(site.hits.values()) == 0


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
    assert body["error"][0]["code"] == 400 and message in body["error"][0]["msg"]
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
