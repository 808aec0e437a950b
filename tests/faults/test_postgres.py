"""The database's connections cut under the workers (pg_terminate_backend)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from tests.conftest import wait_until
from tests.faults.scenarios import make_batch, outcome

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def terminate_other_connections() -> int:
    """Cut every connection to the test database but this process's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


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
