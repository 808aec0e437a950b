"""Reading every post of a crawl once more, with its requisites, for its WARC copy.

The client's recorder (``waybrief.warc``) writes what is read here; this
module only decides what to read: each post found that is not kept yet,
and for each post page the images, style sheets and scripts it names on
its own host, at most ``REQUISITES_PER_PAGE`` of them, each once per run.
robots.txt is obeyed as for list pages. Each post's row is told where its
copy went (``DiscoveredURL.warc_file`` and the record's offset and length).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

import anyio
import lxml.html
from asgiref.sync import sync_to_async
from django.conf import settings
from lxml.etree import ParserError

from waybrief import warc
from waybrief.fetching import FetchedPage
from waybrief.fetching.errors import FetchError

from .models import DiscoveredURL, Site

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

    places = _Places(crawl)
    await places.find_kept()
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
            await places.note(url, page)
            for requisite in requisites(page):
                if requisite not in seen and wanted(requisite) and allowed(requisite):
                    seen.add(requisite)
                    await _read(crawl, requisite, required=False)

    async with anyio.create_task_group() as group:
        for _ in range(workers):
            group.start_soon(worker)
    await places.save()
    return read


class _Places:
    """Each post's row learns where its copy is (``DiscoveredURL.warc_*``),
    in batches, as the posts are read. A crawl killed before a batch was
    written loses nothing: the next run finds those posts in the closed
    files (``find_kept``), as it does posts kept before rows knew places."""

    BATCH = 200

    def __init__(self, crawl: Crawl) -> None:
        self.writer = warc.WarcWriter.of(crawl.client.fetcher.recorder)
        self.site_id: int | None = getattr(crawl.journal, "site_id", None)  # a run's journal
        self.journal = crawl.journal
        self.pending: list[tuple[str, str, int, int]] = []

    @property
    def active(self) -> bool:
        return self.writer is not None and self.site_id is not None

    async def find_kept(self) -> None:
        """Rows of posts already in a closed file that do not say where yet."""
        if not self.active:
            return
        flush = getattr(self.journal, "flush", None)
        if flush is not None:
            await flush()  # every post found has its row before rows are updated
        await sync_to_async(self._find_kept, thread_sensitive=True)()

    async def note(self, url: str, page: FetchedPage) -> None:
        where = self.writer.located(page.final_url) if self.active else None
        if where is None:
            return
        name = f"{self.writer.directory.name}/{where['filename']}"
        self.pending.append((url, name, where["offset"], where["length"]))
        if len(self.pending) >= self.BATCH:
            await self.save()

    async def save(self) -> None:
        batch, self.pending = self.pending, []
        if batch and self.site_id is not None:
            with anyio.CancelScope(shield=True):  # the batch has left the buffer
                await sync_to_async(_write_places, thread_sensitive=True)(self.site_id, batch)

    def _find_kept(self) -> None:
        assert self.writer is not None and self.site_id is not None
        lacking = DiscoveredURL.objects.filter(site_id=self.site_id, warc_file="")
        urls = list(lacking.values_list("url", flat=True))
        if not urls:
            return
        copies = warc.Copies(self.writer.directory)
        found = []
        for url in urls:
            if (item := copies.located(url)) is not None:
                name = warc.relative_name(Path(item["path"]))
                found.append((url, name, item["offset"], item["length"]))
        for start in range(0, len(found), self.BATCH):
            _write_places(self.site_id, found[start:start + self.BATCH])


def _write_places(site_id: int, places: list[tuple[str, str, int, int]]) -> None:
    by_url = {url: (name, offset, length) for url, name, offset, length in places}
    rows = list(DiscoveredURL.objects.filter(site_id=site_id, url__in=list(by_url))
                .only("pk", "url"))  # fmt: skip
    for row in rows:
        row.warc_file, row.warc_offset, row.warc_length = by_url[row.url]
    DiscoveredURL.objects.bulk_update(rows, ["warc_file", "warc_offset", "warc_length"])


def kept_record(site: Site, url: str) -> tuple[Path, int, int]:
    """Where the record of ``url`` (a post, or any page the site's crawls
    kept) is: the file, the offset and the length; the post's row says, or
    else the site's index. Raises ``NotCopied`` when none is kept."""
    row = site.urls.filter(url=url).exclude(warc_file="").first()
    if row is not None and row.warc_offset is not None and row.warc_length:
        path = warc.site_file(site.url, row.warc_file)
        if path is not None:
            return path, row.warc_offset, row.warc_length
    folder = warc.folder_for(site.url)
    item = warc.Copies(folder).located(url) if folder is not None else None
    if item is None:
        raise warc.NotCopied("No local WARC copy of that page is kept.", url=url)
    return Path(item["path"]), item["offset"], item["length"]


def kept_copy(row: DiscoveredURL) -> FetchedPage:
    """The post as its row says its copy is, read by offset (no scan).
    Raises ``NotCopied`` when the row names no copy, or one no longer there."""
    path = warc.site_file(row.site.url, row.warc_file) if row.warc_file else None
    if path is None or row.warc_offset is None:
        raise warc.NotCopied("No local WARC copy of that post is kept.", url=row.url)
    page = warc.read_at(path, row.warc_offset, max_bytes=settings.FETCH_MAX_BYTES)
    page.url = row.url
    return page


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
