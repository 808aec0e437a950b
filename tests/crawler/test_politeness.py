"""Crawls press on a host only as hard as allowed: few requests at once,
pauses when asked, a deadline and a size cap on every page, a clear UA."""

from __future__ import annotations

import time

import anyio
import pytest

from crawler.http import PoliteClient, Politeness
from crawler.models import CrawlRun
from tests.support.bombs import MB, gigabyte_gzip, peak_memory_of
from tests.support.crawling import crawl
from tests.support.http import Reply
from tests.support.sites.xuite import XuiteBlog
from waybrief.fetching.errors import TooLarge

pytestmark = pytest.mark.django_db


def test_it_honours_retry_after_on_a_429_for_the_whole_host(server):
    """GIVEN a blog whose page 3 answers 429 with Retry-After: 1 once WHEN it is
    crawled THEN page 3 is asked again no sooner than 1 s later, no request
    starts on that host in the meantime, and every post is still found."""
    blog = XuiteBlog(server, posts=100, throttle_page=3, retry_after="1", delay=0.05)

    run, announced = crawl(blog.home, adapter="xuite", concurrency=3)

    first, second = blog.served_at[blog.list_path(3)]
    assert second - first >= 1.0
    others = [t for times in blog.served_at.values() for t in times if t not in (first, second)]
    assert not [t for t in others if first + 0.1 < t < first + 0.95]
    assert set(announced) == blog.expected
    assert run.state == CrawlRun.State.DONE


def test_it_keeps_to_the_per_host_concurrency_limit(server):
    """GIVEN a blog that takes 50 ms per answer WHEN it is crawled with
    --concurrency 3 THEN at most 3 requests are ever in flight, and 3 are."""
    blog = XuiteBlog(server, posts=100, delay=0.05)

    crawl(blog.home, adapter="xuite", concurrency=3)

    assert blog.most_in_flight == 3


def test_it_spaces_requests_by_the_per_host_delay(server):
    """GIVEN a delay of 0.1 s WHEN a blog is crawled with 4 requests allowed at
    once THEN request starts on the host are still 0.1 s apart."""
    blog = XuiteBlog(server, posts=50)

    crawl(blog.home, adapter="xuite", concurrency=4, delay=0.1)

    starts = sorted(t for times in blog.served_at.values() for t in times)
    assert len(starts) == 5
    # Measured where they arrive, and a busy machine may hold one back and then
    # deliver two together: what spacing guarantees is that five requests could
    # not all arrive in less than four delays (less a little jitter at the ends).
    assert starts[-1] - starts[0] >= 0.35


def test_it_sends_a_clear_user_agent(server, settings):
    blog = XuiteBlog(server, posts=5)

    crawl(blog.home, adapter="xuite")

    assert {r.headers["User-Agent"] for r in server.requests} == {settings.FETCH_USER_AGENT}


def test_it_gives_up_on_a_page_that_trickles_past_the_deadline(server, settings):
    """GIVEN a home page that sends one byte every 0.2 s, forever WHEN the site
    is crawled with a 1 s deadline THEN the crawl fails within about 1 s."""
    settings.FETCH_TIMEOUT_SECONDS = 1

    def trickle():
        for _ in range(100):
            yield b"<"
            time.sleep(0.2)

    url = server.route("/slow", Reply(200, trickle, {"Content-Type": "text/html"}))
    started = time.monotonic()

    run, _ = crawl(url)

    assert time.monotonic() - started < 3
    assert run.state == CrawlRun.State.FAILED
    assert "did not arrive within 1 seconds" in run.error


@pytest.mark.parametrize("declared", [True, False])
def test_it_caps_the_size_of_a_page_while_streaming(server, settings, declared):
    """GIVEN a 2 MB home page, with or without Content-Length, and a 1 MB cap
    WHEN the site is crawled THEN it is refused as too large."""
    settings.FETCH_MAX_BYTES = 1024 * 1024
    chunk = b"<p>" + b"x" * 65533
    body = chunk * 32 if declared else (lambda: iter([chunk] * 32))
    url = server.route("/big", Reply(200, body, {"Content-Type": "text/html"}))

    run, _ = crawl(url)

    assert run.state == CrawlRun.State.FAILED
    assert "larger than 1048576 bytes" in run.error


def test_a_gigabyte_gzip_bomb_ends_at_the_cap_in_bounded_memory(server):
    """GIVEN a page whose gzip body inflates to 1 GiB WHEN the crawler reads it with
    a 10 MB cap THEN it ends TooLarge within seconds and Python's peak memory stays
    near the cap (httpx inflating whole reads itself went far past it)."""
    url = server.route("/bomb", Reply(200, gigabyte_gzip(), {
        "Content-Type": "text/html", "Content-Encoding": "gzip"}))  # fmt: skip

    async def fetch() -> None:
        async with PoliteClient(allow_private=True, max_bytes=10 * MB) as client:
            await client.get(url)

    def refused() -> None:
        with pytest.raises(TooLarge, match="larger than 10485760 bytes"):
            anyio.run(fetch)

    started = time.monotonic()
    assert peak_memory_of(refused) < 24 * MB
    assert time.monotonic() - started < 5
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_it_retries_server_errors_with_backoff(server):
    """GIVEN a page that fails with 503 twice (no Retry-After) WHEN it is
    fetched THEN it is asked three times and its page comes back."""
    answers = iter([Reply(503, b"busy"), Reply(503, b"busy"), Reply(200, b"fine")])
    url = server.route("/flaky", lambda request: next(answers))

    async def fetch() -> int:
        async with PoliteClient(politeness=Politeness(backoff=0.01), allow_private=True) as client:
            return (await client.get(url)).status

    assert anyio.run(fetch) == 200
    assert server.hits["/flaky"] == 3

