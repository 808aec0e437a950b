"""A writer the test kills: two small records, then one that takes seconds.

Run as ``python -m tests.sites.warc_child FOLDER MARKER``; MARKER is made
once the small records are on disk, so the kill lands in the large one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from waybrief.fetching.exchange import Exchange
from waybrief.warc.writer import WarcWriter

LARGE = 96 * 2**20  # random bytes compress slowly: seconds of writing one record


def exchange(path: str, payload: bytes) -> Exchange:
    return Exchange(url=f"http://blog.test{path}", method="GET",
                    request_headers=[("Host", "blog.test")], http_version="HTTP/1.1",
                    status=200, reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    payload=payload)


def small(n: int) -> bytes:
    return f"<html><body><p>Post number {n}</p></body></html>".encode()


def main(folder: str, marker: str) -> None:
    writer = WarcWriter(Path(folder), max_file_bytes=10**9)
    writer.record(exchange("/post/1", small(1)))
    writer.record(exchange("/post/2", small(2)))
    Path(marker).write_text(str(next(Path(folder).glob("*.open")).stat().st_size))
    writer.record(exchange("/post/3", os.urandom(LARGE)))
    writer.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
