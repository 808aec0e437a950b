"""Recovering a dead blog on real workers: listed from CDX, every post summarized
from its archived copy, and a worker killed mid-way loses no post or summary."""

from __future__ import annotations

import csv
import io
import time

import pytest

from crawler.models import Site
from sites.models import Recovery
from summarizer.models import Summary
from tests.faults.conftest import kill_group, ring
from tests.support.documents import ARTICLE
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOME = "http://blog.xuite.net/alice/diary"


def seed_dead_blog(wayback, posts: int) -> dict[str, str]:
    """``posts`` posts held only by the Archive, each an article naming page-N.
    Returns post URL: its latest capture's timestamp."""
    stamps = {}
    for n in range(posts):
        url = f"{HOME}/{1000 + n}"
        body = ARTICLE.replace("The Closing of Xuite", f"Diary {n}").replace(
            "</article>", f"<p>This is page-{n} of the recovery.</p></article>"
        )
        stamps[url] = wayback.add_page(url, time.time() - (n + 1) * 86400, body.encode())
    return stamps


def test_a_dead_blog_is_recovered_and_summarized_through_a_worker_kill(
    private_redis, workers, wayback, model, admin_client
):
    """GIVEN a dead Xuite blog of which the Archive holds 12 posts
    WHEN "Recover and summarize" is chosen in the admin, and the worker's process
    group gets SIGKILL while summaries are being written, and a new worker starts
    THEN the recovery lists all 12 posts with their captures, every post ends with
    a summary read from its archived copy, and the CSV download holds them all."""
    broker = private_redis(appendonly=True)
    model.delay = 0.2
    stamps = seed_dead_blog(wayback, 12)
    site = Site.objects.create(url=HOME)
    admin_client.post("/admin/crawler/site/", {
        "action": "recover_and_summarize", "_selected_action": [site.pk]})  # fmt: skip
    row = Recovery.objects.get()
    (victim,) = workers(broker.url)
    ring(broker.url, "sites.recover", [row.pk])  # the admin rang the shared test broker

    wait_until(lambda: Summary.objects.filter(state="summarizing").exists(), timeout=30,
               interval=0.05)  # fmt: skip
    kill_group(victim)
    assert Summary.objects.exclude(state="done").exists(), "all done before the kill"
    workers(broker.url, beat=True)
    wait_until(lambda: Summary.objects.count() == 12
               and not Summary.objects.exclude(state__in=["done", "failed"]).exists(),
               timeout=90, interval=0.2)  # fmt: skip

    row.refresh_from_db()
    assert (row.state, row.posts_found) == ("done", 12)
    summaries = list(Summary.objects.all())
    assert {s.state for s in summaries} == {"done"}
    assert {s.source for s in summaries} == {"archive"}
    assert {s.url: s.capture_timestamp for s in summaries} == stamps
    response = admin_client.post("/admin/sites/recovery/", {
        "action": "download_csv", "_selected_action": [row.pk]})  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["url"]: r["timestamp"] for r in rows} == stamps
    assert all(r["summary"].strip() and r["title"].startswith("Diary") for r in rows)
