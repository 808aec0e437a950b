"""The index beside each closed WARC file: one JSON line per response or revisit.

Written by the writer as it goes (it knows every offset), rebuilt by
scanning when a file was closed by ``recover``. The reader looks copies up
here; ``manage.py warc export`` makes the CDXJ that replay tools read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

SUFFIX = ".idx"


def entry(*, url: str, date: str, kind: str, status: int, digest: str, mime: str, offset: int,
          length: int, filename: str, refers_to: tuple[str, str] | None = None,
          location: str | None = None) -> dict:
    """``location``: where a redirect leads (its ``Location``), so a reader
    follows a kept chain without opening the records."""
    return {"url": url, "date": date, "type": kind, "status": status, "digest": digest,
            "mime": mime, "offset": offset, "length": length, "filename": filename,
            "refers_to": list(refers_to) if refers_to else None, "location": location}


def path_for(warc: Path) -> Path:
    return warc.with_name(warc.name + SUFFIX)


def write(warc: Path, entries: list[dict]) -> None:
    """Written to a temporary name and renamed: a half index is never read."""
    target = path_for(warc)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        for item in entries:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    os.replace(temporary, target)


def scan(warc: Path, *, filename: str | None = None) -> Iterator[dict]:
    """Index entries read from the records themselves."""
    with warc.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit"):
                continue
            headers = record.rec_headers
            http = record.http_headers
            refers = headers.get_header("WARC-Refers-To-Target-URI")
            mime = (http.get_header("Content-Type") or "") if http else ""
            yield entry(
                url=headers.get_header("WARC-Target-URI"), date=headers.get_header("WARC-Date"),
                kind=record.rec_type, status=int(http.get_statuscode() or 0) if http else 0,
                digest=headers.get_header("WARC-Payload-Digest") or "",
                mime=mime.split(";", 1)[0].strip().lower(), offset=records.get_record_offset(),
                length=records.get_record_length(), filename=filename or warc.name,
                refers_to=(refers, headers.get_header("WARC-Refers-To-Date")) if refers else None,
                location=http.get_header("Location") if http else None,
            )


def closed_files(directory: Path) -> list[Path]:
    """Every closed WARC file in ``directory`` (a site's folder) or one level
    down (``WARC_DIR``, a folder per site), oldest name first."""
    found = [*Path(directory).glob("*.warc.gz"), *Path(directory).glob("*/*.warc.gz")]
    return sorted(found, key=lambda p: p.name)


def entries(directory: Path) -> Iterator[dict]:
    """The entries of every closed file under ``directory``."""
    for warc in closed_files(directory):
        yield from entries_of(warc)


def entries_of(warc: Path) -> Iterator[dict]:
    """The entries of one closed file, each with its ``path``; a file whose
    index is missing (a kill between rename and index) is indexed now."""
    listed = path_for(warc)
    if not listed.exists():
        write(warc, list(scan(warc)))
    with listed.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            item["path"] = str(warc)
            yield item
