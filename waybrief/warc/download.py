"""A site's WARC files, and one record of them, as downloads (admin, API).

Which file is served is decided by the callers from the site's own listing
(``site_file``), never from a path a request names.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.http import FileResponse

from .copies import NotCopied

CONTENT_TYPE = "application/warc"
_GZIP_MAGIC = b"\x1f\x8b"


def file_response(path: Path) -> FileResponse:
    """The whole file, streamed from disk in blocks (files run to a gigabyte)."""
    # The type is named: guessed from ".gz", it could tell a client to inflate it.
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type=CONTENT_TYPE)


def record_response(path: Path, offset: int, length: int) -> FileResponse:
    """One record: its own gzip member, itself a whole ``.warc.gz`` file that
    warcio, pywb and ReplayWeb.page read. Raises ``NotCopied`` when the range
    is not a record of the file."""
    data = b""
    if offset >= 0 and length > 0:
        with path.open("rb") as stream:
            stream.seek(offset)
            data = stream.read(length)
    if len(data) != length or not data.startswith(_GZIP_MAGIC):
        raise NotCopied(f"No WARC record at {path.name}:{offset}.")
    name = f"{path.name.removesuffix('.warc.gz')}-{offset}.warc.gz"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name,
                        content_type=CONTENT_TYPE)
