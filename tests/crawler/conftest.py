"""Fixture sites for the crawler live on loopback, so these tests allow it
(the SSRF tests turn it off again)."""

from __future__ import annotations

import pytest

from tests.support.fake_wayback import FakeWayback
from tests.support.http import LocalServer


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    settings.FETCH_TIMEOUT_SECONDS = 5


@pytest.fixture
def server(blog_server: LocalServer) -> LocalServer:
    return blog_server


@pytest.fixture
def wayback(cdx_wayback: FakeWayback) -> FakeWayback:
    return cdx_wayback
