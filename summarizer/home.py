"""The home page: the bookmarklet, a form to summarize any page, recent summaries."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import prompts, rendering, selectors, services


def bookmarklet_base(request: HttpRequest, *, mode: str = "summary", language: str = "") -> str:
    """``/summarize?…&url=`` with the chosen kind and language; the page's address follows."""
    options = {"summary_type": mode} if mode != "summary" else {}
    if language:
        options["target_language"] = language
    query = urlencode(options) + "&" if options else ""
    return request.build_absolute_uri(f"/summarize?{query}url=")


def bookmarklet(request: HttpRequest, *, mode: str = "summary", language: str = "") -> str:
    base = bookmarklet_base(request, mode=mode, language=language)
    return f"javascript:location='{base}'+encodeURIComponent(location)"


def _chosen(request: HttpRequest) -> tuple[str, str]:
    """The kind and language in ``?summary_type=&target_language=`` (a link to a
    home page with them chosen), or the defaults where they are not valid."""
    try:
        return services.normalize_options(
            request.GET.get("summary_type") or "summary", request.GET.get("target_language", "")
        )
    except services.InvalidRequest:
        return "summary", ""


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mode, language = _chosen(request)
    languages = [(code, rendering.language_label(code)) for code in prompts.LANGUAGES]
    return render(
        request,
        "home.html",
        {
            "bookmarklet": bookmarklet(request, mode=mode, language=language),
            "summarize_endpoint": request.build_absolute_uri("/summarize"),  # for site.js
            "mode": mode,
            "target_language": language,
            "modes": [(value, rendering.mode_label(value)) for value in prompts.MODES],
            "recent": selectors.recent(),
            "languages": sorted(languages, key=lambda item: item[1]),
            **rendering.model_note(),
        },
    )
