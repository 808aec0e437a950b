"""Project-level tasks: the heartbeat and the periodic reconciler."""

from __future__ import annotations

from celery import shared_task

from . import doorbell, services
from .reconcile import reconcile_all


@shared_task(name=services.HEARTBEAT_TASK)
def heartbeat(heartbeat_id: int) -> bool:
    return services.answer_heartbeat(heartbeat_id=heartbeat_id, worker=heartbeat.request.hostname)


@shared_task(name="waybrief.reconcile")
def reconcile() -> dict[str, int]:
    """Re-ring the doorbell for every row that is due and unclaimed."""
    return reconcile_all()


@shared_task(name=doorbell.FAN_OUT)
def fan_out(task_name: str, ids: list[int]) -> int:
    """One message from the web process becomes one message per row here,
    so a 10,000-URL job costs the request a handful of broker round trips."""
    for pk in ids:
        doorbell.send(task_name, pk)
    return len(ids)
