"""Reading pages back from the local WARC copies, with no network at all."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import httpx
from warcio.archiveiterator import ArchiveIterator

from waybrief.fetching.errors import FetchError, TooLarge
from waybrief.fetching.page import FetchedPage, mime_type

from . import index

#: redirects followed from copy to copy, as a fetch would follow them
MAX_HOPS = 10


class NotCopied(FetchError):
    code = "not_copied"
    http_status = 404


class Copies:
    """What the closed WARC files under ``directory`` hold, by URL: the
    latest copy of each that answered 200 (or else its latest answer)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._latest: dict[str, dict] = {}
        self._by_date: dict[tuple[str, str], dict] = {}
        if directory is None or not Path(directory).is_dir():
            return
        for item in index.entries(Path(directory)):
            self._by_date[(item["url"], item["date"])] = item
            known = self._latest.get(item["url"])
            if known is None or _rank(item) >= _rank(known):
                self._latest[item["url"]] = item

    def __contains__(self, url: str) -> bool:
        """Whether ``url`` has a whole copy: a redirect counts only with the
        copy it leads to (a writer killed between the two kept the first)."""
        return self.located(url) is not None

    def __len__(self) -> int:
        return len(self._latest)

    def latest(self, url: str) -> dict | None:
        return self._latest.get(url)

    def located(self, url: str) -> dict | None:
        """The index entry (file ``path``, ``offset``, ``length``) of the copy
        ``url`` reads as, past its kept redirects; None without a whole one."""
        item, _ = self._final(url)
        return None if item is None or _redirected(item) else item

    def page(self, url: str, *, max_bytes: int) -> FetchedPage:
        """The page as its latest copy holds it, inflated (``Content-Encoding``
        undone), as a fetch returns it: kept redirects are followed to the
        copy they lead to. Raises ``NotCopied`` without one."""
        item, redirects = self._final(url)
        if item is None:
            raise NotCopied("No local WARC copy of that page was kept.", url=url)
        page = self._page_of(item, max_bytes)
        page.url, page.redirects = url, redirects
        return page

    def _page_of(self, item: dict, max_bytes: int) -> FetchedPage:
        record_headers, status, _ = _read(Path(item["path"]), item["offset"], max_bytes, body=False)
        payload_item = item
        if item["type"] == "revisit" and item["refers_to"]:
            payload_item = self._by_date.get(tuple(item["refers_to"]))
            if payload_item is None:
                raise NotCopied("The copy it repeats is no longer kept.", url=item["url"])
        _, _, body = _read(Path(payload_item["path"]), payload_item["offset"], max_bytes,
                           body=True)
        return _page(item["url"], status, record_headers, body)

    def _final(self, url: str) -> tuple[dict | None, list[str]]:
        """The copy a chain of kept redirects from ``url`` ends at, and the chain."""
        item, redirects = self._latest.get(url), []
        while item is not None and _redirected(item) and len(redirects) < MAX_HOPS:
            target = _location(item)
            if target is None or target not in self._latest or target in redirects:
                break
            redirects.append(item["url"])
            item = self._latest[target]
        return item, redirects


def read_at(path: Path, offset: int, *, max_bytes: int) -> FetchedPage:
    """The page in the record at ``offset`` of the WARC file ``path`` (a row
    says where: ``DiscoveredURL.warc_file``), read with no scan of the file;
    a ``revisit`` is completed from the copy it repeats, through the index of
    its folder. Raises ``NotCopied`` when no such record is there."""
    try:
        headers, status, url = _read(path, offset, max_bytes, body=False)
    except (OSError, StopIteration, ValueError) as exc:
        raise NotCopied(f"No WARC record at {path.name}:{offset} ({exc}).") from None
    item = next((e for e in index.entries_of(path) if e["offset"] == offset), None)
    if item is not None and item["type"] == "revisit" and item["refers_to"]:
        return Copies(path.parent)._page_of({**item, "path": str(path)}, max_bytes)
    _, _, body = _read(path, offset, max_bytes, body=True)
    return _page(url, status, headers, body)


def _page(url: str, status: int, record_headers: list, body: bytes) -> FetchedPage:
    headers = httpx.Headers(record_headers)
    return FetchedPage(url=url, final_url=url, status=status, content_type=mime_type(headers),
                       body=body, headers=headers)


def _rank(item: dict) -> tuple[bool, str]:
    return (item["status"] == 200, item["date"])


def _redirected(item: dict) -> bool:
    return 300 <= item["status"] < 400


def _location(item: dict) -> str | None:
    """Where a kept redirect leads; read from its record when its index entry
    (an index written before entries named it) does not say."""
    if "location" in item:
        target = item["location"]
    else:
        headers, _, _ = _read(Path(item["path"]), item["offset"], 0, body=False)
        target = httpx.Headers(headers).get("location")
    return urljoin(item["url"], target) if target else None


def _read(path: Path, offset: int, max_bytes: int, *, body: bool):
    """The HTTP headers, status and (with ``body``) payload of the record at
    ``offset``, or its URL without ``body``."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        http = record.http_headers
        headers = list(http.headers) if http else []
        status = int(http.get_statuscode() or 0) if http else 0
        if not body:
            return headers, status, record.rec_headers.get_header("WARC-Target-URI")
        content = record.content_stream().read(max_bytes + 1)
    if len(content) > max_bytes:
        raise TooLarge("The kept copy is larger than the size cap.",
                       url=record.rec_headers.get_header("WARC-Target-URI"))
    return headers, status, content
