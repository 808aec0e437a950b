"""A worker's whole process group killed with SIGKILL mid-run, then a new one started."""

from __future__ import annotations

import pytest

from archiver.models import Capture
from summarizer.models import Summary
from tests.faults.conftest import kill_group
from tests.support.scenarios import make_batch, outcome
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_it_finishes_every_capture_and_summary_after_a_worker_is_killed_mid_run(
    private_redis, workers, wayback, model, pages
):
    """GIVEN 30 captures and 6 summaries, a worker busy with both (a save job at the
    Archive, a summary streaming from the model)
    WHEN its process group gets SIGKILL and a new worker (with beat) starts
    THEN every capture ends archived with exactly one accepted save per URL at
    the Archive, and every summary ends done."""
    broker = private_redis(appendonly=True)
    wayback.job_seconds, model.delay = 0.5, 0.2
    batch = make_batch("kill", 30, 6, pages)
    (victim,) = workers(broker.url)
    batch.ring(broker.url)
    wait_until(batch.in_flight, timeout=30, interval=0.05)

    kill_group(victim)
    assert not batch.all_final(), "everything ended before the kill; the test proves nothing"
    workers(broker.url, beat=True)
    wait_until(batch.all_final, timeout=60, interval=0.2)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 30, "done": 6}
    assert all(len([a for a in wayback.saves(u) if a.status == 200]) == 1 for u in batch.urls)
    assert all(s.output.strip() for s in Summary.objects.filter(pk__in=batch.summary_ids))


def test_a_429_storm_and_a_kill_together_lose_nothing_and_save_nothing_twice(
    private_redis, workers, wayback, model, pages
):
    """GIVEN an Archive that accepts 3 saves a second and answers 429 to the rest,
    and two workers whose own limit (60 a second) is far above that, busy with 40 URLs
    WHEN the Archive is refusing and one worker's process group gets SIGKILL while
    its saves are in flight, and a new worker with beat starts
    THEN the 429s pause and slow the pool rather than fail URLs: every capture ends
    archived, each URL accepted exactly once, none lost."""
    broker = private_redis(appendonly=True)
    wayback.save_limit, wayback.window, wayback.retry_after = 3, 1.0, "1"
    wayback.job_seconds = 0.5
    batch = make_batch("storm", 40, 0, pages)
    victim, _survivor = workers(broker.url, n=2)
    batch.ring(broker.url)
    wait_until(lambda: any(a.status == 429 for a in wayback.saves()), timeout=30)
    wait_until(lambda: Capture.objects.filter(pk__in=batch.capture_ids, state="submitted")
               .exists(), timeout=30, interval=0.05)  # fmt: skip

    kill_group(victim)
    assert batch.open_captures() > 0, "everything ended before the kill; the test proves nothing"
    workers(broker.url, beat=True)
    wait_until(batch.all_final, timeout=120, interval=0.2)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 40}
    assert len([a for a in wayback.saves() if a.status == 429]) >= 3
    assert all(len([a for a in wayback.saves(u) if a.status == 200]) == 1 for u in batch.urls)
