"""The bookmarklet page: answers at once, then streams the summary as it is written."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from wayback.urls import calendar_url
from waybrief import throttle
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import check_url

from . import prompts, rendering, selectors, services, streams
from .models import Summary


@require_GET
def summarize_page(request: HttpRequest) -> HttpResponse:
    """Start (or join) a summary of ``?url=`` and show its page.

    A GET that starts work, on purpose: the bookmarklet and Kagi's clients
    open ``/summarize?url=…`` as a plain link, so there is no form to carry a
    CSRF token. What a GET can start is bounded instead: a cached or running
    summary of the same request is answered without new work, and a client
    may start at most SUMMARY_RATE_PER_MINUTE summaries a minute and have at
    most SUMMARY_CONCURRENCY_PER_CLIENT unfinished at once (429 past either).
    It never redirects to the address it was given (no open redirect): it
    answers a page of its own, or sends an empty request home.
    """
    url = request.GET.get("url", "").strip()
    if not url:
        return redirect("home")
    mode = request.GET.get("summary_type") or request.GET.get("mode") or "summary"
    language = request.GET.get("target_language", "")
    source = request.GET.get("source", "")
    try:
        url = check_url(url)
        mode, language = services.normalize_options(mode, language)
    except (InvalidURL, services.InvalidRequest) as exc:
        return error_page(request, str(exc), status=400, url=url)
    if source not in services.SOURCES:
        return error_page(request, "source is live or archive.", status=400, url=url)
    summary = services.find_existing(url=url, mode=mode, target_language=language)
    if summary is not None and source == services.ARCHIVE != summary.source:
        summary = None  # a summary of the live page does not answer "from the archive"
    if summary is None:
        options = {"url": url, "mode": mode, "target_language": language}
        failed = selectors.recently_failed_for_url(**options)
        if failed is not None and (source != services.ARCHIVE or failed.source == source):
            return redirect("summary", failed.token)  # it stays failed; its page can retry
        started = _start(request, source=source, **options)
        if isinstance(started, HttpResponse):
            return started
        summary = started
    return render_summary(request, summary)


def _start(request: HttpRequest, **options) -> Summary | HttpResponse:
    """A new summary for the web page, within the client's limits (else a 429 page)."""
    url = options["url"]
    client = throttle.client_key(request)
    if not throttle.allow("summarize", client, per_minute=settings.SUMMARY_RATE_PER_MINUTE):
        return error_page(
            request, "Too many new summaries from your address; try again in a minute.",
            status=429, url=url,
        )  # fmt: skip
    try:
        return services.request_summary(
            **options, client=throttle.client_hash(request),
            client_limit=settings.SUMMARY_CONCURRENCY_PER_CLIENT,
        )  # fmt: skip
    except services.TooManyUnfinished as exc:
        return error_page(
            request, f"{exc.unfinished} summaries you asked for are still being written; "
            "wait for one to finish, then try again.", status=429, url=url,
        )  # fmt: skip


def _visible(request: HttpRequest, token: str) -> Summary:
    """The summary named ``token``, if this requester may see it (else 404, as
    for a name that does not exist: a private one is not even confirmed)."""
    summary = get_object_or_404(Summary.objects.select_related("document"), token=token)
    if not summary.visible_to(request.user):
        raise Http404("No such summary.")
    return summary


@require_GET
def summary_detail(request: HttpRequest, token: str) -> HttpResponse:
    return render_summary(request, _visible(request, token))


@require_POST
def retry_summary(request: HttpRequest, token: str) -> HttpResponse:
    """The failed page's "try again" button: a new summary of the same request.

    Failing never starts one by itself (a page that reloads would loop);
    only this POST (with CSRF) does, within the same limits as /summarize.
    """
    failed = _visible(request, token)
    if failed.state != Summary.State.FAILED or not failed.url or failed.private:
        return redirect("summary", failed.token)
    existing = services.find_existing(url=failed.url, mode=failed.mode,
                                      target_language=failed.target_language)  # fmt: skip
    if existing is not None and existing.source == failed.source:
        return redirect("summary", existing.token)  # someone retried already: join it
    started = _start(request, url=failed.url, mode=failed.mode,
                     target_language=failed.target_language, source=failed.source)  # fmt: skip
    if isinstance(started, HttpResponse):
        return started
    return redirect("summary", started.token)


def render_summary(request: HttpRequest, summary: Summary) -> HttpResponse:
    context = {
        "summary": summary,
        "document": summary.document,
        "wayback_list_url": calendar_url(summary.url),
        "modes": prompts.MODES,
        "languages": sorted(prompts.LANGUAGES.items(), key=lambda item: item[1]),
    }
    if not summary.is_finished:  # what summary.js needs to say how far the worker is
        context.update(
            stage_texts=rendering.stage_texts(),
            reading=streams.snapshot(summary)["reading"],
            **rendering.model_note(),
        )
    response = render(request, "summarizer/summary.html", context)
    if not summary.is_finished:
        response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: HttpRequest, message: str, *, status: int, url: str = "") -> HttpResponse:
    return render(request, "error.html", {"message": message, "url": url}, status=status)


@require_GET
def summary_status(request: HttpRequest, token: str) -> JsonResponse:
    """For clients without EventSource: poll this."""
    return JsonResponse(streams.snapshot(_visible(request, token)))
