"""Reading every post of a crawl once more, with its requisites, for its WARC copy.

The client's recorder (``waybrief.warc``) writes what is read here; this
module only decides what to read: each post found that is not kept yet,
and for each post page the images, style sheets and scripts it names on
its own host, at most ``REQUISITES_PER_PAGE`` of them, each once per run.
robots.txt is obeyed as for list pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

import anyio
import lxml.html
from django.conf import settings
from lxml.etree import ParserError

from waybrief.fetching import FetchedPage
from waybrief.fetching.errors import FetchError

if TYPE_CHECKING:
    from .engine import Crawl

REQUISITES_PER_PAGE = 20
_REQUISITES = "//img/@src | //script/@src | //link[@rel='stylesheet']/@href"
_HTML = {"text/html", "application/xhtml+xml"}


async def read_posts(crawl: Crawl, wanted: Callable[[str], bool], *, workers: int = 16) -> int:
    """Read every post ``wanted`` names, then its requisites. A post that
    answers 429/5xx or not at all counts as a failed page, so the run ends
    incomplete and its next attempt reads it (and only what is missing).
    Returns how many posts were read."""
    robots = await crawl.robots()

    def allowed(url: str) -> bool:
        return robots.can_fetch(url, settings.FETCH_USER_AGENT)

    posts = iter(sorted(url for url in crawl.journal.known if wanted(url) and allowed(url)))
    seen: set[str] = set()
    read = 0

    async def worker() -> None:
        nonlocal read
        for url in posts:  # shared: each post goes to one worker
            page = await _read(crawl, url)
            if page is None:
                continue
            read += 1
            for requisite in requisites(page):
                if requisite not in seen and wanted(requisite) and allowed(requisite):
                    seen.add(requisite)
                    await _read(crawl, requisite, required=False)

    async with anyio.create_task_group() as group:
        for _ in range(workers):
            group.start_soon(worker)
    return read


async def _read(crawl: Crawl, url: str, *, required: bool = True) -> FetchedPage | None:
    """A requisite is not ``required``: the next attempt reads no post it
    kept, so it would not find that requisite again; its failure fails nothing."""
    failure = ""
    try:
        page = await crawl.fetch(url)
    except FetchError as exc:
        failure = str(exc)
    else:
        if page.status < 500 and page.status != 429:
            return page  # a 404 is kept too: it is what the site says of that post now
        failure = f"HTTP {page.status}"  # busy or broken: the next attempt
    if required:
        crawl.journal.failed(url, failure)
    return None


def requisites(page: FetchedPage, *, limit: int = REQUISITES_PER_PAGE) -> list[str]:
    """What the page needs to show as it did, on its own host, in page order."""
    if page.status >= 300 or page.content_type not in _HTML:
        return []
    return list(_bounded(_same_host(page.final_url, _named(page)), limit))


def _named(page: FetchedPage) -> Iterable[str]:
    try:
        return lxml.html.fromstring(page.body).xpath(_REQUISITES)
    except (ParserError, ValueError):
        return []


def _same_host(base: str, targets: Iterable[str]) -> Iterator[str]:
    host = urlsplit(base).netloc.lower()
    for target in targets:
        url = urldefrag(urljoin(base, str(target).strip())).url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc.lower() == host:
            yield url


def _bounded(urls: Iterable[str], limit: int) -> Iterator[str]:
    for count, url in enumerate(dict.fromkeys(urls)):
        if count >= limit:
            return
        yield url
