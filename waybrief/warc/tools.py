"""Checking WARC files with warcio's checker, and a CDXJ index for replay tools."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

from cdxj_indexer.main import write_cdx_index
from warcio.checker import Checker

CDXJ_NAME = "index.cdxj"


def check(path: Path) -> tuple[bool, str]:
    """warcio's own check (every record parses, every digest matches):
    whether it passed, and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        passed = Checker(SimpleNamespace(inputs=[str(path)], verbose=False)).process_all() == 0
    return passed, printed.getvalue().strip()


def export(files: list[Path], out: Path) -> Path:
    """``files`` linked (or copied) into ``out`` beside a sorted CDXJ index
    of them, the layout pywb's collections and ReplayWeb.page read.
    Returns the index's path."""
    out.mkdir(parents=True, exist_ok=True)
    placed = []
    for warc in files:
        target = out / warc.name
        if not target.exists():
            try:
                os.link(warc, target)
            except OSError:  # another file system
                shutil.copy2(warc, target)
        placed.append(str(target))
    cdxj = out / CDXJ_NAME
    write_cdx_index(str(cdxj), placed, {"sort": True})
    return cdxj
