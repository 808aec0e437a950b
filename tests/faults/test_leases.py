"""Leases outlive long work, and a claim that lost its lease stops writing.

A summary's lease (LEASE_SECONDS) used to be pushed forward only when tokens
arrived, so a model reading a long prompt let it run out: the reconciler
re-queued the row, a second worker ran the same summary, and the two fought
over the row. Now a claim renews its lease in the background while it works,
and every write of the holder is conditional on the lease still being its own.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from summarizer import services
from summarizer.models import Summary
from tests.faults.conftest import ring
from tests.support.waiting import wait_until
from waybrief import ledger

pytestmark = pytest.mark.django_db(transaction=True)


def pending(url: str = "https://example.org/lease") -> Summary:
    return services.request_summary(url=url, enqueue=False)


def run_out(pk: int) -> None:
    """The holder's lease runs out, as after a stall longer than the lease."""
    Summary.objects.filter(pk=pk).update(claimed_until=timezone.now() - timedelta(seconds=1))


def test_a_held_lease_is_renewed_in_the_background_until_released():
    """GIVEN a claim with a 1-second lease, held for 3 seconds of silent work
    THEN its row is never free to claim meanwhile; released, it is free at once."""
    row = pending()
    lease = ledger.take(Summary, row.pk, states=services.IN_PROGRESS, lease_seconds=1)
    assert lease is not None
    with lease:
        for _ in range(6):
            time.sleep(0.5)
            assert not ledger.take(Summary, row.pk, states=services.IN_PROGRESS)
            assert not ledger.due(Summary, states=services.IN_PROGRESS, grace_seconds=0).exists()
        lease.write(release=True, stage="released")
    assert Summary.objects.get(pk=row.pk).claimed_until is None


def test_a_claim_whose_lease_was_taken_writes_nothing_more():
    """GIVEN a claim whose lease ran out and another worker's claim on the same row
    THEN the first holder's writes raise LeaseLost and change nothing; the new
    holder's writes land."""
    row = pending()
    first = ledger.take(Summary, row.pk, states=services.IN_PROGRESS, lease_seconds=30)
    run_out(row.pk)
    second = ledger.take(Summary, row.pk, states=services.IN_PROGRESS, lease_seconds=30)
    assert first is not None and second is not None

    second.write(stage="the new holder's")
    with pytest.raises(ledger.LeaseLost):
        first.write(stage="the old holder's")
    with pytest.raises(ledger.LeaseLost):
        first.write(release=True, state=Summary.State.DONE)
    assert not first.renew()
    row.refresh_from_db()
    assert (row.stage, row.state) == ("the new holder's", Summary.State.PENDING)
    assert row.claimed_until == second.until


def test_a_crawl_keeps_its_lease_while_slow_pages_are_read(settings, site):
    """GIVEN a 1-second lease and a blog whose list pages take 1.5 seconds each
    WHEN it is crawled (in this process)
    THEN at no moment of the crawl is its running row free for another worker
    to claim, and it ends done after one attempt."""
    from crawler.models import CrawlRun
    from crawler.services import crawl_site
    from tests.support.sites.xuite import XuiteBlog

    settings.LEASE_SECONDS, settings.FETCH_ALLOW_PRIVATE = 1, True
    blog = XuiteBlog(site, posts=25, delay=1.5)
    lapsed: list[bool] = []
    stop = threading.Event()

    def watch() -> None:
        try:
            while not stop.wait(0.1):
                free = CrawlRun.objects.filter(state="running", claimed_until__lt=timezone.now())
                lapsed.append(free.exists())
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = crawl_site(url=blog.home, adapter="xuite", concurrency=1)
    finally:
        stop.set()
        watcher.join()

    assert (run.state, run.attempts) == ("done", 1)
    assert len(lapsed) > 20 and not any(lapsed)


@pytest.mark.integration
def test_a_summary_whose_model_is_silent_past_its_lease_runs_once(
    private_redis, workers, model, pages
):
    """GIVEN a worker with beat (reconciler every second), two processes, and a
    3-second lease, and a model that reads the prompt for 20 seconds before it
    sends anything (more than 3 leases, and past the reconciler's grace)
    WHEN one summary is asked for
    THEN it is done after exactly one model call and one claim."""
    broker = private_redis()
    model.prompt_seconds = 20.0
    workers(broker.url, beat=True, LEASE_SECONDS=3)
    summary = pending(pages(0))
    ring(broker.url, "summarizer.summarize", [summary.pk])

    done = wait_until(lambda: Summary.objects.filter(pk=summary.pk, state="done").first(),
                      timeout=90, interval=0.5)  # fmt: skip

    assert done.output.strip()
    assert model.calls_for(0) == 1
    assert done.attempts == 1


@pytest.mark.integration
def test_a_worker_that_lost_its_lease_stops_writing_the_summary(
    private_redis, workers, model, pages
):
    """GIVEN a worker summarizing a page whose model reads the prompt for 6 seconds
    WHEN its lease is taken meanwhile (it ran out, as after a long stall, and
    another claim holds the row)
    THEN once the model answers, the old worker writes nothing: the row keeps what
    the new holder wrote, and is not marked done by the loser."""
    broker = private_redis()
    model.prompt_seconds = 6.0
    (worker,) = workers(broker.url, LEASE_SECONDS=3)
    summary = pending(pages(0))
    ring(broker.url, "summarizer.summarize", [summary.pk])
    wait_until(lambda: model.calls_for(0) == 1, timeout=30, interval=0.05)

    run_out(summary.pk)
    thief = ledger.take(Summary, summary.pk, states=services.IN_PROGRESS, lease_seconds=60)
    assert thief is not None
    thief.write(stage="the new holder's", partial_output="theirs")
    wait_until(lambda: b"lease lost" in worker.log.read_bytes(), timeout=30, interval=0.2)
    time.sleep(1.0)  # anything the loser still meant to write would land by now

    row = Summary.objects.get(pk=summary.pk)
    assert (row.stage, row.partial_output, row.output) == ("the new holder's", "theirs", "")
    assert row.state == Summary.State.SUMMARIZING and row.claimed_until == thief.until
    assert worker.poll() is None
