"""One overall deadline per fetch, enforced on every socket read.

httpx's read timeout restarts with every byte, so a server trickling a byte
a second would never time out. The guarded backend wraps each stream so
that each read waits at most until the deadline of the fetch in progress.
That is the sync face's deadline; the async face's is ``anyio.fail_after``
around the whole fetch, which cancels whatever read is waiting.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from contextvars import ContextVar

import httpcore
import httpx

_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


@contextlib.contextmanager
def deadline_after(seconds: float) -> Iterator[float | None]:
    """Reads inside the block end ``seconds`` from now (never, for infinity)."""
    token = _deadline.set(None if math.isinf(seconds) else time.monotonic() + seconds)
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


class DeadlineBackend(httpcore.SyncBackend):
    """Plain connections (no address guard) whose reads obey the deadline."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = super().connect_tcp(host, port, clamp(timeout), local_address, socket_options)
        return DeadlineStream(stream)


def deadline_transport(**kwargs) -> httpx.HTTPTransport:
    """A transport for trusted servers (the model server) that still ends at the
    deadline of the work in progress, however slowly the server trickles."""
    transport = httpx.HTTPTransport(**kwargs)
    transport._pool._network_backend = DeadlineBackend()  # as in transport.guarded_transport
    return transport
