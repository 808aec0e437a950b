"""Rotating WARC 1.1 files, written with warcio, that a kill never corrupts.

Each record is its own gzip member and is flushed as soon as it is written,
into ``NAME.warc.gz.open``. Closing (at about ``WARC_MAX_FILE_BYTES``, or
when the crawl ends) writes the index beside it and renames the file to
``NAME.warc.gz``, so a name without ``.open`` is always whole. A writer
killed mid-record leaves an ``.open`` file whose last gzip member never
ends; the next writer in that folder cuts it back to its last whole record
and closes it (``recover``). The ``.open`` file is locked while written, so
a live writer's file is never taken for a dead one's.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import logging
import os
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from waybrief.fetching.exchange import Exchange

from . import index
from .members import whole_members_length

log = logging.getLogger(__name__)
OPEN = ".open"
#: answers not worth a copy: the site was busy or broken, not saying something
_SKIPPED = {408, 429, 500, 502, 503, 504}
_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}
#: how many of its latest records a writer can say the place of (``located``)
RECENT = 4096


class WarcWriter:
    """Records exchanges into rotating files in ``directory``; thread-safe.

    ``record`` is the ``Recorder`` both fetchers take. Identical payloads
    (by SHA-1, as the revisit profile says) are written once: later ones as
    ``revisit`` records pointing at the first, in this folder's closed
    files or the open one.
    """

    def __init__(self, directory: Path, *, prefix: str = "waybrief", max_file_bytes: int) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_file_bytes = max_file_bytes
        self.files_closed: list[Path] = []
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._entries: list[dict] = []
        self._recent: OrderedDict[str, dict] = OrderedDict()
        self._serial = 0
        recover(self.directory)
        self._first = {e["digest"]: (e["url"], e["date"]) for e in index.entries(self.directory)
                       if e["type"] == "response" and e["digest"]}

    @staticmethod
    def of(recorder: object) -> WarcWriter | None:
        """The writer whose ``record`` is ``recorder`` (what a client was
        given), or None: a crawl asks it where each post went."""
        writer = getattr(recorder, "__self__", None)
        return writer if isinstance(writer, WarcWriter) else None

    def record(self, exchange: Exchange) -> None:
        if exchange.status in _SKIPPED or exchange.method != "GET":
            return
        with self._lock:
            self._write(exchange)

    def located(self, url: str) -> dict | None:
        """Where this writer put its latest record of ``url`` (its index entry:
        ``filename`` as the file is named once closed, ``offset``, ``length``),
        for a row to keep; None when it wrote none lately. Only the last
        ``RECENT`` records are remembered, so memory stays flat on a big crawl."""
        with self._lock:
            return self._recent.get(url)

    def close(self) -> None:
        with self._lock:
            self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, exchange: Exchange) -> None:
        out, writer = self._current()
        headers = _response_headers(exchange)
        digest = _payload_digest(exchange.payload)
        earlier = self._first.get(digest) if exchange.payload else None
        if earlier is not None:
            response = writer.create_revisit_record(
                exchange.url, digest, earlier[0], earlier[1], http_headers=headers
            )
        else:
            response = writer.create_warc_record(
                exchange.url, "response", payload=io.BytesIO(exchange.payload), http_headers=headers
            )
        offset = out.tell()
        writer.write_record(response)
        length = out.tell() - offset
        writer.write_record(_request_record(writer, exchange, response))
        out.flush()
        date = response.rec_headers.get_header("WARC-Date")
        kind = "revisit" if earlier is not None else "response"
        self._entries.append(index.entry(
            url=exchange.url, date=date, kind=kind, status=exchange.status, digest=digest,
            mime=_mime(exchange), offset=offset, length=length,
            refers_to=earlier, filename=self._closed_name(),
            location=_header(exchange, "location") if 300 <= exchange.status < 400 else None,
        ))
        self._recent[exchange.url] = self._entries[-1]
        self._recent.move_to_end(exchange.url)
        if len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        if earlier is None:
            self._first[digest] = (exchange.url, date)
        if out.tell() >= self.max_file_bytes:
            self._close_file()

    def _current(self) -> tuple[BinaryIO, WARCWriter]:
        if self._file is None:
            self._serial += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")  # names sort by age
            # the pid and a random part: writers of one second never share a name
            unique = f"{os.getpid()}-{secrets.token_hex(3)}-{self._serial:05d}"
            name = f"{self.prefix}-{stamp}-{unique}.warc.gz"
            self._path = self.directory / (name + OPEN)
            self._file = self._path.open("xb")
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            info = {"software": "Waybrief (warcio)", "format": "WARC File Format 1.1",
                    "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                                  "warc-format/warc-1.1/"}
            self._writer.write_record(self._writer.create_warcinfo_record(name, info))
            self._file.flush()
        assert self._writer is not None
        return self._file, self._writer

    def _closed_name(self) -> str:
        assert self._path is not None
        return self._path.name.removesuffix(OPEN)

    def _close_file(self) -> None:
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        closed = self._path.with_name(self._closed_name())
        index.write(closed, self._entries)
        os.rename(self._path, closed)  # the lock goes with the file closed below
        self._file.close()
        self.files_closed.append(closed)
        self._file = self._path = self._writer = None
        self._entries = []


def recover(directory: Path) -> list[Path]:
    """Close every ``.open`` file in ``directory`` that no writer holds,
    cut back to its last whole record. Returns the files it closed."""
    closed = []
    for path in sorted(Path(directory).glob("*.warc.gz" + OPEN)):
        with path.open("r+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer's
            whole = whole_members_length(handle)
            size = handle.seek(0, os.SEEK_END)
            if whole < size:
                log.warning("%s: a writer died mid-record; cutting %d bytes", path, size - whole)
                handle.truncate(whole)
            handle.flush()
            os.fsync(handle.fileno())
            target = path.with_name(path.name.removesuffix(OPEN))
            index.write(target, list(index.scan(path, filename=target.name)))
            os.rename(path, target)
        closed.append(target)
    return closed


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    """The headers as sent, less the hop-by-hop ones: the payload is kept
    de-chunked, so ``Transfer-Encoding`` would misdescribe it."""
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in _HOP_HEADERS]
    if not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("Content-Length", str(len(exchange.payload))))
    status = f"{exchange.status} {exchange.reason}".strip()
    return StatusAndHeaders(status, headers, protocol=exchange.http_version)


def _request_record(writer: WARCWriter, exchange: Exchange, response):
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    line = f"{exchange.method} {target}"
    headers = StatusAndHeaders(line, list(exchange.request_headers),
                               protocol=exchange.http_version, is_http_request=True)
    record = writer.create_warc_record(exchange.url, "request", http_headers=headers)
    record.rec_headers.replace_header("WARC-Date", response.rec_headers.get_header("WARC-Date"))
    record.rec_headers.add_header(
        "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
    )
    return record


def _payload_digest(payload: bytes) -> str:
    """``sha1:BASE32`` of the payload, as warcio writes WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def _mime(exchange: Exchange) -> str:
    return (_header(exchange, "content-type") or "").split(";", 1)[0].strip().lower()


def _header(exchange: Exchange, wanted: str) -> str | None:
    for name, value in exchange.response_headers:
        if name.lower() == wanted:
            return value
    return None
