"""Where the whole gzip members of a file end: a record cut by a kill does not."""

from __future__ import annotations

import zlib
from typing import BinaryIO

_CHUNK = 1 << 20


def whole_members_length(handle: BinaryIO) -> int:
    """The length of the longest prefix of ``handle`` made of whole gzip
    members (each WARC record is one). Bytes after a member that never
    ends, or that does not inflate, are not counted."""
    handle.seek(0)
    whole = 0  # where the last whole member ends
    fed = 0  # bytes of the member in progress read before ``buffer``
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    buffer = b""
    while True:
        if not buffer and not (buffer := handle.read(_CHUNK)):
            return whole
        try:
            data = buffer
            while data and not inflater.eof:  # bounded steps: a member may inflate a lot
                inflater.decompress(data, _CHUNK)
                data = inflater.unconsumed_tail
        except zlib.error:
            return whole
        if not inflater.eof:
            fed, buffer = fed + len(buffer), b""
            continue
        leftover = inflater.unused_data
        whole += fed + len(buffer) - len(leftover)
        fed, buffer = 0, leftover
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
