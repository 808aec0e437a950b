"""Fixtures for tests that fetch from loopback servers."""

from __future__ import annotations

import pytest

from waybrief.fetching import Fetcher


@pytest.fixture
def loopback_fetcher() -> Fetcher:
    """Fixtures live on loopback, so tests allow it; the guard tests do not."""
    return Fetcher(allow_private=True, timeout=10)
