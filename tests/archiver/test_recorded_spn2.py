"""The archiver against SPN2's real answers: a kept capture, a daily cap,
and refusals about the account rather than the URL.

The bodies are those in ``tests/support/recorded/spn2/`` (sources named
there); the stand-in gives them to the save they are set for.
"""

from __future__ import annotations

import json
import time

import pytest

from archiver import services, workflow
from archiver.models import Capture
from tests.support import cdx as index
from tests.support.fake_wayback import recorded, ts14

pytestmark = pytest.mark.django_db

URL = "https://blog.example.org/post/1"
State = Capture.State


def drive(*urls: str, timeout: float = 15) -> list[Capture]:
    captures = services.archive_urls(urls, source="test", enqueue=False)
    return workflow.drive([c.pk for c in captures], wait=True, timeout=timeout)


def only_in_cdx(wayback, url: str, when: float) -> str:
    """A capture the CDX index lists and the availability API does not know
    yet (it lags behind the index by hours): the one look-up cannot skip it."""
    stamp = ts14(when)
    wayback.add_rows([index.Row(index.urlkey(url), stamp, url, "text/html", "200", "SHA1")])
    return stamp


def same_snapshot(url: str) -> dict:
    body = json.loads(recorded("spn2/same-snapshot.json"))["body"]
    return {**body, "url": url}


def error_body(status_ext: str) -> dict:
    return json.loads(recorded("spn2/status-ext-errors.json"))["bodies"][status_ext]


# --- 1 --------------------------------------------------------------------------------
def test_a_same_snapshot_answer_settles_at_once_as_archived_with_that_capture(wayback):
    """GIVEN a page captured 65 s ago (known to CDX, not yet to the availability
    API) and SPN2's recorded "same snapshot … 1 minutes and 5 seconds ago"
    answer with job_id null WHEN it is archived THEN it is archived with that
    capture after exactly one save, with no breaker failure and no retry."""
    stamp = only_in_cdx(wayback, URL, time.time() - 65)
    wayback.save_answers[URL] = [same_snapshot(URL)]

    (capture,) = drive(URL, timeout=10)

    assert (capture.state, capture.timestamp) == (State.ARCHIVED, stamp)
    assert capture.wayback_url.endswith(f"/web/{stamp}/{URL}")
    assert len(wayback.saves(URL)) == 1 and capture.retries == 0
    assert capture.job_id == ""


# --- 8 --------------------------------------------------------------------------------
def test_a_daily_cap_is_settled_from_cdx_not_the_lagging_availability_api(wayback):
    """GIVEN a page captured 10 times today, its captures in CDX but not yet
    in the availability API WHEN SPN2 answers error:too-many-daily-captures
    THEN the capture found in CDX stands (skipped with it), not failed."""
    for hours in range(10, 0, -1):
        stamp = only_in_cdx(wayback, URL, time.time() - hours * 3600)
    wayback.save_errors[URL] = [
        (error_body("error:too-many-daily-captures")["status_ext"],
         error_body("error:too-many-daily-captures")["message"])
    ]  # fmt: skip

    (capture,) = drive(URL, timeout=10)

    assert (capture.state, capture.timestamp) == (State.SKIPPED, stamp)
    assert len(wayback.saves(URL)) == 1


@pytest.mark.parametrize("status_ext", ["error:blocked-client-ip", "error:max-daily-bandwidth"])
def test_an_account_wide_refusal_stops_the_whole_pool_with_a_plain_message(wayback, status_ext):
    """GIVEN three URLs and SPN2 answering any save with an account-wide
    status_ext (from the SPN2 document's table) WHEN they are archived THEN
    the run stops with a plain message naming it after the first answer, no
    other URL is sent, and every URL stays pending (none failed, none spent
    a retry)."""
    urls = [f"{URL}{n}" for n in range(3)]
    body = error_body(status_ext)
    for url in urls:
        wayback.save_errors[url] = [(body["status_ext"], body["message"])]
    captures = services.archive_urls(urls, source="test", enqueue=False)

    with pytest.raises(workflow.AccountStopped) as stopped:
        workflow.drive([c.pk for c in captures], wait=True, timeout=10)

    assert status_ext in str(stopped.value) and "stays pending" in str(stopped.value)
    assert len(wayback.saves()) == 1
    rows = Capture.objects.filter(pk__in=[c.pk for c in captures])
    assert {(r.state, r.retries) for r in rows} == {(State.PENDING, 0)}
    assert isinstance(stopped.value, workflow.KeysRefused)  # the command's stop, as on a 401


def test_an_account_wide_error_on_a_job_stops_the_pool_too(wayback):
    """GIVEN a job that ends in error:max-daily-bandwidth WHEN polled THEN the
    pool stops as on a refused save, and the URL goes back to be sent later."""
    wayback.job_errors[URL] = ["error:max-daily-bandwidth"]
    (capture,) = services.archive_urls([URL], source="test", enqueue=False)

    with pytest.raises(workflow.AccountStopped):
        workflow.drive([capture.pk], wait=True, timeout=10)

    capture.refresh_from_db()
    assert (capture.state, capture.retries, capture.waiting_for) == (State.PENDING, 0, "account")


# --- 2 --------------------------------------------------------------------------------
def test_a_lost_save_is_never_archived_on_a_redirect_capture_only_on_its_target(wayback, settings):
    """GIVEN a save whose answer is lost, and the only capture made since is
    an `unk` 301 (the kind recorded for dw.com) WHEN the save is settled
    through CDX THEN it is not archived (it stays submitted, looking); once
    the 301's target (its Location, as the Archive replays it) has a 200
    capture, the URL is archived with the target's capture."""
    settings.WAYBACK_TIMEOUT_SECONDS = 0.4
    wayback.save_delay = 0.8  # the job is made, the answer never arrives
    dw = index.parse_recorded(recorded("cdx/dw-unk-301.txt"))
    unk = next(r for r in dw if r.mimetype == "unk")
    wayback.kinds[URL] = (unk.mimetype, unk.statuscode)
    (capture,) = services.archive_urls([URL], source="test", enqueue=False)

    with pytest.raises(workflow.TimedOut):
        workflow.drive([capture.pk], wait=True, timeout=3)
    capture.refresh_from_db()
    assert capture.state == State.SUBMITTED and not capture.wayback_url
    assert len(wayback.saves(URL)) == 1

    target = URL + "/"
    wayback.redirects[URL] = target
    stamp = wayback.add_capture(target, time.time())
    (capture,) = workflow.drive([capture.pk], wait=True, timeout=5)

    assert (capture.state, capture.timestamp) == (State.ARCHIVED, stamp)
    assert capture.wayback_url.endswith(f"/web/{stamp}/{target}")
    assert len(wayback.saves(URL)) == 1


def test_a_redirect_capture_in_the_availability_api_does_not_skip_the_save(wayback):
    """GIVEN a URL whose only capture an hour ago is an `unk` 301 (as recorded
    for dw.com), which the availability API reports as its closest WHEN it is
    archived THEN the look-up does not count it: the URL is saved."""
    dw = index.parse_recorded(recorded("cdx/dw-unk-301.txt"))
    unk = next(r for r in dw if r.mimetype == "unk")
    wayback.add_page(URL, time.time() - 3600, b"", kind=(unk.mimetype, unk.statuscode))

    (capture,) = drive(URL)

    assert capture.state == State.ARCHIVED and len(wayback.saves(URL)) == 1
