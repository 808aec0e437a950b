"""Real worker processes on Redis: one limit for the pool, outages, killed workers."""

from __future__ import annotations

import signal

import pytest

from archiver import services
from archiver.models import Capture, CaptureEvent
from tests.support.waiting import wait_until
from tests.support.workers import stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URLS = [f"https://blog.example.org/post/{n}" for n in range(1, 200)]


def archive(urls: list[str]) -> list[int]:
    return [c.pk for c in services.archive_urls(urls, source="test")]


def all_final(ids: list[int], timeout: float) -> list[Capture]:
    wait_until(lambda: not Capture.objects.filter(pk__in=ids, state__in=["pending", "submitted"])
               .exists(), timeout=timeout)  # fmt: skip
    return list(Capture.objects.filter(pk__in=ids))


def accepted_once_each(wayback, urls: list[str]) -> bool:
    """Every URL reached the Archive as exactly one accepted save."""
    return all(len([a for a in wayback.saves(url) if a.status == 200]) == 1 for url in urls)


def test_a_worker_takes_a_url_to_archived(wayback, start_workers):
    """GIVEN a worker WHEN a URL is asked for THEN the worker saves, polls and
    stores the Wayback URL, recording pending → submitted → archived."""
    start_workers(1)
    (pk,) = archive(URLS[:1])
    (capture,) = all_final([pk], timeout=30)
    assert capture.state == "archived" and capture.wayback_url.endswith(URLS[0])
    states = [e.to_state for e in capture.events.all()]
    assert states == ["pending", "submitted", "submitted", "archived"]


def test_three_workers_keep_to_the_limit_together(wayback, start_workers):
    """GIVEN 3 workers and a limit of 5 saves per second, which the Archive enforces too
    WHEN 25 URLs are asked for THEN no second holds more than 5 saves, no 429 comes
    back, and every URL is saved exactly once."""
    wayback.save_limit, wayback.window = 5, 1.0
    start_workers(3, WAYBACK_RATE_PER_MINUTE=5)
    urls = URLS[:25]
    captures = all_final(archive(urls), timeout=60)
    assert {c.state for c in captures} == {"archived"}
    assert wayback.max_saves_in_window(1.0) <= 5
    assert [a for a in wayback.saves() if a.status == 429] == []
    assert accepted_once_each(wayback, urls)


def test_a_429_slows_the_whole_pool(wayback, start_workers):
    """GIVEN workers allowed 8 saves a second by their setting, but an Archive that
    takes 3 and answers 429 with Retry-After: 1 WHEN 20 URLs are asked for
    THEN after a 429 no worker sends for the pause, the rate drops, the setting is
    never exceeded, and every URL is archived once."""
    wayback.save_limit, wayback.window, wayback.retry_after = 3, 1.0, "1"
    start_workers(3, WAYBACK_RATE_PER_MINUTE=8)
    urls = URLS[:20]
    captures = all_final(archive(urls), timeout=60)

    assert {c.state for c in captures} == {"archived"}
    saves = wayback.saves()
    refusals = [a.at for a in saves if a.status == 429]
    assert refusals, "the stand-in never pushed back; the test proves nothing"
    first = refusals[0]
    # Saves already on their way may land just after the 429; then silence.
    assert [a for a in saves if first + 0.3 < a.at < first + 1.0] == []
    assert wayback.max_saves_in_window(1.0) <= 8
    assert len(refusals) < len(urls) // 2  # halving the rate stopped the 429s
    assert accepted_once_each(wayback, urls)


def test_an_outage_loses_nothing(wayback, start_workers):
    """GIVEN an Archive down (503) for 3 seconds WHEN 10 URLs are asked for
    THEN none fails, the breaker keeps the workers off it, and all are archived
    once it is back."""
    start_workers(2, beat=True, RECONCILE_INTERVAL_SECONDS=1)
    wayback.outage(3.0)
    urls = URLS[:10]
    captures = all_final(archive(urls), timeout=60)

    assert {c.state for c in captures} == {"archived"}
    assert not CaptureEvent.objects.filter(to_state="failed").exists()
    down = [a for a in wayback.log if a.status == 503]
    assert 3 <= len(down) <= 20  # the breaker's threshold, then only probes
    assert accepted_once_each(wayback, urls)


def test_a_worker_killed_mid_save_leaves_the_url_archived_exactly_once(wayback, start_workers):
    """GIVEN a worker SIGKILLed while its save request is at the Archive
    WHEN another worker's reconciler finds the dead lease THEN the URL is settled
    through CDX and archived, and the Archive saw one save for it."""
    wayback.save_delay = 30  # the answer never comes back to the victim
    (victim,) = start_workers(1, LEASE_SECONDS=2)
    (pk,) = archive(URLS[:1])
    assert wayback.save_arrived.wait(30)
    stop(victim, signal.SIGKILL)
    wayback.save_delay = 0
    start_workers(1, beat=True, LEASE_SECONDS=2, RECONCILE_INTERVAL_SECONDS=1)

    (capture,) = all_final([pk], timeout=60)
    assert capture.state == "archived"
    assert len(wayback.saves(URLS[0])) == 1
    assert "settled through CDX" in capture.events.last().note
