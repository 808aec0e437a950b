"""Celery tasks of the crawler; thin wrappers over ``services``."""

from __future__ import annotations

from celery import shared_task

from archiver.clients import WaybackError

from . import services


@shared_task(name="crawler.run_crawl")
def run_crawl(run_id: int) -> str:
    """Carry out crawl run ``run_id``; a duplicate delivery does nothing."""
    return services.execute_run(run_id=run_id).state


@shared_task(name="crawler.recover")
def recover(recovery_id: int) -> str:
    """Carry out recovery ``recovery_id``; a duplicate delivery does nothing."""
    from .recovery import run_recovery

    return run_recovery(recovery_id).state


@shared_task(
    name="crawler.coverage", autoretry_for=(WaybackError,), retry_backoff=60, max_retries=5
)
def coverage(site_id: int, archive_missing: bool = False) -> dict[str, int]:
    """Check a site's coverage (stored on the site for the admin), and with
    ``archive_missing`` queue its gaps. A read: a lost message costs a click."""
    from .coverage import archive_gaps, site_coverage
    from .models import Site

    report = site_coverage(site=Site.objects.get(pk=site_id))
    if archive_missing:
        archive_gaps(report)
    return report.counts
