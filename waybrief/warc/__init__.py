"""Local WARC copies of what the crawler and the summarizer fetched.

``WarcWriter`` keeps them (rotating WARC 1.1 files, gzip per record,
written with warcio); ``Copies`` reads them back. Where they live is
``settings.WARC_DIR`` (empty: none are kept), one folder per site.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from .copies import Copies, NotCopied
from .writer import WarcWriter, recover


def folder_for(url: str) -> Path | None:
    """The folder of one site's WARC files, or None when no copies are kept."""
    if not settings.WARC_DIR:
        return None
    parts = urlsplit(url)
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{parts.hostname or 'site'}{parts.path}").strip("_.")
    return Path(settings.WARC_DIR) / (name[:120] or "site")


def writer_for(url: str) -> WarcWriter | None:
    """A writer for the site at ``url``, or None when no copies are kept."""
    folder = folder_for(url)
    if folder is None:
        return None
    return WarcWriter(folder, prefix=folder.name[:60], max_file_bytes=settings.WARC_MAX_FILE_BYTES)


def all_copies() -> Copies:
    """Every copy kept, of every site."""
    return Copies(Path(settings.WARC_DIR) if settings.WARC_DIR else None)


__all__ = ["Copies", "NotCopied", "WarcWriter", "all_copies", "folder_for", "recover",
           "writer_for"]
