"""Celery tasks about whole sites; thin wrappers over the sites services."""

from __future__ import annotations

from celery import shared_task

from crawler.models import Site
from wayback import WaybackError

from .coverage import COVERAGE_TASK, archive_gaps, site_coverage
from .recovery import RECOVER_TASK, run_recovery


@shared_task(name=RECOVER_TASK)
def recover(recovery_id: int) -> str:
    """Carry out recovery ``recovery_id``; a duplicate delivery does nothing."""
    return run_recovery(recovery_id).state


@shared_task(name=COVERAGE_TASK, autoretry_for=(WaybackError,), retry_backoff=60, max_retries=5)
def coverage(site_id: int, archive_missing: bool = False) -> dict[str, int]:
    """Check a site's coverage (stored on the site for the admin), and with
    ``archive_missing`` queue its gaps. A read: a lost message costs a click."""
    report = site_coverage(site=Site.objects.get(pk=site_id))
    if archive_missing:
        archive_gaps(report)
    return report.counts
