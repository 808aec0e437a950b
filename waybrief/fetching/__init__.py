"""Fetching what users and pages name: guarded, capped, and decoded right.

One client with two faces: ``Fetcher`` (sync, for the summarizer) and
``AsyncFetcher`` (async, under the crawler's politeness). Both return a
``FetchedPage`` and share the SSRF guard, the redirect policy, the size
and time caps and the charset handling (``client``), so they live in
exactly one place.
"""

from .async_fetcher import AsyncFetcher
from .client import Limits
from .errors import FetchError
from .fetcher import Fetcher, fetch
from .page import FetchedPage
from .retry import retry_after

__all__ = [
    "AsyncFetcher",
    "FetchError",
    "FetchedPage",
    "Fetcher",
    "Limits",
    "fetch",
    "retry_after",
]
