"""The ledger pattern every unit of work follows.

A row says what is to be done; a Celery message only says "look at row N".
A task claims its row with a conditional UPDATE (so a message delivered twice
finds nothing to claim), holds a short lease while it works, and the
reconciler re-enqueues rows whose lease ran out or that no message reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, models
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
    return _claim_until(model, pk, states=states, until=lease_deadline(lease_seconds))


def _claim_until(model: type[LeasedWork], pk: int, *, states: Iterable[str], until) -> bool:
    now = timezone.now()
    won = (
        model.objects.filter(pk=pk, state__in=list(states))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=until, attempts=models.F("attempts") + 1, updated_at=now)
    )
    return won == 1


def renew(model: type[LeasedWork], pk: int, *, lease_seconds: int | None = None) -> None:
    """Push a lease forward unconditionally (prefer ``Lease``, which checks it is ours)."""
    model.objects.filter(pk=pk).update(claimed_until=lease_deadline(lease_seconds))


class LeaseLost(Exception):
    """Another worker holds this row now: whoever lost it must stop writing."""


class Lease:
    """A claim held while long work runs, renewed in the background.

    The ``claimed_until`` values this holder wrote are the proof the row is
    still its own: every renewal and every write is a conditional UPDATE on
    the current one, so once another worker has claimed the row (the lease
    ran out and it set a deadline of its own) the old holder's writes match
    nothing and it stops with ``LeaseLost`` instead of overwriting the new
    run. As a context manager, a thread renews every third of the lease, so
    a model that reads a long prompt for minutes, sending nothing, keeps its
    row. The thread takes no lock the holder waits on: a holder inside a
    transaction (SQLite's write lock) never deadlocks with it.
    """

    def __init__(self, model: type[LeasedWork], pk: int, until, seconds: float) -> None:
        self.model, self.pk, self.until, self.seconds = model, pk, until, seconds
        self.lost = self.released = False
        self._ours = {until}  # every deadline this holder set
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _update(self, **fields) -> bool:
        """One conditional UPDATE on the deadline we last set; if another
        thread of ours moved it meanwhile, again on that one."""
        for _ in range(5):
            until = self.until
            if self.model.objects.filter(pk=self.pk, claimed_until=until).update(**fields):
                return True
            seen = list(
                self.model.objects.filter(pk=self.pk).values_list("claimed_until", flat=True)
            )
            if not seen:
                return False  # not visible from here (a test's open transaction)
            if seen[0] not in self._ours:
                self.lost = not self.released
                return False
            self.until = seen[0]
        return False

    def renew(self) -> bool:
        """Push the deadline forward if the row is still ours; False once it is not."""
        if self.lost or self.released:
            return False
        until = lease_deadline(self.seconds)
        self._ours.add(until)
        if self._update(claimed_until=until):
            self.until = until
        return not self.lost

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(f"{self.model.__name__} {self.pk}: another worker holds it now")

    def write(self, *, release: bool = False, **fields) -> None:
        """Update the row only while it is ours (``release``: and let it go)."""
        self.check()
        if release:
            self.released = True
            fields["claimed_until"] = None
        if not self._update(**fields):
            self.released = False
            self.lost = True
            self.check()

    def __enter__(self) -> Lease:
        self._thread = threading.Thread(target=self._renew_until_stopped, daemon=True,
                                        name=f"lease-{self.model.__name__}-{self.pk}")  # fmt: skip
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.seconds))

    def _renew_until_stopped(self) -> None:
        try:
            while not self._stop.wait(self.seconds / 3):
                try:
                    if not self.renew():
                        return
                except Exception:  # a database hiccup: try again next time
                    logging.getLogger(__name__).exception("renewing the %s failed", self)
        finally:
            connection.close()  # this thread's own connection

    def __str__(self) -> str:
        return f"lease on {self.model.__name__} {self.pk}"


def take(
    model: type[LeasedWork], pk: int, *, states: Iterable[str], lease_seconds: int | None = None
) -> Lease | None:
    """``claim``, returning the ``Lease`` that proves it (None: not ours to take)."""
    seconds = lease_seconds or settings.LEASE_SECONDS
    until = lease_deadline(seconds)
    if not _claim_until(model, pk, states=states, until=until):
        return None
    return Lease(model, pk, until, seconds)


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
