"""Reading pages back from the local WARC copies, with no network at all."""

from __future__ import annotations

from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator

from waybrief.fetching.errors import FetchError, TooLarge
from waybrief.fetching.page import FetchedPage, mime_type

from . import index


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
        return url in self._latest

    def __len__(self) -> int:
        return len(self._latest)

    def latest(self, url: str) -> dict | None:
        return self._latest.get(url)

    def page(self, url: str, *, max_bytes: int) -> FetchedPage:
        """The page as its latest copy holds it, inflated (``Content-Encoding``
        undone), as a fetch returns it. Raises ``NotCopied`` without one."""
        item = self._latest.get(url)
        if item is None:
            raise NotCopied("No local WARC copy of that page was kept.", url=url)
        record_headers, status = _read(item, max_bytes, body=False)
        payload_item = item
        if item["type"] == "revisit" and item["refers_to"]:
            payload_item = self._by_date.get(tuple(item["refers_to"]))
            if payload_item is None:
                raise NotCopied("The copy it repeats is no longer kept.", url=url)
        _, _, body = _read(payload_item, max_bytes, body=True)
        headers = httpx.Headers(record_headers)
        return FetchedPage(url=url, final_url=url, status=status, content_type=mime_type(headers),
                           body=body, headers=headers)


def _rank(item: dict) -> tuple[bool, str]:
    return (item["status"] == 200, item["date"])


def _read(item: dict, max_bytes: int, *, body: bool):
    with open(item["path"], "rb") as stream:
        stream.seek(item["offset"])
        record = next(iter(ArchiveIterator(stream)))
        http = record.http_headers
        headers = list(http.headers)
        status = int(http.get_statuscode() or 0)
        if not body:
            return headers, status
        content = record.content_stream().read(max_bytes + 1)
    if len(content) > max_bytes:
        raise TooLarge("The kept copy is larger than the size cap.", url=item["url"])
    return headers, status, content
