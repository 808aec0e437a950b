"""The live summary stream, as an async view: an open stream holds no thread.

Under ASGI each viewer is a coroutine waiting on a future. One ``_Watch`` per
summary per process reads the row when the worker's notice comes (and on a
slow poll, in case one is lost) and hands the snapshot to every viewer, so
the database sees one read per new piece per process, however many watch.
Events and payloads are those summary.js reads: ``progress``, ``done``,
``timeout``, each with the JSON snapshot of ``snapshot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Iterator

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from waybrief import notify, throttle
from waybrief.streaming import no_buffering, release_request_thread, shared_read

from . import rendering
from .models import Summary

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15  # a comment line this often keeps proxies from closing a quiet stream


def channel(pk: int) -> str:
    return f"summary:{pk}"


def snapshot(summary: Summary) -> dict:
    """What the page (and status.json) is told about a summary."""
    return {
        "id": summary.token,
        "state": summary.state,
        "stage": summary.stage,
        "partial": summary.partial_output,
        # While the prompt is read, before the first word: how far (None otherwise).
        "reading": _reading(summary),
        "finished": summary.is_finished,
        "error": summary.error_message,
        "capture": {"timestamp": summary.capture_timestamp, "url": summary.capture_url},
        # A finished summary as the page shows it (sanitized Markdown); None until done.
        "html": rendering.summary_html(summary.output, summary.mode)
        if summary.state == Summary.State.DONE
        else None,
    }


def _reading(summary: Summary) -> dict | None:
    """The row's prompt-reading progress, as four whole numbers, only while
    the model reads (a finished row or one already writing shows none)."""
    value = summary.reading
    if not isinstance(value, dict) or summary.is_finished or summary.partial_output:
        return None
    keys = ("parts_done", "parts", "tokens_read", "tokens_total")
    try:
        return {key: int(value.get(key) or 0) for key in keys}
    except (TypeError, ValueError):
        return None


WSGI_POLL_SECONDS = 0.2  # the polled stream, under a WSGI server only
READ_RETRIES = 5  # failed reads in a row before a watch gives up on its row


def _visible_pk(token: str, request: HttpRequest) -> int | None:
    """The summary's row id, if this requester may see it (else None: a 404)."""
    try:
        summary = Summary.objects.filter(token=token).first()
        return summary.pk if summary is not None and summary.visible_to(request.user) else None
    except Exception:
        connection.close()
        raise


def _read(pk: int) -> dict | None:
    try:
        return snapshot(Summary.objects.get(pk=pk))
    except Summary.DoesNotExist:
        return None
    except Exception:
        connection.close()  # a broken connection: the next read opens a new one
        raise


class _Watch:
    """Follows one summary for every viewer in this process."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.latest: dict | None = None
        self.viewers = 0
        self.changed: asyncio.Future = asyncio.get_running_loop().create_future()
        # A context of its own: the task outlives the request that started it.
        self.task = asyncio.create_task(self._run(), context=contextvars.Context())

    def _publish(self, value: dict | None) -> None:
        self.latest = value
        self.changed.set_result(value)
        self.changed = asyncio.get_running_loop().create_future()

    async def _run(self) -> None:
        async with notify.subscription(channel(self.pk)) as notices:
            failures = 0
            while True:
                try:
                    value = await shared_read(_read, self.pk)
                    failures = 0
                except Exception as exc:
                    # A broken connection (closed, cut by the server): _read dropped
                    # it, so the next read opens a new one. Keep the viewers waiting.
                    failures += 1
                    log.warning("summary %s: stream read failed (%s)", self.pk, exc)
                    if failures < READ_RETRIES:
                        await asyncio.sleep(0.2 * failures)
                        continue
                    value = self.latest
                if value != self.latest or value is None:
                    self._publish(value)
                if value is None or value["finished"]:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(notices.get(), settings.NOTIFY_FALLBACK_SECONDS)
                while not notices.empty():  # many notices, one read
                    notices.get_nowait()

    async def next(self, after: dict | None, timeout: float) -> dict | None:
        """The snapshot once it differs from ``after``; ``after`` again on timeout."""
        if self.latest is not None and self.latest != after:
            return self.latest
        if self.task.done():
            return after  # finished or gone: nothing new will come
        try:
            return await asyncio.wait_for(asyncio.shield(self.changed), timeout)
        except TimeoutError:
            return after


_watches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def _watching(pk: int):
    loop = asyncio.get_running_loop()
    watches = _watches.setdefault(loop, {})
    watch = watches.get(pk)
    if watch is None or (watch.task.done() and not watch.viewers):
        watch = watches[pk] = _Watch(pk)
    watch.viewers += 1
    try:
        yield watch
    finally:
        watch.viewers -= 1
        if watch.viewers == 0 and watches.get(pk) is watch:
            watch.task.cancel()
            del watches[pk]


async def follow(pk: int, *, seconds: float) -> AsyncIterator[dict | None]:
    """Snapshots of summary ``pk`` as they change, for ``seconds`` at most;
    None where nothing changed for KEEPALIVE_SECONDS (or the row is gone).
    For any async view that waits on a summary (the page stream, v0's wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    last: dict | None = None
    with _watching(pk) as watch:
        while (left := deadline - loop.time()) > 0:
            value = await watch.next(last, min(left, KEEPALIVE_SECONDS))
            if value is last:  # nothing new
                if watch.task.done():
                    return
                yield None
                continue
            if value is None:
                return  # the row is gone
            last = value
            yield value
            if value["finished"]:
                return


# --- the view ------------------------------------------------------------------

_open: dict[str, int] = {}  # open streams per client, in this process


def _event(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


async def _events(pk: int, slot: _Slot) -> AsyncIterator[str]:
    try:
        await release_request_thread()
        async for value in follow(pk, seconds=settings.SUMMARY_STREAM_SECONDS):
            if value is None:
                yield ": still working\n\n"
                continue
            yield _event("done" if value["finished"] else "progress", value)
            if value["finished"]:
                return
        yield _event("timeout", {})
    finally:
        slot.release()  # also on a client that hung up (the task is cancelled)


class _Slot:
    """One of a client's open streams, counted until released (once)."""

    def __init__(self, client: str) -> None:
        self.client: str | None = client
        _open[client] = _open.get(client, 0) + 1

    def release(self) -> None:
        if self.client is None:
            return
        _open[self.client] -= 1
        if not _open[self.client]:
            del _open[self.client]
        self.client = None


@require_GET
async def summary_events(request: HttpRequest, token: str) -> HttpResponse:
    """Server-sent events of a summary as it is written (the page's one token feed).

    At most SUMMARY_STREAMS_PER_CLIENT open at once per client and process
    (429 past it), so that one client cannot hold every stream there is.
    """
    pk = await shared_read(_visible_pk, token, request)
    if pk is None:
        raise Http404("No such summary.")
    client = throttle.client_key(request)
    if _open.get(client, 0) >= settings.SUMMARY_STREAMS_PER_CLIENT > 0:
        return HttpResponse("Too many open streams from your address.", status=429,
                            content_type="text/plain")  # fmt: skip
    if isinstance(request, WSGIRequest):
        # A WSGI server (Django's test live server, a legacy deployment) would
        # gather an async stream whole and send it at the end: poll instead.
        response = StreamingHttpResponse(_polled_events(pk), content_type="text/event-stream")
        return no_buffering(response)
    slot = _Slot(client)
    response = StreamingHttpResponse(_events(pk, slot), content_type="text/event-stream")
    weakref.finalize(response, slot.release)  # a stream that never started
    return no_buffering(response)


def _polled_events(pk: int) -> Iterator[str]:
    """The same events, read from the row a few times a second in the server's
    thread (WSGI holds a thread per request anyway); same format, same end."""
    deadline = time.monotonic() + settings.SUMMARY_STREAM_SECONDS
    last, quiet_since = None, time.monotonic()
    while time.monotonic() < deadline:
        current = _read(pk)
        if current is None:
            return
        if current != last:
            last, quiet_since = current, time.monotonic()
            yield _event("done" if current["finished"] else "progress", current)
            if current["finished"]:
                return
        elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield ": still working\n\n"
        time.sleep(WSGI_POLL_SECONDS)
    yield _event("timeout", {})
