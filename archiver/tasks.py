"""Celery tasks: thin doorbells over ``archiver.workflow`` (queue "archive")."""

from __future__ import annotations

from celery import shared_task

from . import workflow

# Longer waits are left to the reconciler: a message held back for hours by a
# worker is one that Redis may hand out twice.
MAX_COUNTDOWN = 600.0


@shared_task(name="archiver.process")
def process_capture(capture_id: int) -> str:
    """One step for one capture, then ring again for the row's next step."""
    step = workflow.process(capture_id)
    if step.again_in is not None and step.again_in <= MAX_COUNTDOWN:
        process_capture.apply_async((capture_id,), countdown=step.again_in)
    return step.state


@shared_task(name="archiver.probe")
def probe_archive() -> bool:
    """Try the Archive while the circuit breaker is open; True once it is closed."""
    return workflow.probe()
