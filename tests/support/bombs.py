"""A gzip bomb for the size caps, and a way to see what it cost."""

from __future__ import annotations

import struct
import tracemalloc
import zlib

GIB = 1 << 30
MB = 1 << 20


def gigabyte_gzip() -> bytes:
    """A gzip body that inflates to 1 GiB of zeros from about 1 MB on the wire.

    One deflate block of 1 MiB of zeros, ended by a full flush so it refers to
    nothing before it, is repeated 1024 times: built in well under a second
    instead of compressing a gigabyte."""
    zero = bytes(MB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(zero) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(zero, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    bomb = header + block * 1024 + end + struct.pack("<II", crc, GIB)
    first = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert first.decompress(header + block) == zero  # each block is 1 MiB, and there are 1024
    assert len(bomb) < 1.1 * MB
    return bomb


def peak_memory_of(work) -> int:
    """Peak bytes Python allocated while ``work`` ran (all threads)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
