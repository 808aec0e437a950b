"""The Wayback client reads answers, including the errors hidden in HTTP 200s."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from wayback import (
    CaptureError,
    JobNotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    WaybackClient,
    cdx,
)
from waybrief.fetching import retry_after as retry_after_seconds

URL = "https://blog.example.org/post/1"


@pytest.fixture
def client(wayback) -> WaybackClient:
    return WaybackClient(base_url=wayback.base_url, timeout=5)


def test_it_saves_and_polls_a_job_until_success(client, wayback):
    """GIVEN the stand-in WHEN a URL is saved and its job polled
    THEN the job goes from pending to success with a timestamp."""
    wayback.job_seconds = 0.3
    job_id = client.save(URL).job_id
    assert client.status(job_id).status == "pending"
    time.sleep(0.35)
    done = client.status(job_id)
    assert done.status == "success" and len(done.timestamp) == 14
    assert done.original_url == URL


def test_it_sends_the_keys_as_a_low_authorization_header(wayback):
    """GIVEN a stand-in that wants keys WHEN saving with and without them
    THEN only the LOW key:secret header is let through."""
    wayback.keys = "key:secret"
    with pytest.raises(Unauthorized):
        WaybackClient(base_url=wayback.base_url).save(URL)
    keyed = WaybackClient(base_url=wayback.base_url, access_key="key", secret_key="secret")
    assert keyed.save(URL).job_id.startswith("spn2-")


def test_it_reads_an_error_inside_an_http_200(client, wayback):
    """GIVEN SPN2 answering 200 with status error WHEN saving
    THEN the status_ext comes back as a CaptureError, classified."""
    wayback.save_errors[URL] = [("error:blocked-url", "This URL is excluded.")]
    with pytest.raises(CaptureError) as caught:
        client.save(URL)
    assert caught.value.status_ext == "error:blocked-url"
    assert caught.value.permanent
    assert "excluded" in caught.value.reason


def test_it_reads_a_job_that_ended_in_error(client, wayback):
    """GIVEN a job that fails WHEN polled THEN the error and its reason surface."""
    wayback.job_errors[URL] = ["error:browsing-timeout"]
    job_id = client.save(URL).job_id
    time.sleep(0.1)
    with pytest.raises(CaptureError) as caught:
        client.status(job_id)
    assert not caught.value.permanent and not caught.value.slow_down


def test_it_tells_a_forgotten_job(client):
    with pytest.raises(JobNotFound):
        client.status("spn2-unknown")


def test_it_reports_429_with_retry_after(client, wayback):
    """GIVEN a stand-in limited to one save a minute WHEN saving twice
    THEN the second raises RateLimited carrying Retry-After."""
    wayback.save_limit, wayback.retry_after = 1, "7"
    client.save(URL)
    with pytest.raises(RateLimited) as caught:
        client.save(URL + "/2")
    assert caught.value.retry_after == 7


def test_it_reads_retry_after_as_seconds_or_a_date():
    later = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds("12") == 12
    assert 25 < retry_after_seconds(later) <= 30
    assert retry_after_seconds("soon") is None


def test_it_calls_an_outage_unavailable_and_a_dead_port_too(client, wayback):
    """GIVEN a 503 or nobody listening WHEN asked THEN Unavailable, not sent."""
    wayback.outage(5)
    with pytest.raises(Unavailable) as caught:
        client.save(URL)
    assert not caught.value.maybe_sent
    with pytest.raises(Unavailable):
        WaybackClient(base_url="http://127.0.0.1:9", timeout=2).available(URL)


def test_it_flags_a_save_whose_answer_never_came_as_maybe_sent(wayback):
    """GIVEN a save answered after the client's timeout WHEN saving
    THEN Unavailable says the save may have been sent."""
    wayback.save_delay = 1.0
    with pytest.raises(Unavailable) as caught:
        WaybackClient(base_url=wayback.base_url, timeout=0.3).save(URL)
    assert caught.value.maybe_sent


def test_it_finds_captures_through_availability_and_cdx(client, wayback):
    """GIVEN captures a day and a minute old WHEN looked up
    THEN availability gives the latest and CDX the one since a time."""
    day_old = wayback.add_capture(URL, time.time() - 86400)
    fresh = wayback.add_capture(URL, time.time() - 60)
    latest = client.available(URL)
    assert latest.timestamp == fresh
    assert latest.wayback_url == f"{wayback.base_url}/web/{fresh}/{URL}"
    since = cdx.latest_capture(client, URL, since=datetime.now(UTC) - timedelta(hours=1))
    assert since.timestamp == fresh
    rows, _ = client.cdx_page([("url", URL)])
    assert [row["timestamp"] for row in rows] == [day_old, fresh]
    assert client.available(URL + "/never") is None
    assert cdx.latest_capture(client, URL + "/never", since=datetime.now(UTC)) is None
