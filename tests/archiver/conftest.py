"""The archiver's tests: every one runs against the Wayback stand-in, fast."""

from __future__ import annotations

import os

import pytest

# Nothing started by this suite may reach the real Archive: any worker that
# is not given a stand-in's address gets a closed loopback port instead.
os.environ["WAYBACK_URL"] = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _fast_archive(archiver_settings) -> dict[str, object]:
    return archiver_settings
