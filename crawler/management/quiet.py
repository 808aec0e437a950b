"""Shared by the crawler's commands."""

from __future__ import annotations

import logging


def quiet_http_logs(verbosity: int) -> None:
    """Below ``-v 2``, hide httpx's line per request: it would bury the output."""
    if verbosity < 2:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
