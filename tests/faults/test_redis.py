"""The broker killed: a private Redis SIGKILLed and restarted, with its queue kept
(appendonly) and with its data wiped (every queued message gone)."""

from __future__ import annotations

import pytest

from tests.support.scenarios import make_batch, outcome
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_it_keeps_the_queue_across_a_redis_kill_with_appendonly(
    private_redis, workers, wayback, pages
):
    """GIVEN 20 captures and 4 summaries queued on a Redis with appendonly yes, no worker yet
    WHEN Redis gets SIGKILL and is restarted on the same files, and a worker without
    beat (no reconciler) starts
    THEN every message is still queued and every row is finished from the queue alone."""
    broker = private_redis(appendonly=True)
    batch = make_batch("aof", 20, 4, pages)
    batch.ring(broker.url)

    broker.kill()
    broker.start()
    assert (broker.queued("archive"), broker.queued("summarize")) == (20, 4)
    workers(broker.url)
    wait_until(batch.all_final, timeout=60, interval=0.2)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 20, "done": 4}


def test_the_reconciler_recovers_every_row_when_redis_comes_back_empty(
    private_redis, workers, wayback, model, pages
):
    """GIVEN a worker with beat busy with 20 captures and 4 summaries
    WHEN Redis gets SIGKILL mid-run and comes back with its data wiped, so every
    queued and unacknowledged message is gone
    THEN the reconciler re-rings every row from the database: all finish, each URL
    saved once. (A worker may exit on the lost connection, a kombu bug; it is
    restarted as compose's restart policy would.)"""
    broker = private_redis(appendonly=False)
    wayback.job_seconds, model.delay = 0.5, 0.2
    batch = make_batch("wiped", 20, 4, pages)
    workers(broker.url, beat=True)
    batch.ring(broker.url)
    wait_until(batch.in_flight, timeout=30, interval=0.05)

    broker.kill()
    broker.wipe()
    broker.start()
    assert broker.queued("archive") == 0 and not batch.all_final()
    wait_until(lambda: workers.revive() < 0 or batch.all_final(), timeout=90, interval=0.5)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 20, "done": 4}
