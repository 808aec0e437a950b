"""Notices between processes: the worker says "row N changed", web processes hear it.

One interface, two carriers:

- Redis pub/sub, when the broker is Redis (production): any number of web
  processes on any number of machines hear every notice.
- Otherwise (the embedded default: SQLite, the file-system broker, one
  machine) UNIX datagram sockets, one per listening process, in a private
  folder named after the data dir. A publisher sends to each socket it finds
  there; a socket whose process is gone is removed. No server is needed.

A notice is a hint, never the data: the listener reads the row itself, and a
lost notice only delays it until its slow poll (``NOTIFY_FALLBACK_SECONDS``).
``publish`` never raises: a worker must not fail a summary because nobody
listens. Each web process holds one connection or socket, however many
subscribers it has, and fans each notice out to them in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)
QUEUE_SIZE = 64  # notices a slow subscriber may fall behind; past it they are dropped (hints)


def carrier() -> str:
    """``redis`` or ``local``: the NOTIFY_URL setting, else the broker's kind."""
    url = _redis_url()
    return "redis" if url else "local"


def _redis_url() -> str:
    url = settings.NOTIFY_URL or settings.CELERY_BROKER_URL
    return url if url.startswith(("redis://", "rediss://", "unix://")) else ""


def _redis_prefix() -> str:
    """Deployments sharing one Redis must not hear each other (pub/sub ignores the
    db number): channels are named after the database, which every worker of a
    deployment shares, wherever its data dir is."""
    return f"waybrief:{settings.DATABASES['default'].get('NAME', '')}:"


# --- publishing (sync: the worker) -------------------------------------------

_redis_client = None


def publish(channel: str, payload: str = "") -> None:
    """Tell every listening process that ``channel`` has news. Best effort.

    Without a payload the notice carries the sender's clock (``time.time()``),
    so a listener can tell how late it heard it (bench/serving.py does).
    """
    payload = payload or f"{time.time():.6f}"
    try:
        if carrier() == "redis":
            _publish_redis(channel, payload)
        else:
            _publish_local(channel, payload)
    except Exception as exc:  # a hint that did not go out: the slow poll covers it
        log.debug("notice %s not sent: %s", channel, exc)


def _publish_redis(channel: str, payload: str) -> None:
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(_redis_url(), socket_timeout=2,
                                             socket_connect_timeout=2)  # fmt: skip
    _redis_client.publish(_redis_prefix() + channel, payload)


def socket_dir() -> Path:
    """One per data dir (the embedded default's processes share one), short (a
    socket path has ~100 bytes at most) and private to this user."""
    data_dir = hashlib.sha256(str(settings.DATA_DIR).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"waybrief-{os.getuid()}-{data_dir}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _publish_local(channel: str, payload: str) -> None:
    data = f"{channel}\n{payload}".encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in socket_dir().glob("*.sock"):
            try:
                sender.sendto(data, str(path))
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    path.unlink()  # its process is gone
            except OSError:
                pass  # a full buffer: that listener is busy; its slow poll catches up


# --- listening (async: the web processes) ------------------------------------


class _Hub:
    """One listener per event loop (so per web process), fanning notices out."""

    def __init__(self) -> None:
        self.queues: dict[str, set[asyncio.Queue]] = {}
        self.task: asyncio.Task | None = None
        self.listening = asyncio.Event()  # set once notices can arrive

    def join(self, channel: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.queues.setdefault(channel, set()).add(queue)
        if self.task is None or self.task.done():
            # A context of its own: the task outlives the request that started it.
            import contextvars

            self.task = asyncio.create_task(self._listen(), context=contextvars.Context())
        return queue

    def leave(self, channel: str, queue: asyncio.Queue) -> None:
        queues = self.queues.get(channel, set())
        queues.discard(queue)
        if not queues:
            self.queues.pop(channel, None)

    def deliver(self, channel: str, payload: str) -> None:
        for queue in list(self.queues.get(channel, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(payload)

    async def _listen(self) -> None:
        listen = self._listen_redis if carrier() == "redis" else self._listen_local
        while True:
            try:
                await listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarting: subscribers fall back to polling
                self.listening.clear()
                log.warning("notice listener stopped (%s); retrying in 1 s", exc)
            await asyncio.sleep(1)

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        prefix = _redis_prefix()
        client = aioredis.Redis.from_url(_redis_url())
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.psubscribe(prefix + "*")
                self.listening.set()
                async for message in pubsub.listen():
                    channel = message["channel"].decode()[len(prefix) :]
                    self.deliver(channel, (message.get("data") or b"").decode())
        finally:
            await client.aclose()

    async def _listen_local(self) -> None:
        path = socket_dir() / f"{os.getpid()}-{id(self):x}.sock"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.setblocking(False)
        receiver.bind(str(path))
        self.listening.set()
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await loop.sock_recv(receiver, 65536)
                channel, _, payload = data.decode(errors="replace").partition("\n")
                self.deliver(channel, payload)
        finally:
            receiver.close()
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = _Hub()
    return hub


@contextlib.asynccontextmanager
async def subscription(channel: str) -> AsyncIterator[asyncio.Queue]:
    """A queue of the payloads published to ``channel`` from now on."""
    hub = _hub()
    queue = hub.join(channel)
    try:
        yield queue
    finally:
        hub.leave(channel, queue)


async def subscribe(channel: str) -> AsyncIterator[str]:
    """Each payload published to ``channel`` from now on (an async iterator)."""
    async with subscription(channel) as queue:
        while True:
            yield await queue.get()


async def ready(timeout: float = 5.0) -> bool:
    """Wait until this process's listener hears notices (a test, before its first one)."""
    hub = _hub()
    if hub.task is None:
        return False
    try:
        await asyncio.wait_for(hub.listening.wait(), timeout)
    except TimeoutError:
        return False
    return True
