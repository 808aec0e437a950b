"""What every live stream (server-sent events under ASGI) needs: one thread for
its database reads, the request's thread given back, and no proxy buffering.

The summary page's stream and the sites pages' feed both use these.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import SyncToAsync, sync_to_async
from django.db import InterfaceError, OperationalError, connection
from django.http import StreamingHttpResponse

# The one thread (so the one database connection) of this process's streams.
_db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary-streams")


async def shared_read(function, *args):
    """``function(*args)`` (a read) in the one thread this process's streams read from.

    A burst of new viewers would otherwise open a database connection each
    (one per request thread) and run PostgreSQL out of them; here they take
    turns on one connection, which stays open for the next. A thread of its
    own, not asgiref's shared one: sync middleware may be waiting in that one.
    """
    return await asyncio.get_running_loop().run_in_executor(
        _db_thread, partial(_on_a_live_connection, function, *args)
    )


def _on_a_live_connection(function, *args):
    """The long-lived connection may have been ended by the server (a restart,
    an administrator, ``pg_terminate_backend``): a read that finds it broken
    runs once more on a new one, instead of every stream failing until restart."""
    try:
        return function(*args)
    except (OperationalError, InterfaceError):
        connection.close()
        return function(*args)


def close_connection() -> None:
    """Close the streams' database connection (tests: before the database is dropped)."""
    _db_thread.submit(lambda: connection.close()).result()


def _close_connection() -> None:
    connection.close()  # looked up in the thread that runs this: that thread's own


async def release_request_thread() -> None:
    """Give back the thread and connection Django's ASGI handler keeps for this
    request until its response closes: a stream open for minutes needs neither.

    Sync middleware ran in a per-request thread (asgiref's ThreadSensitiveContext)
    that otherwise idles, with its database connection, for the whole stream.
    If asgiref ever stops keeping executors this way, this does nothing.
    """
    await sync_to_async(_close_connection, thread_sensitive=True)()
    context = SyncToAsync.thread_sensitive_context.get(None)
    if context is None:
        return  # not under Django's ASGI handler (a test client): no thread kept
    executor = SyncToAsync.context_to_thread_executor.pop(context, None)
    if executor is not None:
        executor.shutdown(wait=False)  # a new one is made if the request needs it again


def no_buffering(response: StreamingHttpResponse) -> StreamingHttpResponse:
    """A stream no cache keeps and no proxy holds back."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
