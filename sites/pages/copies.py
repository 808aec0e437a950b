"""A site's local WARC copies, as its pages need them: which posts have one.

Reading a site's index files takes a moment on a big blog, and a live page
asks every few seconds, so the parsed copies are kept until a file in the
folder changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from crawler.models import Site
from waybrief import warc

_lock = threading.Lock()
_kept: dict[Path, tuple[tuple, warc.Copies]] = {}


def _signature(folder: Path) -> tuple:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                            for p in folder.iterdir()))  # fmt: skip
    except OSError:
        return ()


def site_copies(site: Site) -> warc.Copies | None:
    """The copies kept of ``site``, or None when it keeps none."""
    folder = warc.folder_for(site.url)
    if folder is None or not (site.keep_warc or folder.is_dir()):
        return None
    signature = _signature(folder)
    with _lock:
        kept = _kept.get(folder)
        if kept is not None and kept[0] == signature:
            return kept[1]
    copies = warc.Copies(folder)
    with _lock:
        _kept[folder] = (signature, copies)
    return copies
