"""Crawl in an event loop, write to the database in the calling thread, and
let Ctrl-C wind the crawl down instead of tearing it.

asgiref (Django's own bridge) does the threading: ``async_to_sync`` runs the
crawl's event loop in a helper thread, and every ``sync_to_async`` call
inside it (the journal's writes) runs back in the calling thread, which
serves them while it waits. That is the thread holding the database
connection (in tests, the test's open transaction).

What is extra is Ctrl-C. While a crawl runs in the main thread, SIGINT
only sets a flag and cancels the crawl's scope (an exception thrown at an
arbitrary point could drop a write the crawl is waiting for); the crawl's
shielded last flush still runs, and then ``KeyboardInterrupt`` is raised.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import TypeVar

import anyio
from asgiref.sync import async_to_sync

T = TypeVar("T")


def run_interruptibly(main: Callable[[], Awaitable[T]]) -> T | None:
    """Run ``main()`` to its end; raises ``KeyboardInterrupt`` after a crawl
    that Ctrl-C wound down (its progress saved)."""
    stop = _Stop()
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        previous = signal.signal(signal.SIGINT, stop.request)
    try:
        result = async_to_sync(stop.run)(main)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if stop.requested:
        raise KeyboardInterrupt
    return result


class _Stop:
    """The flag, and the crawl's cancel scope that setting it cancels."""

    def __init__(self) -> None:
        self.requested = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scope: anyio.CancelScope | None = None

    async def run(self, main: Callable[[], Awaitable[T]]) -> T | None:
        if threading.current_thread() is not threading.main_thread():
            # Ctrl-C belongs to the calling thread; threads the loop starts
            # later (name look-ups) inherit this mask.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        # Cancelled through an anyio scope (not Task.cancel), so the crawl's
        # shielded final flush still runs.
        self._loop = asyncio.get_running_loop()
        with anyio.CancelScope() as self._scope:
            if self.requested:
                self._scope.cancel()
            return await main()
        return None  # cancelled: ``run_interruptibly`` raises KeyboardInterrupt

    def request(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self._loop is not None and self._scope is not None:
            self._loop.call_soon_threadsafe(self._scope.cancel)
