"""Reading a live event stream in-process, through Django's ASGI request handler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.db import connection
from django.test import AsyncClient

from waybrief import streaming


def read_stream(path: str, chunks: int, *, after_first: Callable[[], object] | None = None,
                client: AsyncClient | None = None):  # fmt: skip
    """The response and the first ``chunks`` chunks of the stream at ``path``;
    ``after_first`` runs (in a thread) once the first has come.

    The stream is an async view: it reads rows from another thread, so the
    test needs committed data (``django_db(transaction=True)``).
    """

    async def read():
        response = await (client or AsyncClient()).get(path)
        if not response.streaming:
            return response, []
        content = aiter(response.streaming_content)
        seen = [(await asyncio.wait_for(anext(content), 10)).decode()]
        if after_first is not None:
            await sync_to_async(_closing(after_first), thread_sensitive=False)()
        while len(seen) < chunks:
            seen.append((await asyncio.wait_for(anext(content), 10)).decode())
        await content.aclose()
        return response, seen

    try:
        return asyncio.run(read())
    finally:  # the streams' reads run in one thread of their own: close its connection
        streaming.close_connection()


def _closing(function: Callable[[], object]) -> Callable[[], object]:
    def run():
        try:
            return function()
        finally:
            connection.close()  # that thread's own

    return run
