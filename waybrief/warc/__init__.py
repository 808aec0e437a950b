"""Local WARC copies of what the crawler and the summarizer fetched.

``WarcWriter`` keeps them (rotating WARC 1.1 files, gzip per record,
written with warcio); ``Copies`` reads them back by URL, ``read_at`` by the
place a row keeps (file and offset). Where they live is
``settings.WARC_DIR`` (empty: none are kept), one folder per site.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from .copies import Copies, NotCopied, read_at
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


def kept_folder(url: str) -> Path | None:
    """The folder of the site whose copies are kept that ``url`` lies in
    (the longest existing folder named for a prefix of it), or None."""
    if not settings.WARC_DIR:
        return None
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for end in range(len(segments), 0, -1):
        prefix = "/".join(segments[:end])
        folder = folder_for(f"{parts.scheme}://{parts.netloc}{prefix}")
        if folder is not None and folder.is_dir():
            return folder
    return None


def site_files(site_url: str) -> list[Path]:
    """A site's closed WARC files, oldest first (none while being written)."""
    folder = folder_for(site_url)
    if folder is None or not folder.is_dir():
        return []
    return sorted(folder.glob("*.warc.gz"), key=lambda path: path.name)


def site_file(site_url: str, name: str) -> Path | None:
    """The site's closed WARC file called ``name`` (a bare file name, or as a
    row keeps it, ``FOLDER/NAME``), or None. Only names in the site's own
    listing match: a name is never joined onto a path, so ``..``, a slash or
    another site's folder can reach nothing."""
    folder = folder_for(site_url)
    if folder is None:
        return None
    bare = name.removeprefix(folder.name + "/")
    return next((path for path in site_files(site_url) if path.name == bare), None)


def relative_name(path: Path) -> str:
    """``FOLDER/NAME`` of a WARC file under ``WARC_DIR``, as a row keeps it."""
    return f"{path.parent.name}/{path.name}"


__all__ = ["Copies", "NotCopied", "WarcWriter", "all_copies", "folder_for", "kept_folder",
           "read_at", "recover", "relative_name", "site_file", "site_files", "writer_for"]
