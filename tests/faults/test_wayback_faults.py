"""The Archive misbehaving under real workers: anonymous saves refused, errors inside
HTTP 200, and job ids forgotten by the status endpoint.

(429 storms, a long 503 outage and a worker killed mid-save are in
tests/archiver/test_archive_workers.py; the client's reading of each answer
is in tests/archiver/test_client.py.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from archiver.models import Capture, CaptureEvent
from tests.support.fake_wayback import FakeWayback
from tests.support.scenarios import make_batch, outcome
from tests.support.waiting import wait_until
from tests.support.workers import stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_on_401_every_url_waits_for_keys_and_is_archived_once_they_are_set(
    private_redis, workers, wayback, pages
):
    """GIVEN an Archive that refuses anonymous saves (401) and workers without keys
    WHEN 10 URLs are asked for THEN none fails: each waits, saying to set the keys;
    and once workers with keys replace them, each is archived with one save."""
    broker = private_redis()
    wayback.keys = "key:secret"
    batch = make_batch("keys", 10, 0, pages)
    (anonymous,) = workers(broker.url, beat=True, WAYBACK_AUTH_RETRY_SECONDS=1)
    batch.ring(broker.url)
    wait_until(lambda: len([a for a in wayback.saves() if a.status == 401]) >= 3, timeout=30)

    rows = Capture.objects.filter(pk__in=batch.capture_ids)
    # "submitted" is written before each retried save is sent; the 401 puts it back.
    assert set(rows.values_list("state", flat=True)) <= {"pending", "submitted"}
    assert "WAYBACK_ACCESS_KEY" in "".join(rows.values_list("reason", flat=True))
    assert not CaptureEvent.objects.filter(to_state="failed").exists()
    stop(anonymous)
    workers(broker.url, beat=True, WAYBACK_AUTH_RETRY_SECONDS=1,
            WAYBACK_ACCESS_KEY="key", WAYBACK_SECRET_KEY="secret")  # fmt: skip
    wait_until(batch.all_final, timeout=60, interval=0.2)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated, result.states) == (0, 0, {"archived": 10})
    assert not CaptureEvent.objects.filter(to_state="failed").exists()


def test_errors_inside_http_200_are_read_on_the_save_and_on_the_poll(
    private_redis, workers, wayback, pages
):
    """GIVEN an Archive answering 200 with status error: on POST /save (a transient
    error for 4 URLs, a permanent one for 1) and on the status poll (transient for 4,
    permanent for 1)
    WHEN 12 URLs are asked for THEN the transient ones are retried and archived, the
    permanent ones fail with their status_ext, and the rest are archived at once."""
    broker = private_redis()
    batch = make_batch("in200", 12, 0, pages)
    urls = batch.urls
    for url in urls[:4]:
        wayback.save_errors[url] = [("error:internal-server-error", "try again")]
    wayback.save_errors[urls[4]] = [("error:blocked-url", "This URL is excluded.")]
    for url in urls[5:9]:
        wayback.job_errors[url] = ["error:browsing-timeout"]
    wayback.job_errors[urls[9]] = ["error:not-found"]
    workers(broker.url, beat=True)
    batch.ring(broker.url)
    wait_until(batch.all_final, timeout=60, interval=0.2)

    rows = {c.url: c for c in Capture.objects.filter(pk__in=batch.capture_ids)}
    failed = {u for u, c in rows.items() if c.state == "failed"}
    assert failed == {urls[4], urls[9]}
    assert "error:blocked-url" in rows[urls[4]].reason
    assert "error:not-found" in rows[urls[9]].reason
    assert all(rows[u].state == "archived" for u in set(urls) - failed)
    assert [len(wayback.saves(u)) for u in urls] == [2] * 4 + [1] + [2] * 4 + [1] + [1] * 2


@dataclass
class ForgetfulWayback(FakeWayback):
    """A stand-in whose status endpoint has forgotten the jobs of some URLs
    (SPN2 keeps job status for a limited time), while the jobs still run."""

    forgotten: set[str] = field(default_factory=set)

    def _status(self, job_id: str, now: float) -> tuple[int, dict, dict]:
        job = self.jobs.get(job_id)
        if job is not None and job.url in self.forgotten:
            return 200, {"status": "error", "message": "Job not found"}, {}
        return super()._status(job_id, now)


@pytest.fixture
def forgetful() -> ForgetfulWayback:
    fake = ForgetfulWayback().start()
    yield fake
    fake.stop()


def test_a_job_id_expired_from_the_status_endpoint_is_settled_through_cdx(
    private_redis, workers, forgetful, pages, worker_env
):
    """GIVEN a status endpoint that no longer knows the jobs of 4 URLs: 3 whose jobs make
    a capture, 1 whose job failed without one
    WHEN 6 URLs are asked for
    THEN the 3 are archived through CDX with one save each, the one with no capture is
    saved again only after the job timeout, and all 6 end archived."""
    broker = private_redis()
    batch = make_batch("expired", 6, 0, pages)
    urls = batch.urls
    forgetful.forgotten = set(urls[:4])
    forgetful.job_errors[urls[3]] = ["error:browsing-timeout"]
    workers(broker.url, beat=True, WAYBACK_URL=forgetful.base_url, WAYBACK_JOB_TIMEOUT_SECONDS=2)
    batch.ring(broker.url)
    wait_until(batch.all_final, timeout=60, interval=0.2)

    rows = {c.url: c for c in Capture.objects.filter(pk__in=batch.capture_ids)}
    assert {c.state for c in rows.values()} == {"archived"}
    assert [len(forgetful.saves(u)) for u in urls] == [1, 1, 1, 2, 1, 1]
    for url in urls[:4]:
        assert "settled through CDX" in rows[url].events.last().note
