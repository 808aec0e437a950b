"""The run journal keeps what a crawl found, even when the crawl ends mid-flush."""

from __future__ import annotations

import time

import anyio
import pytest
from asgiref.sync import sync_to_async

from crawler.adapters.base import Listing
from crawler.interrupt import run_interruptibly
from crawler.journal import RunJournal
from crawler.models import CrawlRun, Site

pytestmark = pytest.mark.django_db


def test_a_flush_cut_short_by_the_end_of_the_crawl_still_writes_its_batch():
    """GIVEN a journal holding 100 posts and the page that listed them, and a
    database thread busy for a moment WHEN a flush begins and the crawl is
    cancelled before the write is done (as when the crawl ends, or is
    stopped, during a flush), then the last flush runs THEN the posts and
    the page are in the database."""
    run = CrawlRun.objects.create(site=Site.objects.create(url="http://blog.example/"))
    journal = RunJournal(run)
    posts = [f"http://blog.example/2024/01/post-{n}.html" for n in range(100)]

    async def crawl() -> None:
        journal.add(posts)
        journal.page_done("http://blog.example/", Listing(posts))
        async with anyio.create_task_group() as group:
            group.start_soon(sync_to_async(time.sleep), 0.3)  # the database thread is busy
            await anyio.sleep(0.05)
            group.start_soon(journal.flush)
            await anyio.sleep(0)  # the flush takes the batch out and hands it over
            group.cancel_scope.cancel()
        await journal.flush()  # the last flush, as engine.run does

    run_interruptibly(crawl)

    run.refresh_from_db()
    assert set(run.urls.values_list("url", flat=True)) == set(posts)
    assert list(run.pages.values_list("url", flat=True)) == ["http://blog.example/"]
    assert run.urls_found == 100
