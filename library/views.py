"""The library's pages: search every summary one may see; download a site."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from crawler.selectors import visible_sites
from summarizer.rendering import language_label, mode_label

from . import export
from .forms import SearchForm
from .models import Entry
from .selectors import search
from .text import QueryTerm, parse_query, snippet

PER_PAGE = 20
STREAM_CHUNK_BYTES = 64 * 1024  # pieces are gathered to about this before each write


@dataclass
class Result:
    """One hit as the page lists it."""

    title: str
    link: str
    url: str
    snippet: SafeString | str
    mode: str
    language: str
    finished_at: datetime | None
    private: bool

    @classmethod
    def of(cls, entry: Entry, terms: list[QueryTerm]) -> Result:
        summary = entry.summary
        document = summary.document
        title = (document.title if document else "") or summary.url or summary.output[:80]
        found = (
            snippet(_plain(summary.output), terms)
            or snippet(document.text if document else "", terms)
            or snippet(title, terms)
            or _opening(_plain(summary.output))
        )
        return cls(
            title=title,
            link=reverse("summary", args=[summary.token]),
            url=summary.url,
            snippet=found,
            mode=mode_label(summary.mode),
            language=language_label(summary.language),
            finished_at=summary.finished_at,
            private=summary.private,
        )


_MARKUP = re.compile(r"[*`#]+|^\s*(?:[-+>]|\d+[.)])\s+", re.MULTILINE)


def _plain(markdown: str) -> str:
    """A summary's Markdown without its marks, for a one-paragraph snippet."""
    return _MARKUP.sub("", markdown)


def _opening(text: str, width: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width] + "…"


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        page, terms = Paginator(Entry.objects.none(), PER_PAGE).get_page(1), []
    else:
        entries = search(query=form.query, user=request.user, filters=form.filters)
        page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
        terms = parse_query(form.query)
    results = [Result.of(entry, terms) for entry in page]
    return render(
        request,
        "library/search.html",
        {
            "form": form,
            "page": page,
            "results": results,
            "query": form.query,
            "sites": visible_sites(request.user).order_by("url"),
            "formats": list(export.FORMATS),
        },
    )


@require_GET
@login_required
def site_export(request: HttpRequest, pk: int, fmt: str) -> StreamingHttpResponse:
    """The site's every post in ``fmt``, written while it is read."""
    if fmt not in export.FORMATS:
        raise Http404("No such format.")
    site = get_object_or_404(visible_sites(request.user), pk=pk)
    content_type, extension = export.FORMATS[fmt]

    def link(token: str) -> str:
        return request.build_absolute_uri(reverse("summary", args=[token]))

    rows = export.posts(site, user=request.user, link=link)
    pieces = export.render(fmt, site, rows)
    chunks = _chunks(pieces, translation.get_language())
    response = StreamingHttpResponse(
        _async(chunks) if isinstance(request, ASGIRequest) else chunks,
        content_type=content_type,
    )
    name = slugify(f"{urlsplit(site.url).netloc} {urlsplit(site.url).path}") or f"site-{site.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-brief.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(pieces: Iterator[str], language: str | None) -> Iterator[bytes]:
    """The pieces as UTF-8, gathered into writes of about STREAM_CHUNK_BYTES.
    Each step runs in the request's language: a streamed body is written
    after the view has returned, when the middleware no longer holds it."""
    while True:
        with translation.override(language):
            buffer, size = [], 0
            for piece in pieces:
                buffer.append(piece)
                size += len(piece)
                if size >= STREAM_CHUNK_BYTES:
                    break
        if not buffer:
            return
        yield "".join(buffer).encode()


async def _async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Under ASGI a plain iterator would be read whole into a list before the
    first byte is sent (Django's warning says so); each chunk is read in the
    request's thread instead, as it is sent."""
    step = sync_to_async(next, thread_sensitive=True)
    while (chunk := await step(chunks, None)) is not None:
        yield chunk
