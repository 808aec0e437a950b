"""The reconciler: for each kind of row, which ones need a worker, rung on a timer.

Each app declares its rows once (in its ``apps.py``) as a ``Reconcile``: the
states that are still open, the task that works on one, how many to ring at
a time and after how many attempts to stop. Beat runs ``waybrief.reconcile``
every ``RECONCILE_SECONDS``; it rings rows that no message reached, rows whose
lease ran out (a worker killed mid-task), and rows whose retry time has come.
It rings only what the task's queue has room for, so ten thousand due rows
do not become ten thousand messages that bury the ones already waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from . import doorbell, ledger
from .celery import queue_depths, queue_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reconcile:
    """One model's rows, as the reconciler sees them."""

    name: str
    model: str  # "app_label.ModelName"
    states: tuple[str, ...]
    task: str  # rung with the row's id
    batch: int = 100  # the most messages waiting in the task's queue after a pass
    max_attempts: int | None = None  # rows claimed this often are left alone
    oldest_due_first: bool = False  # order by next_attempt_at (captures wait their turn)
    after: Callable[[], None] | None = None  # more upkeep, once per pass

    def due_ids(self, limit: int) -> list[int]:
        model = apps.get_model(self.model)
        rows = ledger.due(model, states=self.states)
        expired = model.objects.filter(state__in=self.states, claimed_until__lt=timezone.now())
        if self.max_attempts is not None:
            rows = rows.filter(attempts__lt=self.max_attempts)
            expired = expired.filter(attempts__lt=self.max_attempts)
        order = [F("next_attempt_at").asc(nulls_first=True), "pk"] if self.oldest_due_first \
            else ["pk"]  # fmt: skip
        due = rows.order_by(*order).values_list("pk", flat=True)[:limit]
        abandoned = expired.order_by("pk").values_list("pk", flat=True)[:limit]
        return sorted(set(due) | set(abandoned))[:limit]

    def run(self, waiting: int | None = None) -> int:
        """Ring for as many due rows as the queue has room for (``waiting``:
        messages already in it, None when unknown); returns how many."""
        room = self.batch if waiting is None else max(0, self.batch - waiting)
        ids = self.due_ids(room) if room else []
        for pk in ids:
            doorbell.send(self.task, pk)
        if self.after is not None:
            self.after()
        return len(ids)


_declared: dict[str, Reconcile] = {}


def declare(rule: Reconcile) -> Reconcile:
    """Make ``rule`` part of every reconciler pass (call it from ``AppConfig.ready``)."""
    _declared[rule.name] = rule
    return rule


def declared() -> list[Reconcile]:
    return [rule for _, rule in sorted(_declared.items())]


def reconcile_all() -> dict[str, int]:
    """Run one pass over every declared model; returns how many rows each rang."""
    counts = {}
    rules = declared()
    depths = queue_depths({queue_for(rule.task) for rule in rules})
    for rule in rules:
        try:
            counts[rule.name] = rule.run(depths[queue_for(rule.task)])
        except Exception:  # one model's trouble must not stop the others' pass
            log.exception("reconciling %s failed", rule.name)
            counts[rule.name] = -1
    return counts
