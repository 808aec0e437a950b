"""The sites pages' live feed: server-sent events of each site's progress.

The same shape as a summary's stream (``summarizer.streams``): an async view
that holds no thread while it waits, woken by a notice on the site's channel
(``site:<id>``, or ``captures`` for any capture's change) and, since the
crawler and the archiver announce nothing of their own yet, by a slow poll
(``POLL_SECONDS``). A snapshot is sent only when it differs from the last one.
Under a WSGI server (the browser tests' live server) the same events are
polled in the server's thread instead. The stream ends after
``SUMMARY_STREAM_SECONDS``; the browser's EventSource opens it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from archiver.services import CAPTURES_CHANNEL
from crawler.journal import site_channel as channel
from summarizer.streams import KEEPALIVE_SECONDS
from waybrief import notify
from waybrief.streaming import no_buffering, release_request_thread, shared_read

from . import access
from .progress import site_snapshot, with_text

SHARED_SECONDS = 1.0  # a snapshot read this recently serves every viewer of the site
POLL_SECONDS = 3.0  # the safety net: a snapshot costs a few grouped queries per site
MAX_SITES = 50  # sites one stream follows (a list page shows 20)
RECONNECT_MS = 2000




def _event(data: dict) -> str:
    return f"event: progress\ndata: {json.dumps(data)}\n\n"


def _visible_ids(user, ids: list[int]) -> list[int]:
    try:
        return list(access.visible_sites(user).filter(pk__in=ids).values_list("pk", flat=True))
    except Exception:
        connection.close()
        raise


_recent: dict[tuple[int, str], tuple[float, dict, str | None]] = {}
_recent_lock = threading.Lock()


def _read(ids: list[int], language: str, notice: str | None = None) -> dict:
    """The snapshot of every site in ``ids`` (a site deleted meanwhile drops out),
    its lines in ``language``. A snapshot read in the last ``SHARED_SECONDS``, or
    after a viewer woken by the same ``notice`` (each notice's payload is its own)
    read it, is used again: many viewers of one site cost one read per tick, or
    per notice, per process."""
    from crawler.models import Site

    now = time.monotonic()
    found: dict[int, dict] = {}
    with _recent_lock:
        for pk in ids:
            kept = _recent.get((pk, language))
            if kept is None:
                continue
            at, value, after = kept
            if (after == notice) if notice is not None else (now - at < SHARED_SECONDS):
                found[pk] = value
    read: dict[int, dict] = {}
    try:
        with translation.override(language):
            for site in Site.objects.filter(pk__in=[pk for pk in ids if pk not in found]):
                read[site.pk] = with_text(site_snapshot(site))
    except Exception:
        connection.close()  # a broken connection: the next read opens a new one
        raise
    found.update(read)
    with _recent_lock:
        for pk, value in read.items():
            _recent[(pk, language)] = (now, value, notice)
        for key in [k for k, kept in _recent.items() if now - kept[0] > 60]:
            del _recent[key]
    return {"sites": [found[pk] for pk in sorted(found, reverse=True)]}


async def _woken(queues: list[asyncio.Queue], timeout: float) -> str | None:
    """Until a notice comes on any queue, or ``timeout`` (None); the last
    notice's payload is returned, what else queued is dropped."""
    waits = [asyncio.ensure_future(queue.get()) for queue in queues]
    try:
        done, _ = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    heard = None
    for wait in done:
        if not wait.cancelled() and wait.exception() is None:
            heard = wait.result() or "?"
    for queue in queues:
        while not queue.empty():
            heard = queue.get_nowait() or "?"
    return heard


async def _events(ids: list[int], language: str) -> AsyncIterator[str]:
    await release_request_thread()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.SUMMARY_STREAM_SECONDS
    yield f"retry: {RECONNECT_MS}\n\n"
    async with contextlib.AsyncExitStack() as stack:
        names = [channel(pk) for pk in ids] + [CAPTURES_CHANNEL]
        queues = [await stack.enter_async_context(notify.subscription(n)) for n in names]
        last, quiet_since, heard = None, loop.time(), None
        while loop.time() < deadline:
            try:
                value = await shared_read(_read, ids, language, heard)
            except Exception:
                value = last  # a failed read: keep the page waiting, read again next time
            if value != last:
                last, quiet_since = value, loop.time()
                yield _event(value)
            elif loop.time() - quiet_since > KEEPALIVE_SECONDS:
                quiet_since = loop.time()
                yield ": still here\n\n"
            heard = await _woken(queues, min(POLL_SECONDS, max(0.0, deadline - loop.time())))


def _polled_events(ids: list[int], language: str) -> Iterator[str]:
    """The same events for a WSGI server, read in its thread (it holds one anyway)."""
    deadline = time.monotonic() + settings.SUMMARY_STREAM_SECONDS
    yield f"retry: {RECONNECT_MS}\n\n"
    last, quiet_since = None, time.monotonic()
    while time.monotonic() < deadline:
        value = _read(ids, language)
        if value != last:
            last, quiet_since = value, time.monotonic()
            yield _event(value)
        elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield ": still here\n\n"
        time.sleep(min(1.0, POLL_SECONDS))


def _ids(raw: str) -> list[int]:
    parts = (part.strip() for part in raw.split(","))
    return [int(part) for part in parts if part.isascii() and part.isdigit()][:MAX_SITES]


async def _stream(request: HttpRequest, ids: list[int]) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        message = gettext("Sign in to follow sites.")
        return HttpResponse(message, status=403, content_type="text/plain")
    ids = await shared_read(_visible_ids, user, ids)
    if not ids:
        return HttpResponse(gettext("No such site."), status=404, content_type="text/plain")
    language = translation.get_language() or settings.LANGUAGE_CODE
    if isinstance(request, WSGIRequest):
        # A WSGI server would gather an async stream whole: poll instead.
        events = _polled_events(ids, language)
    else:
        events = _events(ids, language)
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    return no_buffering(response)


@require_GET
async def sites_events(request: HttpRequest) -> HttpResponse:
    """The list page's feed: ``?ids=1,2,3`` (those the requester may see)."""
    return await _stream(request, _ids(request.GET.get("ids", "")))


@require_GET
async def site_events(request: HttpRequest, pk: int) -> HttpResponse:
    """One site's feed, for its own page."""
    return await _stream(request, [pk])
