"""One overall deadline per fetch, enforced on every socket read.

httpx's read timeout restarts with every byte, so a server trickling a byte
a second would never time out. The guarded backend wraps each stream so
that each read waits at most until the deadline of the fetch in progress.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

import httpcore

_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


@contextlib.contextmanager
def deadline_after(seconds: float) -> Iterator[float]:
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield _deadline.get()
    finally:
        _deadline.reset(token)


def clamp(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left before the deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the fetch's overall deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, clamp(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, clamp(timeout)))

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)
