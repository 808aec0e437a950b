"""Reading a page from its latest good capture in the Wayback Machine.

A page that is gone (404, 410, no answer) can still be summarized from
the Archive, and a user may ask for the archived copy on purpose. The copy
is read raw (``/web/{timestamp}id_/{url}``: the bytes as captured, without
the Archive's toolbar or rewritten links), so extraction sees the page as
its author wrote it. The look-up shares the crawler's CDX rate limit.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings

from archiver.clients import Snapshot, WaybackError
from crawler.cdx import CdxReader
from waybrief.fetching import Fetcher, FetchError
from waybrief.fetching.fetcher import FetchedPage

#: a live page answering these (or not answering) is read from the Archive
GONE = {404, 410}


class NotArchived(FetchError):
    code = "not_archived"


def latest_capture(url: str, *, reader: CdxReader | None = None) -> Snapshot | None:
    """The latest capture of ``url`` that answered 200, through CDX."""
    reader = reader or CdxReader()
    params = [("url", url), ("fl", "timestamp,original"), ("filter", "statuscode:200"),
              ("limit", "-1")]  # fmt: skip
    try:
        rows, _ = reader.ask(params)
    except WaybackError as exc:
        raise NotArchived(f"The Archive's index cannot be read: {exc}", url=url) from None
    if not rows:
        return None
    row = rows[-1]
    original = row.get("original") or url
    base = settings.WAYBACK_URL.rstrip("/")
    return Snapshot(row["timestamp"], original, f"{base}/web/{row['timestamp']}/{original}")


def raw_url(snapshot: Snapshot) -> str:
    base = settings.WAYBACK_URL.rstrip("/")
    return f"{base}/web/{snapshot.timestamp}id_/{snapshot.original}"


def read_capture(url: str, fetcher: Fetcher) -> tuple[FetchedPage, Snapshot]:
    """The page as its latest good capture holds it, named by its own URL
    (so extraction and charset hints see the original site). Raises
    ``NotArchived`` when the Archive holds no good capture of it."""
    snapshot = latest_capture(url)
    if snapshot is None:
        raise NotArchived("The Wayback Machine holds no good capture of that page.", url=url)
    page = fetcher.fetch(raw_url(snapshot))
    return dataclasses.replace(page, url=url, final_url=snapshot.original), snapshot


def is_gone(error: FetchError) -> bool:
    """Whether a live fetch failed because the page is gone, not because of us."""
    return error.code == "unreachable" or getattr(error, "status", 0) in GONE
