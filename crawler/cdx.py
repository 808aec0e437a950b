"""A blog's captures, read from the Archive's CDX index one page at a time.

One prefix query (``host/path/*``) lists every capture under a blog; the
server answers a page at a time and hands back a resume key for the next,
so a blog with tens of thousands of captures is read in memory bounded by
one page. Every request takes a slot from the shared look-up limit
(``WAYBACK_LOOKUP_RATE_PER_MINUTE``, the Archive's ~60 CDX requests a
minute) that the archiver's availability and CDX checks also use.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from archiver import ratelimit
from archiver.clients import RateLimited, Unavailable, WaybackClient

#: rows asked for per request; the server may give fewer (its own page size)
PAGE_SIZE = 5000
FIELDS = "original,timestamp"
#: what a post's capture looks like: a good answer, an HTML page
FILTERS = ("statuscode:200", "mimetype:text/html")
RETRIES = 3


def prefix(home: str) -> str:
    """The CDX prefix query for everything under ``home`` (scheme dropped:
    the index keeps http and https captures of a page together)."""
    parts = urlsplit(home)
    path = parts.path.rstrip("/")
    return f"{parts.netloc}{path}/*"


def query(home: str, *, collapse: bool, resume_key: str = "", page_size: int = PAGE_SIZE):
    """The parameters of one page of ``home``'s prefix query."""
    params = [("url", prefix(home)), ("fl", FIELDS)]
    params += [("filter", value) for value in FILTERS]
    if collapse:
        params.append(("collapse", "urlkey"))  # one row per distinct URL
    params += [("limit", str(page_size)), ("showResumeKey", "true")]
    if resume_key:
        params.append(("resumeKey", resume_key))
    return params


class CdxReader:
    """Pages of a prefix query, each request within the shared look-up rate."""

    def __init__(self, client: WaybackClient | None = None, *, page_size: int = PAGE_SIZE) -> None:
        self.client = client or WaybackClient.from_settings()
        self.page_size = page_size
        self.requests = 0

    def page(
        self, home: str, *, collapse: bool = True, resume_key: str = ""
    ) -> tuple[list[dict[str, str]], str]:
        """One page: rows (``original``, ``timestamp``) and the next resume key.

        A 429 pauses every look-up for its ``Retry-After`` and is retried; a
        server error is retried a few times; a refused connection is not
        (the Archive is not there at all). Raises ``WaybackError``.
        """
        params = query(home, collapse=collapse, resume_key=resume_key, page_size=self.page_size)
        return self.ask(params)

    def ask(self, params: list[tuple[str, str]]) -> tuple[list[dict[str, str]], str]:
        """Any one CDX request, within the shared rate, retried as ``page`` says."""
        for attempt in range(RETRIES + 1):
            token = _lookup_slot()
            try:
                self.requests += 1
                return self.client.cdx_page(params)
            except RateLimited as exc:
                time.sleep(ratelimit.throttled(ratelimit.LOOKUP, exc.retry_after))
                if attempt == RETRIES:
                    raise
            except Unavailable as exc:
                if attempt == RETRIES or isinstance(exc.__cause__, httpx.ConnectError):
                    raise
                time.sleep(min(8.0, 0.5 * 2**attempt))
            finally:
                ratelimit.sent(ratelimit.LOOKUP, token)
        raise AssertionError("unreachable")

    def rows(self, home: str, *, collapse: bool = True) -> Iterator[dict[str, str]]:
        """Every row of the query, page after page."""
        key = ""
        while True:
            rows, key = self.page(home, collapse=collapse, resume_key=key)
            yield from rows
            if not key:
                return


def _lookup_slot() -> str:
    """Wait for a look-up slot; returns its token."""
    while True:
        grant = ratelimit.acquire(
            ratelimit.LOOKUP, max_wait=ratelimit.slot_interval(ratelimit.LOOKUP)
        )
        if grant.granted:
            return grant.token
        time.sleep(min(grant.wait or 0.25, settings.WAYBACK_RATE_WINDOW_SECONDS))
