"""Reading a page from its latest good capture in the Wayback Machine.

A page that is gone (404, 410, no answer) can still be summarized from
the Archive, and a user may ask for the archived copy on purpose. The copy
is read raw (``/web/{timestamp}id_/{url}``: the bytes as captured, without
the Archive's toolbar or rewritten links), so extraction sees the page as
its author wrote it. The look-up shares the crawler's CDX rate limit.

The Archive answers an ``id_`` request for one timestamp with a redirect
to a nearby one when that is the capture it can replay ("found capture
at ..."), so the capture read is the one the final URL names, and that is
the one a summary records.
"""

from __future__ import annotations

import dataclasses

from wayback import Snapshot, WaybackError
from wayback.cdx import CdxReader
from wayback.urls import parse_capture_url, parse_timestamp
from waybrief.fetching import Fetcher, FetchError
from waybrief.fetching.fetcher import FetchedPage

from .documents import TYPES

#: a live page answering these (or not answering) is read from the Archive
GONE = {404, 410}


class NotArchived(FetchError):
    code = "not_archived"


def latest_capture(url: str, *, reader: CdxReader | None = None) -> Snapshot | None:
    """The latest capture of ``url`` that answered 200, through CDX."""
    try:
        return (reader or CdxReader()).latest(url)
    except WaybackError as exc:
        raise NotArchived(f"The Archive's index cannot be read: {exc}", url=url) from None


def read_capture(url: str, fetcher: Fetcher) -> tuple[FetchedPage, Snapshot]:
    """The page as its latest good capture holds it, and that capture as it
    was read. The page is named by the original URL, and decoded only once
    it is (``text=None``), so the original host's charset hints (``.tw``,
    ``.cn``, ``.jp``) apply, not the Archive's. Raises ``NotArchived`` when
    the Archive holds no good capture of it."""
    snapshot = latest_capture(url)
    if snapshot is None:
        raise NotArchived("The Wayback Machine holds no good capture of that page.", url=url)
    page = fetcher.fetch(snapshot.raw_url, documents=TYPES)
    read = capture_read(page.final_url, snapshot)
    named = dataclasses.replace(page, url=url, final_url=read.original, text=None, encoding=None)
    return named, read


def capture_read(final_url: str, asked: Snapshot) -> Snapshot:
    """The capture the Archive answered with: the timestamp and URL its last
    redirect named, or ``asked`` when it answered at once."""
    found = parse_capture_url(final_url)
    if found is None or parse_timestamp(found[0]) is None:
        return asked
    timestamp, original = found
    if (timestamp, original) == (asked.timestamp, asked.original):
        return asked
    return Snapshot.at(timestamp, original)


def is_gone(error: FetchError) -> bool:
    """Whether a live fetch failed because the page is gone, not because of us."""
    return error.code == "unreachable" or getattr(error, "status", 0) in GONE
