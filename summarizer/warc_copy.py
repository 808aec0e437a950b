"""Reading a page from the local WARC copies (``source="local"``).

What a crawl kept of a site (waybrief/warc) can be summarized with no
network at all: on request, and when neither the live page nor the
Archive can be read.
"""

from __future__ import annotations

from django.conf import settings

from waybrief import warc
from waybrief.fetching.errors import UpstreamError
from waybrief.fetching.page import FetchedPage

NotCopied = warc.NotCopied


def read_copy(url: str) -> tuple[FetchedPage, str]:
    """The page as its latest local copy holds it, and that copy's date as
    14 digits (YYYYMMDDhhmmss). Raises ``NotCopied`` without one."""
    copies = warc.all_copies()
    page = copies.page(url, max_bytes=settings.FETCH_MAX_BYTES)
    if page.status >= 400:
        raise UpstreamError(f"The kept copy is the site's answer {page.status}.", url=url,
                            status=page.status)
    date = copies.latest(url)["date"]
    return page, "".join(ch for ch in date if ch.isdigit())[:14]
