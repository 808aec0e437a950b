"""The database's connections cut under the workers (pg_terminate_backend)."""

from __future__ import annotations

import time

import pytest

from tests.support.processes import terminate_other_connections
from tests.support.scenarios import make_batch, outcome
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_work_finishes_when_the_workers_database_connections_are_terminated(
    private_redis, workers, wayback, model, pages
):
    """GIVEN two workers (one with beat) busy with 30 captures and 6 summaries
    WHEN every worker connection to PostgreSQL is terminated, six times half a second apart
    THEN every row still reaches its final state and each URL is saved once."""
    broker = private_redis()
    wayback.job_seconds, model.delay = 0.5, 0.1
    batch = make_batch("pg", 30, 6, pages)
    workers(broker.url, 2, beat=True)
    batch.ring(broker.url)
    wait_until(batch.in_flight, timeout=30, interval=0.05)

    cut = 0
    for _ in range(6):
        cut += terminate_other_connections()
        time.sleep(0.5)
    assert cut >= 2 and not batch.all_final()
    wait_until(batch.all_final, timeout=90, interval=0.2)

    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 30, "done": 6}
