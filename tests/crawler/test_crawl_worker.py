"""Crawls run as Celery tasks on real workers, and lost ones are found again."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from crawler.models import CrawlRun, Site
from tests.support.sites.xuite import XuiteBlog
from tests.support.waiting import wait_until
from waybrief import reconcile

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def finished(run_id: int) -> CrawlRun | None:
    run = CrawlRun.objects.get(pk=run_id)
    return run if run.is_finished else None


def test_enqueue_hands_the_crawl_to_a_worker(server, celery_worker_process):
    """GIVEN a running worker WHEN `crawl URL --enqueue` runs THEN it returns at
    once and a worker carries out the crawl, storing every post."""
    blog = XuiteBlog(server, posts=40)
    err = StringIO()

    call_command("crawl", blog.home, "--adapter", "xuite", "--enqueue", stdout=StringIO(),
                 stderr=err)  # fmt: skip

    run = CrawlRun.objects.get(site__url=blog.home)
    assert f"queued crawl run {run.pk}" in err.getvalue()
    done = wait_until(lambda: finished(run.pk), timeout=30)
    assert done.state == CrawlRun.State.DONE
    assert set(done.urls.values_list("url", flat=True)) == blog.expected


def test_the_reconciler_queues_a_run_no_message_reached(server, celery_worker_process):
    """GIVEN a pending run whose message was lost WHEN the reconciler runs THEN
    it queues the run and a worker carries it out."""
    blog = XuiteBlog(server, posts=15)
    site = Site.objects.create(url=blog.home, adapter="xuite")
    run = CrawlRun.objects.create(site=site, adapter="xuite")
    CrawlRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    assert {r.name: r for r in reconcile.declared()}["crawl runs"].run() == 1

    done = wait_until(lambda: finished(run.pk), timeout=30)
    assert done.state == CrawlRun.State.DONE
    assert done.urls_found == 15

