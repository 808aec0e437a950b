"""Local WARC copies for the summarizer: reading one (``source="local"``),
and keeping what a live fetch read (``recorder_for``).

What a crawl kept of a site (waybrief/warc) can be summarized with no
network at all: on request, and when neither the live page nor the
Archive can be read. A page summarized from a live fetch is kept too when
its site keeps copies (its folder under WARC_DIR is there), or for every
page with ``SUMMARY_WARC`` on: each redirect of the fetch and the answer
it led to, as response records, into one small closed file per fetch.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from waybrief import warc
from waybrief.fetching.errors import UpstreamError
from waybrief.fetching.exchange import Exchange, Recorder
from waybrief.fetching.page import FetchedPage

log = logging.getLogger(__name__)
NotCopied = warc.NotCopied


def read_copy(url: str) -> tuple[FetchedPage, str]:
    """The page as its latest local copy holds it, and that copy's date as
    14 digits (YYYYMMDDhhmmss). Raises ``NotCopied`` without one."""
    copies = warc.all_copies()
    page = copies.page(url, max_bytes=settings.FETCH_MAX_BYTES)
    if page.status >= 300:
        raise UpstreamError(f"The kept copy is the site's answer {page.status}.", url=url,
                            status=page.status)
    date = copies.located(url)["date"]
    return page, "".join(ch for ch in date if ch.isdigit())[:14]


def recorder_for(url: str) -> Recorder | None:
    """A recorder for one live fetch of ``url`` (hand it to ``Fetcher.fetch``),
    or None when that page is not to be kept."""
    folder = warc.kept_folder(url)
    if folder is None and settings.SUMMARY_WARC and settings.WARC_DIR:
        folder = warc.folder_for(f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/")
    return None if folder is None else _OneFetch(folder)


class _OneFetch:
    """Writes one fetch's records (its redirects, then the answer) into a
    file of their own and closes it at the answer, so the copy is readable at
    once. A copy that cannot be written (a full disk) costs the summary
    nothing: it is logged and the summary goes on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writer: warc.WarcWriter | None = None

    def __call__(self, exchange: Exchange) -> None:
        try:
            if self.writer is None:
                self.writer = warc.WarcWriter(self.folder, prefix=self.folder.name[:60],
                                              max_file_bytes=settings.WARC_MAX_FILE_BYTES)
            self.writer.record(exchange)
            if not 300 <= exchange.status < 400:  # the answer: the fetch's last record
                self.writer.close()
        except OSError as exc:
            log.warning("%s: its WARC copy could not be written: %s", exchange.url, exc)
