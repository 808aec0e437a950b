"""Fetching what users and pages name: guarded, capped, and decoded right.

Both the summarizer and the crawler fetch through here, so the SSRF guard,
the size and time caps and the charset handling live in exactly one place.
"""

from .errors import FetchError
from .fetcher import FetchedPage, Fetcher, fetch

__all__ = ["FetchError", "FetchedPage", "Fetcher", "fetch"]
