"""A capture's life in one process: look up, save, poll, settle, skip, fail, retry."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from archiver import services, workflow
from archiver.models import Capture

pytestmark = pytest.mark.django_db

URL = "https://blog.example.org/post/1"
State = Capture.State


def archive(*urls: str, timeout: float = 15) -> list[Capture]:
    captures = services.archive_urls(urls, source="test", enqueue=False)
    return workflow.drive([c.pk for c in captures], wait=True, timeout=timeout)


def events(capture: Capture) -> list[tuple[str, str]]:
    return [(e.from_state, e.to_state) for e in capture.events.all()]


def test_it_takes_a_url_from_pending_through_submitted_to_archived(wayback):
    """GIVEN the stand-in WHEN a URL is archived THEN it goes pending → submitted →
    archived, the Wayback URL is stored, and every change is recorded with its time."""
    (capture,) = archive(URL)

    assert capture.state == State.ARCHIVED
    assert capture.wayback_url == f"{wayback.base_url}/web/{capture.timestamp}/{URL}"
    assert capture.job_id.startswith("spn2-") and capture.submitted_at and capture.finished_at
    assert events(capture) == [
        ("", "pending"),
        ("pending", "submitted"),
        ("submitted", "submitted"),
        ("submitted", "archived"),
    ]
    assert all(e.at for e in capture.events.all())
    assert len(wayback.saves(URL)) == 1


def test_it_skips_a_url_captured_recently_without_a_save(wayback):
    """GIVEN a capture an hour old (newer than the configured day) WHEN asked
    THEN the capture is skipped with that Wayback URL and no save is sent."""
    stamp = wayback.add_capture(URL, time.time() - 3600)
    (capture,) = archive(URL)
    assert capture.state == State.SKIPPED
    assert capture.timestamp == stamp and stamp in capture.wayback_url
    assert wayback.saves() == []


def test_it_saves_a_url_whose_only_capture_is_too_old(wayback):
    wayback.add_capture(URL, time.time() - 3 * 86400)
    (capture,) = archive(URL)
    assert capture.state == State.ARCHIVED and len(wayback.saves(URL)) == 1


def test_a_permanent_job_error_fails_at_once_with_its_reason(wayback):
    """GIVEN a page the Archive cannot fetch (error:not-found) WHEN archived
    THEN the capture fails with that reason after one save, without retries."""
    wayback.job_errors[URL] = ["error:not-found"]
    (capture,) = archive(URL)
    assert capture.state == State.FAILED
    assert capture.reason.startswith("error:not-found")
    assert capture.retries == 0 and len(wayback.saves(URL)) == 1


def test_a_permanent_error_in_the_save_answer_fails_too(wayback):
    wayback.save_errors[URL] = [("error:invalid-url-syntax", "bad URL")]
    (capture,) = archive(URL)
    assert capture.state == State.FAILED and "error:invalid-url-syntax" in capture.reason


def test_a_transient_error_is_retried_and_then_archived(wayback):
    """GIVEN a job that times out once WHEN archived THEN it is retried with a
    backoff and archived on the second save."""
    wayback.job_errors[URL] = ["error:browsing-timeout"]
    (capture,) = archive(URL)
    assert capture.state == State.ARCHIVED
    assert capture.retries == 1 and len(wayback.saves(URL)) == 2
    notes = [e.note for e in capture.events.all()]
    assert any(n.startswith("retry 1: error:browsing-timeout") for n in notes)


def test_it_gives_up_after_the_configured_retries(wayback, settings):
    wayback.job_errors[URL] = ["error:browsing-timeout"] * 5
    (capture,) = archive(URL)
    assert capture.state == State.FAILED
    assert capture.reason.startswith(f"gave up after {settings.WAYBACK_MAX_RETRIES} retries")
    assert len(wayback.saves(URL)) == settings.WAYBACK_MAX_RETRIES + 1


def test_a_save_refused_for_the_daily_cap_is_settled_through_an_existing_capture(wayback):
    wayback.save_errors[URL] = [("error:too-many-daily-captures", "")]
    wayback.add_capture(URL, time.time() - 5 * 86400)
    (capture,) = archive(URL)
    assert capture.state == State.SKIPPED and "too-many-daily-captures" in capture.reason


def test_a_save_whose_answer_was_lost_is_settled_through_cdx_not_sent_again(wayback):
    """GIVEN a capture marked submitted whose worker died before the job id came back
    WHEN it is processed THEN CDX finds the capture and no second save is sent."""
    (capture,) = services.archive_urls([URL], enqueue=False)
    assert services.mark_sending(capture)
    Capture.objects.filter(pk=capture.pk).update(claimed_until=None)
    wayback.add_capture(URL, time.time())

    (capture,) = workflow.drive([capture.pk], wait=True, timeout=10)

    assert capture.state == State.ARCHIVED and wayback.saves() == []
    assert "settled through CDX" in capture.events.last().note


def test_a_lost_save_that_never_made_a_capture_is_sent_again_after_the_job_timeout(
    wayback, settings
):
    settings.WAYBACK_JOB_TIMEOUT_SECONDS = 0.5
    (capture,) = services.archive_urls([URL], enqueue=False)
    services.mark_sending(capture)
    Capture.objects.filter(pk=capture.pk).update(claimed_until=None)

    (capture,) = workflow.drive([capture.pk], wait=True, timeout=10)

    assert capture.state == State.ARCHIVED and capture.retries == 1
    assert len(wayback.saves(URL)) == 1


def test_asking_twice_joins_the_open_capture(wayback):
    """GIVEN a URL already pending WHEN it is asked for again (and twice in one call)
    THEN there is still one capture; once archived, a new request makes a new one."""
    first = services.archive_urls([URL, URL], enqueue=False)
    again = services.archive_urls([URL], enqueue=False)
    assert len(first) == 1 and first[0].pk == again[0].pk
    workflow.drive([first[0].pk], wait=True, timeout=10)
    later = services.archive_urls([URL], enqueue=False)
    assert later[0].pk != first[0].pk and Capture.objects.count() == 2


def test_it_refuses_urls_that_cannot_be_archived_and_writes_nothing():
    with pytest.raises(services.InvalidURL) as caught:
        services.archive_urls([URL, "ftp://x.example/", "not a url", "http://"], enqueue=False)
    assert caught.value.urls == ["ftp://x.example/", "not a url", "http://"]
    assert not Capture.objects.exists()


def test_the_operator_can_put_failed_captures_back_in_line(wayback):
    wayback.job_errors[URL] = ["error:not-found"]
    (capture,) = archive(URL)
    assert services.retry_failed(Capture.objects.all()) == 1
    capture.refresh_from_db()
    assert capture.state == State.PENDING and capture.retries == 0
    (capture,) = workflow.drive([capture.pk], wait=True, timeout=10)
    assert capture.state == State.ARCHIVED


def test_the_reconciler_rings_for_due_rows_and_rows_of_dead_workers():
    """GIVEN a pending row no message reached and one whose worker died (lease over)
    WHEN the reconciler runs THEN both are rung; a row waiting for its turn is not."""
    from waybrief import reconcile

    lost, dead, later = services.archive_urls([URL, URL + "/2", URL + "/3"], enqueue=False)
    past = timezone.now() - timedelta(minutes=5)
    Capture.objects.filter(pk=lost.pk).update(updated_at=past)
    Capture.objects.filter(pk=dead.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    Capture.objects.filter(pk=later.pk).update(
        updated_at=past, next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert reconcile.reconcile_all()["captures"] == 2


def test_the_admin_lists_captures_and_retries_failed_ones(admin_client, wayback):
    """GIVEN a failed capture WHEN an admin uses the bulk action THEN it is pending again."""
    wayback.job_errors[URL] = ["error:not-found"]
    (capture,) = archive(URL)
    page = admin_client.get("/admin/archiver/capture/")
    assert page.status_code == 200 and URL in page.content.decode()
    assert admin_client.get(f"/admin/archiver/capture/{capture.pk}/change/").status_code == 200
    admin_client.post(
        "/admin/archiver/capture/", {"action": "retry_failed", "_selected_action": [capture.pk]}
    )
    capture.refresh_from_db()
    assert capture.state == State.PENDING
