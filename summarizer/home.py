"""The home page: the bookmarklet, a form to summarize any page, recent summaries."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import prompts, selectors


def bookmarklet(request: HttpRequest) -> str:
    base = request.build_absolute_uri("/summarize?url=")
    return f"javascript:location='{base}'+encodeURIComponent(location)"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "bookmarklet": bookmarklet(request),
            "recent": selectors.recent(),
            "languages": sorted(prompts.LANGUAGES.items(), key=lambda item: item[1]),
        },
    )
