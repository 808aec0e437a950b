"""A blog's captures, read from the Archive's CDX index one page at a time.

One prefix query (``host/path/*``) lists every capture under a blog; the
server answers a page at a time and hands back a resume key for the next,
so a blog with tens of thousands of captures is read in memory bounded by
one page. Every request takes a slot from the shared look-up limit
(``WAYBACK_LOOKUP_RATE_PER_MINUTE``, the Archive's ~60 CDX requests a
minute) that the archiver's availability and CDX checks also use.

Only a capture that replays the page counts as one: a 200, or a
``warc/revisit`` record (status ``-``: the Archive re-captured the page and
found it unchanged) whose digest is that of a 200 capture of the same URL.
A 3xx, 4xx or 5xx capture, an ``unk`` redirect, or a revisit of a redirect
never does. The index compares URLs without regard to letter case (its key
is lower-cased), so ``fold`` is how this project compares captured URLs too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from waybrief.backoff import backoff_seconds

from . import ratelimit
from .client import WaybackClient
from .errors import RateLimited, Unavailable
from .urls import Snapshot, wayback_timestamp

#: rows asked for per request; the server may give fewer (its own page size)
PAGE_SIZE = 5000
FIELDS = "original,timestamp"
#: what a post's capture looks like: a good answer, an HTML page
FILTERS = ("statuscode:200", "mimetype:text/html")
#: every capture that may replay a post: those, and the revisits of them
FULL_FIELDS = "original,timestamp,mimetype,statuscode,digest"
FULL_FILTERS = ("statuscode:(200|-)", "mimetype:(text/html|warc/revisit)")
REVISIT = "warc/revisit"
#: the redirects a save may have captured in place of the page
REDIRECTS = "30[1278]"
RETRIES = 3

Ask = Callable[[list[tuple[str, str]]], tuple[list[dict[str, str]], str]]


def fold(url: str) -> str:
    """A URL as the index compares it: its key is lower-cased (SURT), so
    ``/Heartland/Hills/`` and ``/heartland/hills/`` are one page to it."""
    return url.lower()


def is_revisit(row: dict[str, str]) -> bool:
    return row.get("mimetype") == REVISIT or row.get("statuscode") == "-"


@dataclass
class Replays:
    """One page's captures, in any order, down to the latest that replays it:
    a 200, or a revisit carrying the digest of one of those 200s."""

    best: tuple[str, str] = ("", "")  # (timestamp, original) of the latest 200
    good_digests: set[str] = field(default_factory=set)
    revisits: dict[str, tuple[str, str]] = field(default_factory=dict)  # digest: latest

    def add(self, row: dict[str, str]) -> None:
        stamp, original = row.get("timestamp", ""), row.get("original", "")
        if is_revisit(row):
            digest = row.get("digest", "")
            if digest and stamp >= self.revisits.get(digest, ("", ""))[0]:
                self.revisits[digest] = (stamp, original)
        elif row.get("statuscode", "200") == "200":
            if row.get("digest"):
                self.good_digests.add(row["digest"])
            if stamp >= self.best[0]:
                self.best = (stamp, original)

    def latest(self) -> tuple[str, str] | None:
        found = [self.best] + [self.revisits[d] for d in self.good_digests if d in self.revisits]
        best = max(found, key=lambda entry: entry[0])
        return best if best[0] else None


def prefix(home: str) -> str:
    """The CDX prefix query for everything under ``home`` (scheme dropped:
    the index keeps http and https captures of a page together)."""
    parts = urlsplit(home)
    path = parts.path.rstrip("/")
    return f"{parts.netloc}{path}/*"


def latest_query(
    url: str, *, since: datetime | None = None, status: str = "200"
) -> list[tuple[str, str]]:
    """The parameters asking for the latest capture of ``url`` whose status
    matches ``status`` (a CDX regex; 200: it replays the page), taken at or
    after ``since`` if given."""
    params = [("url", url), ("fl", "timestamp,original,statuscode,mimetype,digest"),
              ("filter", f"statuscode:{status}"), ("limit", "-1")]  # fmt: skip
    if since is not None:
        params.append(("from", wayback_timestamp(since)))
    return params


def latest_capture(
    client: WaybackClient,
    url: str,
    *,
    since: datetime | None = None,
    follow_redirect: bool = False,
) -> Snapshot | None:
    """The latest capture of ``url`` that replays it, in one to three CDX
    requests (``find_latest``). The caller holds a look-up slot;
    ``CdxReader.latest`` takes one a request itself."""
    return find_latest(client, client.cdx_page, url, since=since, follow_redirect=follow_redirect)


def find_latest(
    client: WaybackClient, ask: Ask, url: str, *, since: datetime | None = None,
    follow_redirect: bool = False,
) -> Snapshot | None:  # fmt: skip
    """The latest capture of ``url`` (at or after ``since``) that replays it.

    The latest 200 or revisit is asked for; a revisit counts when a 200
    capture of ``url`` has its digest, else the latest 200 is asked for.
    With ``follow_redirect`` (a save whose answer was lost: SPN2 follows a
    redirect and captures both ends), a URL with no such capture but a 3xx
    one counts through its target: the redirect's ``Location``, as the
    Archive replays it raw, must itself have a capture that replays it,
    since ``since``. One hop only; a redirect to itself counts for nothing.
    """
    rows, _ = ask(latest_query(url, since=since, status="(200|-)"))
    row = rows[-1] if rows else None
    if row is not None and is_revisit(row) and not _digest_replays(ask, url, row):
        rows, _ = ask(latest_query(url, since=since))
        row = rows[-1] if rows else None
    if row is not None:
        return _snapshot(client, row, url)
    if not follow_redirect:
        return None
    rows, _ = ask(latest_query(url, since=since, status=REDIRECTS))
    if not rows:
        return None
    moved = rows[-1]
    target = client.redirect_target(moved["timestamp"], moved.get("original") or url)
    if not target or fold(target) == fold(url):
        return None
    return find_latest(client, ask, target, since=since)


def _digest_replays(ask: Ask, url: str, revisit: dict[str, str]) -> bool:
    """Whether a 200 capture of ``url`` holds the content ``revisit`` points at."""
    digest = revisit.get("digest", "")
    if not digest or digest == "-":
        return False
    rows, _ = ask([("url", url), ("fl", "timestamp,statuscode,digest"),
                   ("filter", "statuscode:200"), ("filter", f"digest:{digest}"),
                   ("limit", "1")])  # fmt: skip
    return bool(rows)


def _snapshot(client: WaybackClient, row: dict[str, str], url: str) -> Snapshot:
    original = row.get("original") or url
    return Snapshot(row["timestamp"], original, client.wayback_url(row["timestamp"], original))


def query(
    home: str, *, collapse: bool, resume_key: str = "", page_size: int = PAGE_SIZE,
    revisits: bool = False,
) -> list[tuple[str, str]]:  # fmt: skip
    """The parameters of one page of ``home``'s prefix query; with
    ``revisits``, revisit records too and the fields ``Replays`` needs."""
    params = [("url", prefix(home)), ("fl", FULL_FIELDS if revisits else FIELDS)]
    params += [("filter", value) for value in (FULL_FILTERS if revisits else FILTERS)]
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
        self, home: str, *, collapse: bool = True, resume_key: str = "", revisits: bool = False
    ) -> tuple[list[dict[str, str]], str]:
        """One page: rows (``original``, ``timestamp``) and the next resume key.

        A 429 pauses every look-up for its ``Retry-After`` and is retried; a
        server error is retried a few times; a refused connection is not
        (the Archive is not there at all). Raises ``WaybackError``.
        """
        params = query(home, collapse=collapse, resume_key=resume_key,
                       page_size=self.page_size, revisits=revisits)  # fmt: skip
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
                time.sleep(backoff_seconds(attempt + 1, 0.5, cap=8.0))
            finally:
                ratelimit.sent(ratelimit.LOOKUP, token)
        raise AssertionError("unreachable")

    def latest(self, url: str, *, since: datetime | None = None) -> Snapshot | None:
        """The latest capture of ``url`` that replays it, within the shared look-up rate."""
        return find_latest(self.client, self.ask, url, since=since)

    def rows(
        self, home: str, *, collapse: bool = True, revisits: bool = False
    ) -> Iterator[dict[str, str]]:
        """Every row of the query, page after page."""
        key = ""
        while True:
            rows, key = self.page(home, collapse=collapse, resume_key=key, revisits=revisits)
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
