"""The home page's "archive a blog" form, for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from crawler.services import UnknownAdapter, start_crawl
from waybrief.fetching.errors import InvalidURL


@require_POST
@staff_member_required
def archive_blog(request: HttpRequest) -> HttpResponse:
    try:
        run = start_crawl(url=request.POST.get("url", ""), archive=True)
    except (InvalidURL, UnknownAdapter) as exc:
        messages.error(request, str(exc))
        return redirect("home")
    return redirect(reverse("admin:crawler_site_change", args=[run.site_id]))
