"""Crawling goes through the same connect-time guard as every other fetch."""

from __future__ import annotations

import pytest

from crawler.models import CrawlRun
from tests.crawler.conftest import crawl
from tests.crawler.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "[::ffff:127.0.0.1]"])
def test_it_refuses_to_crawl_a_loopback_address(server, settings, host):
    """GIVEN FETCH_ALLOW_PRIVATE off WHEN a blog on loopback is crawled THEN
    the run fails saying why, and no request reaches the server."""
    settings.FETCH_ALLOW_PRIVATE = False
    blog = XuiteBlog(server, posts=5)

    run, announced = crawl(blog.home.replace("127.0.0.1", host), adapter="xuite")

    assert run.state == CrawlRun.State.FAILED
    assert "only fetches public addresses" in run.error
    assert announced == []
    assert server.requests == []


def test_it_refuses_a_name_that_resolves_to_loopback(server, settings):
    """GIVEN a host name whose (stub) resolver answer is 127.0.0.1 WHEN it is
    crawled THEN the connection is refused before it is made."""
    settings.FETCH_ALLOW_PRIVATE = False
    from crawler.services import crawl_site

    def resolver(host: str, port: int) -> list[str]:
        assert host == "blog.example.test"
        return ["127.0.0.1"]

    run = crawl_site(url=f"http://blog.example.test:{server.port}/alice/diary", adapter="xuite",
                     resolver=resolver)  # fmt: skip

    assert run.state == CrawlRun.State.FAILED
    assert server.requests == []
