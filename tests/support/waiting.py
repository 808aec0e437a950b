"""Waiting for a condition, and where this checkout lives, for tests and benches."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], object], *, timeout: float = 30, interval: float = 0.1):
    """Poll ``predicate`` until it returns something truthy, or fail loudly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {predicate}")
