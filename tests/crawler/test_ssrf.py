"""Crawling goes through the same connect-time guard as every other fetch, and
the same URL check on every redirect hop."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from archiver.models import Capture
from crawler.models import CrawlRun
from crawler.services import execute_run, start_crawl
from tests.support.crawling import crawl, stored
from tests.support.http import Reply
from tests.support.sites.static import LinksSite
from tests.support.sites.xuite import XuiteBlog

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


HOP = "/where-the-hop-leads/"


@dataclass
class HostileRedirectsSite(LinksSite):
    """A links-only blog where three posts redirect where no fetch may go:
    ``javascript:``, ``data:``, and an address with a user name in it (which
    ``check_url`` refuses, as it would the first URL)."""

    hostile: tuple[int, ...] = (5, 6, 7)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.server.route(HOP, Reply(200, b"<html><title>x</title></html>"))
        for number, target in zip(self.hostile, self.targets, strict=True):
            self.server.route(self.post_path(number), Reply(302, headers={"Location": target}))

    @property
    def targets(self) -> list[str]:
        return [
            "javascript:alert(1)",
            "data:text/html,x",
            f"http://reader@127.0.0.1:{self.server.port}{HOP}",
        ]

    @property
    def reachable(self) -> set[str]:
        return self.expected - {self.base + self.post_path(n) for n in self.hostile}


def test_a_redirect_to_a_hostile_address_fails_that_page_and_the_crawl_goes_on(server):
    """GIVEN a blog of 25 posts where one post redirects to javascript:alert(1),
    one to data:text/html,x and one to an address with a user name WHEN it is
    crawled with archiving THEN each of the three pages fails with a clear
    error, the run ends incomplete, and every other post is found and queued
    for the Archive; the refused hops are never requested."""
    site = HostileRedirectsSite(server, posts=25, per_page=10)

    run = execute_run(run_id=start_crawl(url=site.base + "/", archive=True).pk)

    assert run.state == CrawlRun.State.INCOMPLETE
    assert run.errors == 3
    for number, target in zip(site.hostile, site.targets, strict=True):
        assert f"{site.base}{site.post_path(number)}: It redirects to {target}" in run.error
    assert "Only http:// and https:// addresses can be fetched." in run.error
    assert "user name or password" in run.error
    assert stored(run) == site.reachable
    assert set(Capture.objects.values_list("url", flat=True)) == site.reachable
    assert server.hits[HOP] == 0
