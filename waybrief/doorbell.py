"""Ringing a worker: a Celery message that only says "look at row N".

Services ring tasks by name, so no service imports a task module (and no
app's services and tasks import each other). The message goes out once the
transaction that wrote the row commits; if the process dies in between, the
reconciler rings for the row instead (``waybrief.reconcile``).
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from .celery import app

FAN_OUT = "waybrief.fan_out"


def send(task_name: str, *args: object, countdown: float | None = None) -> None:
    """Ring now (the row is already committed, or the caller is a task)."""
    app.send_task(task_name, args=list(args), countdown=countdown)


def ring(task_name: str, *args: object, countdown: float | None = None) -> None:
    """Ring once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send, task_name, *args, countdown=countdown))


def ring_many(task_name: str, ids: list[int], *, chunk: int = 1000) -> None:
    """Ring for many rows: one message per ``chunk`` ids, which a worker fans
    out, so a 10,000-URL job costs the request a handful of broker round trips."""
    for start in range(0, len(ids), chunk):
        ring(FAN_OUT, task_name, ids[start : start + chunk])
