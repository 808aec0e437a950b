"""The ledger pattern every unit of work follows.

A row says what is to be done; a Celery message only says "look at row N".
A task claims its row with a conditional UPDATE (so a message delivered twice
finds nothing to claim), holds a short lease while it works, and the
reconciler re-enqueues rows whose lease ran out or that no message reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class LeasedWork(models.Model):
    """Columns that let any worker pick up, and the reconciler recover, a row."""

    claimed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def lease_deadline(seconds: int | None = None) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=seconds or settings.LEASE_SECONDS)


def claim(
    model: type[LeasedWork],
    pk: int,
    *,
    states: Iterable[str],
    lease_seconds: int | None = None,
) -> bool:
    """Take row ``pk`` if it is in one of ``states`` and nobody holds a live lease.

    One conditional UPDATE, so exactly one of any number of racing workers
    wins, on PostgreSQL and SQLite alike.
    """
    now = timezone.now()
    won = (
        model.objects.filter(pk=pk, state__in=list(states))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=lease_deadline(lease_seconds),
            attempts=models.F("attempts") + 1,
            updated_at=now,
        )
    )
    return won == 1


def renew(model: type[LeasedWork], pk: int, *, lease_seconds: int | None = None) -> None:
    """Push a held lease forward while long work (a summary) runs."""
    model.objects.filter(pk=pk).update(claimed_until=lease_deadline(lease_seconds))


def due(
    model: type[LeasedWork], *, states: Iterable[str], grace_seconds: float = 15.0
) -> models.QuerySet:
    """Rows in ``states`` that nobody holds and whose retry time has come.

    Rows touched in the last ``grace_seconds`` are left alone: their message
    is most likely still on its way, and ringing twice only costs a no-op.
    """
    now = timezone.now()
    return (
        model.objects.filter(
            state__in=list(states), updated_at__lt=now - timedelta(seconds=grace_seconds)
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send the doorbell only once the row it points at is visible to workers."""
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))


# Each app registers what its reconciler pass should look at.
Reconciler = Callable[[], int]
_reconcilers: dict[str, Reconciler] = {}


def register_reconciler(name: str, func: Reconciler) -> Reconciler:
    _reconcilers[name] = func
    return func


def reconcile_all() -> dict[str, int]:
    """Run every registered pass; returns how many rows each re-enqueued."""
    return {name: func() for name, func in sorted(_reconcilers.items())}
