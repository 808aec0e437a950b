"""Thin Celery wrappers: each takes a row id and calls one service."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from . import services


def _hard_limit() -> float:
    """A backstop for a model call stuck in native code, where the deadline
    check between tokens never runs: the pool kills the process, the lease
    runs out and the reconciler counts it as an attempt."""
    return settings.FETCH_TIMEOUT_SECONDS + settings.LLM_DEADLINE_SECONDS + 120


@shared_task(name=services.SUMMARIZE_TASK, time_limit=_hard_limit())
def summarize(summary_id: int) -> str:
    return services.run_summary(summary_id=summary_id).state


@worker_process_init.connect
def _preload_model(**_kwargs) -> None:
    """GPU workers (LLM_PRELOAD=1) load the model at start, not on the first task."""
    if settings.LLM_PRELOAD:
        from .backends import get_backend

        get_backend()
