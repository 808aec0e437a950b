"""Pages that join the apps: the home page's "archive a blog" form (staff) and a
summary page's "archive this page" button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_POST

from archiver.services import archive_urls, why_not_archivable
from crawler.services import UnknownAdapter, start_crawl
from summarizer.models import Summary
from summarizer.views import error_page
from waybrief import throttle
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import check_url


@require_POST
@staff_member_required
def archive_blog(request: HttpRequest) -> HttpResponse:
    try:
        run = start_crawl(url=request.POST.get("url", ""), archive=True)
    except (InvalidURL, UnknownAdapter) as exc:
        messages.error(request, str(exc))
        return redirect("home")
    return redirect(reverse("admin:crawler_site_change", args=[run.site_id]))


@require_POST
def archive_page(request: HttpRequest) -> HttpResponse:
    """The summary page's "archive it" button: an outside effect, so POST with CSRF.
    It joins a summary (what may be archived) with the archiver, so it lives here."""
    url = request.POST.get("url", "")
    try:
        url = check_url(url)
    except InvalidURL as exc:
        return error_page(request, str(exc), status=400, url=url)
    if why := why_not_archivable(url):
        message = f"This address cannot be archived: {why}."
        return error_page(request, message, status=400, url=url)
    # Anyone may archive a page summarized here (the button on its page); any
    # other URL spends the operator's Archive quota, so it needs a signed-in user.
    summarized = (
        Summary.objects.filter(url=url, private=False).exclude(state=Summary.State.FAILED).exists()
    )
    if not (request.user.is_authenticated or summarized):
        message = "Sign in to archive a page that has not been summarized here."
        return error_page(request, message, status=403, url=url)
    if not throttle.allow("archive", throttle.client_key(request), per_minute=10):
        return error_page(request, "Too many archive requests; try again in a minute.", status=429)
    archive_urls([url], source="summary page")
    return redirect(_summary_page_named_by(request.POST.get("next", "")))


def _summary_page_named_by(back: str) -> str:
    """Where the archive button returns: the summary page ``next`` names, rebuilt
    from its id, else home. Never a URL as given, so never one off the site."""
    try:
        match = resolve(back) if back.startswith("/s/") else None
    except Resolver404:
        match = None
    if match is not None and match.url_name == "summary":
        return reverse("summary", args=[match.kwargs["token"]])
    return reverse("home")
