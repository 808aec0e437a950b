"""Project-level tasks: the heartbeat and the periodic reconciler."""

from __future__ import annotations

from celery import shared_task

from . import ledger, services


@shared_task(name="waybrief.heartbeat")
def heartbeat(heartbeat_id: int) -> bool:
    return services.answer_heartbeat(heartbeat_id=heartbeat_id, worker=heartbeat.request.hostname)


@shared_task(name="waybrief.reconcile")
def reconcile() -> dict[str, int]:
    """Re-ring the doorbell for every row that is due and unclaimed."""
    return ledger.reconcile_all()
