"""Crawl asynchronously, write to the database in the caller's thread.

Django's ORM may not run inside an event loop, and a database connection
belongs to one thread (in tests, to the test's open transaction). So the
event loop runs in a helper thread and hands every database write back to
the calling thread, which does nothing else while the crawl runs. Ctrl-C in
the calling thread cancels the crawl, which still gets to save its progress.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


class Interrupted(Exception):
    """A database job was cut short by Ctrl-C; the crawl is being cancelled."""


class CallerThread:
    """Runs one coroutine in a helper thread; ``call`` runs code back here."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._cancelled = False

    async def call(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` in the calling thread and wait for its result."""
        future: Future = Future()
        self._jobs.put((func, args, future))
        return await asyncio.wrap_future(future)

    def run(self, main: Callable[[], Awaitable[T]]) -> T:
        """Run ``main()`` to completion, serving ``call`` jobs meanwhile."""
        outcome: dict[str, Any] = {}

        def loop_thread() -> None:
            try:
                outcome["value"] = asyncio.run(self._main(main))
            except BaseException as exc:  # handed to the calling thread
                outcome["error"] = exc
            finally:
                self._jobs.put(_DONE)

        thread = threading.Thread(target=loop_thread, name="crawl-loop", daemon=True)
        thread.start()
        interrupted = self._serve()
        thread.join()
        if interrupted is not None:
            raise interrupted
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    async def _main(self, main: Callable[[], Awaitable[T]]) -> T:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        if self._cancelled:
            raise asyncio.CancelledError
        return await main()

    def _serve(self) -> KeyboardInterrupt | None:
        interrupted: KeyboardInterrupt | None = None
        while True:
            try:
                job = self._jobs.get()
                if job is _DONE:
                    return interrupted
                func, args, future = job
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(func(*args))
                    except KeyboardInterrupt as exc:
                        future.set_exception(Interrupted())
                        interrupted = exc
                        self._cancel()
                    except Exception as exc:
                        future.set_exception(exc)
            except KeyboardInterrupt as exc:
                interrupted = exc
                self._cancel()

    def _cancel(self) -> None:
        self._cancelled = True
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
