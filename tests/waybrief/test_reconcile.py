"""The reconciler rings what the workers can take, not every due row each pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from archiver.models import Capture
from waybrief import backoff, reconcile

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_archive_queue(redis_client):
    redis_client.delete("archive")
    yield
    redis_client.delete("archive")


def test_ten_thousand_due_captures_ring_one_batch_and_then_wait(redis_client, empty_archive_queue):
    """GIVEN 10,000 pending captures no message reached WHEN the reconciler runs twice
    THEN the first pass rings one batch (1,000) and the second rings none, because
    that batch still waits in the queue: the broker never holds 10,000 stale doorbells."""
    long_ago = timezone.now() - timedelta(minutes=5)
    Capture.objects.bulk_create(
        [Capture(url=f"https://blog.example.org/{n}") for n in range(10_000)], batch_size=2000
    )
    Capture.objects.update(updated_at=long_ago)

    first = reconcile.reconcile_all()["captures"]
    second = reconcile.reconcile_all()["captures"]

    assert (first, second) == (1000, 0)
    assert redis_client.llen("archive") == 1000


def test_backoff_doubles_from_its_base():
    assert [backoff.backoff_seconds(n, 60) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff.backoff_seconds(10, 60, cap=600) == 600
