"""Project-level tasks: the heartbeat and the periodic reconciler."""

from __future__ import annotations

from functools import partial

from celery import shared_task

from . import ledger, services


@shared_task(name="waybrief.heartbeat")
def heartbeat(heartbeat_id: int) -> bool:
    return services.answer_heartbeat(heartbeat_id=heartbeat_id, worker=heartbeat.request.hostname)


@shared_task(name="waybrief.reconcile")
def reconcile() -> dict[str, int]:
    """Re-ring the doorbell for every row that is due and unclaimed."""
    return ledger.reconcile_all()


@shared_task(name="waybrief.fan_out")
def fan_out(task_name: str, ids: list[int]) -> int:
    """One message from the web process becomes one message per row here,
    so a 10,000-URL job costs the request a handful of broker round trips."""
    from .celery import app

    for pk in ids:
        app.send_task(task_name, args=[pk])
    return len(ids)


def ring_many(task_name: str, ids: list[int], *, chunk: int = 1000) -> None:
    """After commit, hand ``ids`` to the workers in chunks of ``chunk``."""
    from django.db import transaction

    for start in range(0, len(ids), chunk):
        transaction.on_commit(partial(fan_out.delay, task_name, ids[start : start + chunk]))
