"""The shared limiter and breaker hold across processes, in Redis and in the database."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from django.db import connections

from wayback import breaker, ratelimit
from wayback.store import DatabaseDocument, RedisDocument, shared_state

# The database rows are committed for real, so other processes see them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["redis", "database"])
def backend(request, settings, redis_client) -> str:
    """Run the test once on Redis (the broker) and once on the embedded default's
    database row."""
    if request.param == "database":
        settings.CELERY_BROKER_URL = "filesystem://"
    else:
        redis_client.delete(*redis_client.keys("waybrief:archiver:*") or ["-"])
    expected = RedisDocument if request.param == "redis" else DatabaseDocument
    assert isinstance(shared_state().document, expected)
    return request.param


def _hammer(seconds: float, arrivals) -> None:
    """One process taking save slots as fast as it may; records when each 'request' went."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        grant = ratelimit.acquire(ratelimit.SAVE, max_wait=0.3)
        if grant.granted:
            arrivals.put(time.time())  # the request reaches the Archive between grant and answer
            time.sleep(0.01)
            ratelimit.sent(ratelimit.SAVE, grant.token)


def _max_in_window(times: list[float], window: float) -> int:
    times, best, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_it_never_lets_more_than_n_requests_into_any_window(backend, settings):
    """GIVEN 5 saves per 1-second window and 4 processes pushing as hard as they can
    WHEN they run for 3 seconds THEN no window holds more than 5, and the limit is used."""
    settings.WAYBACK_RATE_PER_MINUTE, settings.WAYBACK_RATE_WINDOW_SECONDS = 5, 1.0
    context = multiprocessing.get_context("fork")
    arrivals = context.Queue()
    connections.close_all()  # each process opens its own connection, none shares ours
    workers = [context.Process(target=_hammer, args=(3.0, arrivals)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    times = []
    while not arrivals.empty():
        times.append(arrivals.get())
    assert _max_in_window(times, 1.0) <= 5
    assert len(times) >= 13  # 5 at once, then 5 a second: close to 15 in 3 s


def test_a_429_pauses_everyone_and_halves_the_rate(backend, settings):
    """GIVEN a limit of 6 WHEN a 429 says Retry-After: 0.5
    THEN nobody gets a slot for half a second, then at most 3 per window."""
    settings.WAYBACK_RATE_PER_MINUTE = 6
    paused = ratelimit.throttled(ratelimit.SAVE, 0.5)
    assert 0.4 < paused <= 0.5
    refused = ratelimit.acquire(ratelimit.SAVE)
    assert not refused.granted and 0.3 < refused.wait <= 0.5
    time.sleep(0.55)
    grants = [ratelimit.acquire(ratelimit.SAVE).granted for _ in range(6)]
    assert grants == [True] * 3 + [False] * 3


def test_it_caps_jobs_in_flight(backend, settings):
    """GIVEN at most 2 jobs in flight WHEN a third asks THEN it waits until one ends."""
    settings.WAYBACK_MAX_ACTIVE = 2
    assert ratelimit.acquire(ratelimit.SAVE, member="capture:1").granted
    assert ratelimit.acquire(ratelimit.SAVE, member="capture:2").granted
    third = ratelimit.acquire(ratelimit.SAVE, member="capture:3")
    assert not third.granted and third.wait is None
    ratelimit.release_job("capture:1")
    assert ratelimit.acquire(ratelimit.SAVE, member="capture:3").granted
    assert sorted(ratelimit.jobs_in_flight()) == ["capture:2", "capture:3"]


def test_waiting_rows_get_turns_one_slot_apart(backend, settings):
    """GIVEN 4 slots a second WHEN three rows are put aside THEN they wake 0.25 s apart."""
    settings.WAYBACK_RATE_PER_MINUTE, settings.WAYBACK_RATE_WINDOW_SECONDS = 4, 1.0
    turns = [ratelimit.next_turn(ratelimit.SAVE, 0.1) for _ in range(3)]
    assert turns[0] == pytest.approx(0.1, abs=0.05)
    assert turns[1] - turns[0] == pytest.approx(0.25, abs=0.05)
    assert turns[2] - turns[1] == pytest.approx(0.25, abs=0.05)


def test_the_breaker_opens_after_repeated_failures_and_a_probe_closes_it(backend, settings):
    """GIVEN 3 failures in a row WHEN the probe time comes and the Archive answers
    THEN the breaker goes open → probe → closed; a failed probe keeps it open."""
    settings.WAYBACK_BREAKER_FAILURES, settings.WAYBACK_BREAKER_SECONDS = 3, 0.2
    for _ in range(3):
        breaker.record_failure("HTTP 503")
    assert breaker.current_gate().waiting_for == "outage"
    time.sleep(0.25)
    assert breaker.breaker_state() == ("probe", 0.0)

    assert breaker.probe(lambda: False) is False
    assert breaker.breaker_state()[0] == "open"
    time.sleep(0.25)
    assert breaker.probe(lambda: True) is True
    assert breaker.current_gate() is None


def test_a_success_resets_the_failure_count(backend, settings):
    settings.WAYBACK_BREAKER_FAILURES = 3
    breaker.record_failure("a")
    breaker.record_failure("b")
    breaker.record_success()
    breaker.record_failure("c")
    assert breaker.breaker_state()[0] == "closed"
