"""Fixtures for the tests that crawl stand-in blogs (tests/crawler, tests/sites):
their conftests import these, so loopback is allowed there and only there."""

from __future__ import annotations

import pytest

from tests.support.fake_wayback import FakeWayback
from tests.support.http import LocalServer


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    """The stand-in blogs live on loopback (the SSRF tests turn this off again)."""
    settings.FETCH_ALLOW_PRIVATE = True
    settings.FETCH_TIMEOUT_SECONDS = 5


@pytest.fixture
def server(blog_server: LocalServer) -> LocalServer:
    return blog_server


@pytest.fixture
def wayback(cdx_wayback: FakeWayback) -> FakeWayback:
    return cdx_wayback
