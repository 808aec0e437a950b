"""A crawl's event loop runs in a helper thread (asgiref), its database
writes in the calling thread, and Ctrl-C winds it down with its progress saved."""

from __future__ import annotations

import os
import signal
import threading

import anyio
import pytest
from asgiref.sync import sync_to_async

from crawler.adapters.base import Listing
from crawler.interrupt import run_interruptibly
from crawler.journal import RunJournal
from crawler.models import CrawlRun, Site

pytestmark = pytest.mark.django_db


class WatchedJournal(RunJournal):
    """The real journal, noting the thread each of its writes ran in."""

    def __init__(self, run: CrawlRun) -> None:
        super().__init__(run, flush_seconds=0.05)
        self.write_threads: list[int] = []

    def _write(self, *batch) -> None:
        self.write_threads.append(threading.get_ident())
        super()._write(*batch)


def test_the_journal_writes_in_the_calling_thread_while_the_loop_runs_elsewhere():
    """GIVEN a run journal flushing every 50 ms WHEN a crawl records posts in
    its event loop THEN the loop ran in another thread, every write ran in
    this test's thread (whose connection holds the test's transaction), and
    the posts are there."""
    run = CrawlRun.objects.create(site=Site.objects.create(url="http://blog.example/"))
    journal = WatchedJournal(run)
    loop_threads: set[int] = set()

    async def crawl() -> None:
        loop_threads.add(threading.get_ident())
        async with anyio.create_task_group() as group:
            group.start_soon(journal.keep_flushing)
            for n in range(5):
                journal.add([f"http://blog.example/post-{n}"])
                await anyio.sleep(0.06)
            group.cancel_scope.cancel()
        await journal.flush()

    run_interruptibly(crawl)

    assert threading.get_ident() not in loop_threads
    assert len(journal.write_threads) >= 3
    assert set(journal.write_threads) == {threading.get_ident()}
    assert run.urls.count() == 5


def test_ctrl_c_winds_the_crawl_down_saves_its_progress_then_interrupts():
    """GIVEN a crawl that runs until cancelled and saves its progress in a
    shielded last step WHEN SIGINT reaches the process THEN the last step
    still writes (in the calling thread) and KeyboardInterrupt is raised."""
    run = CrawlRun.objects.create(site=Site.objects.create(url="http://blog.example/"))
    journal = WatchedJournal(run)

    async def crawl() -> None:
        try:
            journal.page_done("http://blog.example/", Listing(["http://blog.example/a"]))
            journal.add(["http://blog.example/a"])
            await sync_to_async(os.kill)(os.getpid(), signal.SIGINT)
            await anyio.sleep(30)  # cancelled by Ctrl-C, not slept through
        finally:
            with anyio.CancelScope(shield=True):
                await journal.flush()

    with pytest.raises(KeyboardInterrupt):
        run_interruptibly(crawl)

    assert journal.write_threads == [threading.get_ident()]
    assert list(run.urls.values_list("url", flat=True)) == ["http://blog.example/a"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
