"""Fixture sites for the crawler live on loopback, so these tests allow it
(the SSRF tests turn it off again)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from crawler.models import CrawlRun
from crawler.services import crawl_site
from tests.archiver.fake_wayback import FakeWayback
from tests.summarizer.conftest import model  # noqa: F401 (the bundled model: dead blogs)
from tests.support.http import LocalServer


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    settings.FETCH_TIMEOUT_SECONDS = 5


@pytest.fixture
def server() -> Iterator[LocalServer]:
    site = LocalServer()
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle and
    # delayed ACKs add 40 ms to every answer. A short poll interval makes
    # stopping the server take 50 ms instead of half a second.
    site._server.RequestHandlerClass.disable_nagle_algorithm = True
    threading.Thread(
        target=site._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield site
    site.stop()


def crawl(url: str, **options) -> tuple[CrawlRun, list[str]]:
    """Crawl ``url`` in-process; the run and every URL announced, in order."""
    announced: list[str] = []
    run = crawl_site(url=url, on_url=announced.append, **options)
    return run, announced


def stored(run: CrawlRun) -> set[str]:
    return set(run.urls.values_list("url", flat=True))


@pytest.fixture
def wayback(settings, redis_client) -> Iterator[FakeWayback]:
    """A Wayback stand-in this process reads CDX from, at a rate no test waits on."""
    fake = FakeWayback().start()
    settings.WAYBACK_URL = fake.base_url
    settings.WAYBACK_LOOKUP_RATE_PER_MINUTE = 6000
    settings.WAYBACK_TIMEOUT_SECONDS = 5.0
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    yield fake
    fake.stop()
