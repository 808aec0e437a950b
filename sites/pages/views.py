"""The sites pages: the list (with "add a blog"), a site's posts, its actions,
and a post's local copy. Signed-in users only; staff see every site."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crawler.models import Site
from crawler.services import UnknownAdapter, add_owner, start_crawl
from wayback import capture_url
from waybrief.fetching.errors import InvalidURL

from . import access, actions, chart, posts
from .copies import site_copies
from .progress import for_page

SITES_PER_PAGE = 20
POSTS_PER_PAGE = 50
EXPORT_FORMATS = ("md", "html", "csv", "json")


@require_GET
@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(access.visible_sites(request.user), SITES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"site": site, "progress": for_page(site)} for site in page]
    ids = ",".join(str(site.pk) for site in page)
    return render(request, "sites/list.html", {"page": page, "rows": rows, "ids": ids})


@require_POST
@login_required
def site_add(request: HttpRequest) -> HttpResponse:
    """Add a blog: crawl it and archive every post; the person who asked sees it."""
    try:
        with transaction.atomic():  # the crawl is rung once all of this is written
            run = start_crawl(url=request.POST.get("url", ""), archive=True)
            # Local copies cost disk and a second read of every post: whoever adds a
            # blog first (or staff) decides, not someone joining a blog others added.
            first = not run.site.added_by.exists()
            if request.POST.get("keep_warc") and (first or request.user.is_staff):
                Site.objects.filter(pk=run.site_id).update(keep_warc=True)
            add_owner(run.site, request.user)
    except (InvalidURL, UnknownAdapter) as exc:
        messages.error(request, str(exc))
        return redirect("sites:list")
    messages.success(request, _("Crawling it now; every post found will be archived."))
    return redirect("sites:detail", pk=run.site_id)


@require_GET
@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = access.visible_site(request.user, pk)
    state = request.GET.get("state", "")
    state = state if state in posts.STATES else ""
    sort = request.GET.get("sort", posts.DEFAULT_SORT)
    sort = sort if sort.lstrip("-") in posts.SORTS else posts.DEFAULT_SORT
    listing = posts.site_posts(site=site, state=state, sort=sort)
    with posts.planned_plainly():
        page = Paginator(listing, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        progress = for_page(site)
        copies = site_copies(site)
        rows = [_row(post, copies) for post in page]
    context = {
        "site": site,
        "progress": progress,
        "page": page,
        "rows": rows,
        "state": state,
        "sort": sort,
        "filters": [(key, label, progress["states"][key]) for key, label in posts.STATES.items()],
        "headers": _headers(state, sort),
        "query": _query(state, sort),
        "chart": mark_safe(_chart(site, progress)),  # built with every text escaped  # noqa: S308
        "coverage": _coverage_segments(progress["coverage"]),
        "exports": export_links(site),
    }
    return render(request, "sites/detail.html", context)


@require_POST
@login_required
def site_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the site page's buttons; each queues work through the shared services."""
    site = access.visible_site(request.user, pk)
    act = actions.ACTIONS.get(action)
    if act is None:
        raise Http404(_("No such action."))
    if action == "recover":
        message = act(site, request.user, summarize=bool(request.POST.get("summarize")))
    else:
        message = act(site, request.user)
    messages.success(request, message)
    return redirect("sites:detail", pk=site.pk)


@require_GET
@login_required
def post_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A post as the local WARC copy holds it, sandboxed: the kept page is
    anyone's markup, so it runs no script and reaches nothing on this site."""
    site = access.visible_site(request.user, pk)
    url = request.GET.get("url", "")
    copies = site_copies(site)
    if copies is None or url not in copies or not site.urls.filter(url=url).exists():
        raise Http404(_("No local copy of that post."))
    page = copies.page(url, max_bytes=settings.FETCH_MAX_BYTES)
    kind = page.headers.get("content-type", "text/html").split(";")[0].strip().lower()
    if kind in SHOWN_AS_PAGES:  # sandboxed below: it runs nothing and reaches nothing here
        response = HttpResponse(page.body, content_type=page.headers.get("content-type"))
    else:
        # Anything else (a "post" answering text/javascript or text/css) would be a
        # script or a style sheet from this site's own origin, past its CSP: a file.
        response = HttpResponse(page.body, content_type="application/octet-stream")
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:"
    response["X-Content-Type-Options"] = "nosniff"
    return response


SHOWN_AS_PAGES = {"text/html", "application/xhtml+xml", "text/plain"}


# --- helpers ---------------------------------------------------------------------


def _row(post, copies) -> dict:
    wayback = post.wayback_url
    if not wayback and post.best_timestamp:
        wayback = capture_url(post.best_timestamp, post.recovered_original or post.url)
    return {
        "url": post.url,
        "title": post.title,
        "state": post.state,
        "state_label": posts.STATES[post.state],
        "reason": post.capture_reason if post.state == "failed" else "",
        "timestamp": post.best_timestamp,
        "wayback_url": wayback,
        "summary_token": post.summary_token or "",
        "summary_state": post.summary_state or "",
        "copy": copies is not None and post.url in copies,
        "found": post.found_at,
    }


def _query(state: str, sort: str) -> str:
    """The query string of a listing: the filter and the order, each only if not default."""
    pairs = (("state", state), ("sort", "" if sort == posts.DEFAULT_SORT else sort))
    return urlencode({key: value for key, value in pairs if value})


def _headers(state: str, sort: str) -> list[dict]:
    """The sortable column headers: a link each, toggling its direction."""
    names = {"title": _("Post"), "state": _("State"), "captured": _("Captured"),
             "found": _("Found")}  # fmt: skip
    headers = []
    for key, label in names.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        next_sort = f"-{key}" if current and not descending else key
        query = _query(state, next_sort)
        order = ("descending" if descending else "ascending") if current else "none"
        headers.append({"key": key, "label": label, "query": query, "aria_sort": order})
    return headers


def _chart(site: Site, progress: dict) -> str:
    return chart.archived_chart(
        posts.archived_times(site), per_minute=progress["archive"]["rate_per_minute"],
        start=posts.first_submitted(site), total=progress["posts"],
    )  # fmt: skip


def _coverage_segments(counts: dict) -> list[dict]:
    """The coverage bar's parts, each placed after the one before (in percent)."""
    keys = ("captured", "stale", "missing", "gone")
    total = sum(counts[key] for key in keys)
    segments, x = [], 0.0
    for key in keys:
        width = round(100 * counts[key] / total, 3) if total else 0
        segments.append({"key": key, "label": posts.STATES[key], "count": counts[key],
                         "x": x, "width": width})  # fmt: skip
        x = round(x + width, 3)
    return segments


def export_links(site: Site) -> list[tuple[str, str]]:
    """The library's exports of the site: its named URL when it exists, else its path."""
    links = []
    for fmt in EXPORT_FORMATS:
        try:
            href = reverse("library:site-export", kwargs={"pk": site.pk, "fmt": fmt})
        except NoReverseMatch:
            href = f"/library/sites/{site.pk}/export.{fmt}"
        links.append((fmt, href))
    return links
