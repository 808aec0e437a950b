"""A run that is stopped, killed or left incomplete resumes where it was,
without reading again the list pages it had read."""

from __future__ import annotations

import os
import signal

import pytest
from django.utils import timezone

from crawler import services
from crawler.models import CrawledPage, CrawlRun
from tests.support.crawling import crawl
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


def interrupt_after(pages: int):
    """A progress callback that presses Ctrl-C once ``pages`` were fetched."""

    def progress(fetched: int, found: int) -> None:
        if fetched == pages:
            os.kill(os.getpid(), signal.SIGINT)

    return progress


def stop_midway(blog: XuiteBlog) -> tuple[CrawlRun, set[str]]:
    with pytest.raises(KeyboardInterrupt):
        services.crawl_site(url=blog.home, adapter="xuite", concurrency=1,
                            on_progress=interrupt_after(4))  # fmt: skip
    run = CrawlRun.objects.get(site__url=blog.home)
    return run, set(CrawledPage.objects.filter(run=run).values_list("url", flat=True))


def test_it_resumes_a_stopped_run_without_reading_done_pages_again(server):
    """GIVEN a crawl stopped with Ctrl-C after 4 of 10 list pages WHEN the same
    crawl is started again THEN the same run goes on, the pages it had read
    are not requested again, and every post is announced exactly once."""
    blog = XuiteBlog(server, posts=100, delay=0.02)
    run, done = stop_midway(blog)
    assert run.state == CrawlRun.State.STOPPED
    assert 3 <= len(done) < 10
    assert 0 < run.urls.count() < 100

    resumed, announced = crawl(blog.home, adapter="xuite", concurrency=1)

    assert resumed.pk == run.pk
    assert resumed.state == CrawlRun.State.DONE
    assert sorted(announced) == sorted(blog.expected)
    read_once = {blog.home + path.removeprefix(blog.path) for path, n in blog.list_hits.items()
                 if n == 1}  # fmt: skip
    assert {url for url in done if "rss" not in url} <= read_once
    assert sum(blog.list_hits.values()) <= blog.pages + 1  # at most the page in flight


def test_it_resumes_a_run_whose_process_was_killed(server):
    """GIVEN a run left 'running' by a killed process, its lease run out WHEN
    a worker picks it up THEN it finishes without reading done pages again."""
    blog = XuiteBlog(server, posts=100, delay=0.02)
    run, done = stop_midway(blog)
    CrawlRun.objects.filter(pk=run.pk).update(state=CrawlRun.State.RUNNING,
                                              claimed_until=timezone.now())  # fmt: skip

    finished = services.execute_run(run_id=run.pk)

    assert finished.state == CrawlRun.State.DONE
    assert set(finished.urls.values_list("url", flat=True)) == blog.expected
    for url in done:
        path = url.removeprefix(server.base)
        assert server.hits[path] == 1


def test_it_retries_only_the_pages_that_failed(server):
    """GIVEN a blog whose page 4 fails with 500 WHEN it is crawled THEN the run
    is incomplete and names page 4; WHEN the page is fixed and the crawl
    started again THEN only page 4 is read again and the run is done."""
    blog = XuiteBlog(server, posts=80, broken_page=4)

    first, announced = crawl(blog.home, adapter="xuite")

    assert first.state == CrawlRun.State.INCOMPLETE
    assert "p=4: HTTP 500" in first.error
    assert first.next_attempt_at is not None
    on_page_4 = {f"{blog.home}/{blog.post_id(n)}" for n in range(30, 40)}
    assert set(announced) == blog.expected - on_page_4
    blog.broken_page = None
    hits_before = dict(blog.list_hits)

    again, announced = crawl(blog.home, adapter="xuite")

    assert again.pk == first.pk
    assert again.state == CrawlRun.State.DONE
    assert set(announced) == blog.expected
    changed = {p for p, n in blog.list_hits.items() if n != hits_before.get(p)}
    assert changed == {blog.list_path(4)}


def test_a_fresh_crawl_starts_a_new_run(server):
    blog = XuiteBlog(server, posts=20)
    first, _ = crawl(blog.home, adapter="xuite")

    second, announced = crawl(blog.home, adapter="xuite", fresh=True)

    assert second.pk != first.pk
    assert set(announced) == blog.expected
    assert set(second.urls.values_list("url", flat=True)) == blog.expected


def test_a_run_delivered_twice_is_carried_out_once(server):
    """GIVEN a finished run WHEN its message arrives again THEN nothing is fetched."""
    blog = XuiteBlog(server, posts=15)
    run, _ = crawl(blog.home, adapter="xuite")
    hits = sum(server.hits.values())

    again = services.execute_run(run_id=run.pk)

    assert again.state == CrawlRun.State.DONE
    assert sum(server.hits.values()) == hits
