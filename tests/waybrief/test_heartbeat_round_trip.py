"""A task queued by the web process is run by a real worker, through the database."""

import pytest

from tests.support.waiting import wait_until
from waybrief import reconcile
from waybrief.models import Heartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_it_answers_a_ping_from_the_status_page(client, celery_worker_process):
    """GIVEN a worker on Redis WHEN the status page's button is pressed
    THEN a heartbeat row is created and the worker marks it done."""
    response = client.post("/status/ping")
    assert response.status_code == 302

    beat = Heartbeat.objects.get()
    done = wait_until(
        lambda: Heartbeat.objects.filter(pk=beat.pk, state=Heartbeat.State.DONE).first()
    )
    assert done.worker.startswith("test-worker-")
    assert done.round_trip_ms is not None and done.round_trip_ms > 0

    page = client.get("/status")
    assert done.worker in page.content.decode()


def test_the_reconciler_rings_for_a_row_no_message_reached(celery_worker_process):
    """GIVEN a pending row whose message was lost WHEN the reconciler runs
    THEN the worker gets a new message and finishes the row."""
    beat = Heartbeat.objects.create()
    Heartbeat.objects.filter(pk=beat.pk).update(updated_at=beat.created_at.replace(year=2000))

    counts = reconcile.reconcile_all()

    assert counts["heartbeats"] == 1
    wait_until(lambda: Heartbeat.objects.filter(pk=beat.pk, state=Heartbeat.State.DONE).exists())
