"""The one backoff rule: a wait that doubles with each try, up to a cap.

Rows retried by the reconciler (crawl runs, recoveries, captures) and
requests retried within one step (a CDX page, a crawled page) all use it.
"""

from __future__ import annotations


def backoff_seconds(attempt: int, base: float, *, cap: float | None = None) -> float:
    """The wait before retry number ``attempt`` (1, 2, ...): ``base`` doubling each time."""
    wait = base * 2 ** max(0, attempt - 1)
    return min(wait, cap) if cap is not None else wait
