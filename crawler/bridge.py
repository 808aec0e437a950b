"""Crawl asynchronously, write to the database in the caller's thread.

Django's ORM may not run inside an event loop, and a database connection
belongs to one thread (in tests, to the test's open transaction). So the
event loop runs in a helper thread and hands every database write back to
the calling thread, which does nothing else while the crawl runs.

Ctrl-C cancels the crawl, which still gets to save its progress: while a
crawl runs in the main thread, SIGINT only sets a flag (an exception thrown
at an arbitrary point could drop a write the crawl is waiting for), and
``run`` raises ``KeyboardInterrupt`` once the crawl has wound down.
"""

from __future__ import annotations

import asyncio
import queue
import signal
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio

T = TypeVar("T")
_DONE = object()
_POLL_SECONDS = 0.2  # how soon a signal delivered to another thread is noticed


class CallerThread:
    """Runs one coroutine in a helper thread; ``call`` runs code back here."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scope: anyio.CancelScope | None = None
        self._interrupted = False

    async def call(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` in the calling thread and wait for its result."""
        future: Future = Future()
        self._jobs.put((func, args, future))
        return await asyncio.wrap_future(future)

    def run(self, main: Callable[[], Awaitable[T]]) -> T | None:
        """Run ``main()`` to completion, serving ``call`` jobs meanwhile."""
        outcome: dict[str, Any] = {}

        def loop_thread() -> None:
            # Ctrl-C belongs to the calling thread.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                outcome["value"] = asyncio.run(self._main(main))
            except BaseException as exc:  # handed to the calling thread
                outcome["error"] = exc
            finally:
                self._jobs.put(_DONE)

        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, self._on_interrupt)
        try:
            thread = threading.Thread(target=loop_thread, name="crawl-loop", daemon=True)
            thread.start()
            self._serve()
            thread.join()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        if self._interrupted:
            raise KeyboardInterrupt
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    async def _main(self, main: Callable[[], Awaitable[T]]) -> T | None:
        # Cancelled through an anyio scope (not Task.cancel), so the crawl's
        # shielded final flush still runs.
        self._loop = asyncio.get_running_loop()
        with anyio.CancelScope() as self._scope:
            if self._interrupted:
                self._scope.cancel()
            return await main()
        return None  # cancelled: ``run`` raises KeyboardInterrupt

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if job is _DONE:
                return
            func, args, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(func(*args))
                except Exception as exc:
                    future.set_exception(exc)

    def _on_interrupt(self, signum: int, frame: object) -> None:
        self._interrupted = True
        if self._loop is not None and self._scope is not None:
            self._loop.call_soon_threadsafe(self._scope.cancel)
