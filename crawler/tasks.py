"""Celery tasks of the crawler; thin wrappers over ``services``."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name=services.RUN_TASK)
def run_crawl(run_id: int) -> str:
    """Carry out crawl run ``run_id``; a duplicate delivery does nothing."""
    return services.execute_run(run_id=run_id).state
