"""Every post of a site with one state, computed in the database.

A site may have 10,000 posts, so the state of each, the filter, the sort
and the counts are SQL (subqueries on indexed URL columns), never a Python
loop over every row. The states join what Waybrief knows locally:

- ``pending``: a capture is queued or in flight; ``failed``: the latest
  capture failed (its reason is shown); ``archived``: Waybrief saved it;
- ``gone``: the post was read from the Archive (the blog was not live);
- ``captured`` / ``stale``: the Archive holds a capture (seen by a recovery's
  index read, or a capture that was skipped as already held) since, or only
  before, ``COVERAGE_STALE_DAYS``; ``missing``: no capture known at all.

The coverage check (``sites.coverage``) reads the Archive's index afresh;
its counts are shown beside these when a check has run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archiver.models import Capture
from crawler.models import DiscoveredURL, Site
from crawler.selectors import site_post_urls
from summarizer.models import Summary
from wayback import wayback_timestamp

from ..models import RecoveredPost

#: every state a post row can have, in the order the filter offers them
STATES = {
    "captured": _("captured"),
    "stale": _("stale"),
    "missing": _("missing"),
    "gone": _("gone"),
    "archived": _("archived"),
    "pending": _("being archived"),
    "failed": _("failed"),
}
#: the sort keys a page may ask for, and the columns they order by
SORTS = {
    "found": ("found_at", "pk"),
    "url": ("url",),
    "title": ("title", "url"),
    "state": ("state", "url"),
    "captured": ("best_timestamp", "url"),
}
DEFAULT_SORT = "found"


def _latest_capture(field: str) -> Subquery:
    captures = Capture.objects.filter(url=OuterRef("url")).order_by("-created_at", "-pk")
    return Subquery(captures.values(field)[:1])


def _recovered(site: Site, field: str) -> Subquery:
    rows = RecoveredPost.objects.filter(recovery__site_id=site.pk, url=OuterRef("url"))
    return Subquery(rows.order_by("-timestamp").values(field)[:1])


def _latest_summary(field: str) -> Subquery:
    summaries = Summary.objects.filter(url=OuterRef("url"), private=False)
    return Subquery(summaries.order_by("-created_at", "-pk").values(field)[:1])


@contextlib.contextmanager
def planned_plainly() -> Iterator[None]:
    """Run the reads inside without PostgreSQL's JIT compiler.

    A post's state takes a handful of correlated subqueries, so the planner
    prices a 10,000-post listing high enough to JIT-compile it, and the
    compiling took ten times longer than the query (measured: 0.75 s against
    0.07 s). Elsewhere (SQLite) this does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def stale_cutoff() -> str:
    """The 14-digit timestamp before which a capture counts as stale."""
    return wayback_timestamp(timezone.now() - timedelta(days=settings.COVERAGE_STALE_DAYS))


def _with_state(posts: QuerySet[DiscoveredURL], site: Site) -> QuerySet[DiscoveredURL]:
    open_states = [Capture.State.PENDING, Capture.State.SUBMITTED]
    posts = posts.annotate(
        capture_state=_latest_capture("state"),
        capture_timestamp=_latest_capture("timestamp"),
        recovered_timestamp=_recovered(site, "timestamp"),
        run_adapter=F("last_run__adapter"),
    )
    posts = posts.annotate(
        best_timestamp=Greatest(
            Coalesce("capture_timestamp", Value("")), Coalesce("recovered_timestamp", Value(""))
        )
    )
    return posts.annotate(
        state=Case(
            When(capture_state__in=open_states, then=Value("pending")),
            When(capture_state=Capture.State.FAILED, then=Value("failed")),
            When(run_adapter="wayback", then=Value("gone")),
            When(capture_state=Capture.State.ARCHIVED, then=Value("archived")),
            When(best_timestamp__gte=stale_cutoff(), then=Value("captured")),
            When(best_timestamp__gt="", then=Value("stale")),
            default=Value("missing"),
            output_field=CharField(),
        )
    )


def site_posts(*, site: Site, state: str = "", sort: str = DEFAULT_SORT) -> QuerySet[DiscoveredURL]:
    """The site's posts for its page: each with ``state``, its latest capture's
    reason and Wayback address, its summary's token and title; filtered to one
    ``state`` (any when empty or unknown) and ordered by ``sort`` (a key of
    ``SORTS``, ``-`` first for descending)."""
    posts = _with_state(site_post_urls(site=site), site).annotate(
        capture_reason=_latest_capture("reason"),
        wayback_url=_latest_capture("wayback_url"),
        recovered_original=_recovered(site, "original"),
        summary_token=Coalesce(_latest_summary("token"), _recovered(site, "summary__token")),
        summary_state=Coalesce(_latest_summary("state"), _recovered(site, "summary__state")),
        title=Coalesce(_latest_summary("document__title"), Value(""), output_field=CharField()),
    )
    if state in STATES:
        posts = posts.filter(state=state)
    descending = sort.startswith("-")
    columns = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    return posts.order_by(*[F(c).desc() if descending else F(c).asc() for c in columns])


def state_counts(site: Site) -> dict[str, int]:
    """How many posts are in each state, and ``total``: one grouped query."""
    rows = _with_state(site_post_urls(site=site).order_by(), site).values("state")
    counts = dict.fromkeys(STATES, 0)
    for row in rows.annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts[state] for state in STATES)
    return counts


def coverage_counts(site: Site, counts: dict[str, int]) -> dict:
    """The coverage bar (captured, stale, missing, gone): the latest coverage
    check's counts when there is one, else what ``counts`` says (a post
    Waybrief archived is captured; one queued or failed is still missing)."""
    checked = site.coverage or {}
    if all(key in checked for key in ("captured", "stale", "missing", "gone")):
        bar = {key: int(checked[key]) for key in ("captured", "stale", "missing", "gone")}
        return {**bar, "checked": checked.get("checked", ""), "from_check": True}
    return {
        "captured": counts["captured"] + counts["archived"],
        "stale": counts["stale"],
        "missing": counts["missing"] + counts["pending"] + counts["failed"],
        "gone": counts["gone"],
        "checked": "",
        "from_check": False,
    }


def latest_failed_captures(site: Site) -> QuerySet[Capture]:
    """The captures to retry: each post's latest capture, where that one failed
    (an old failure of a post archived since is left alone)."""
    latest = Capture.objects.filter(url=OuterRef("url")).order_by("-created_at", "-pk")
    ids = site_post_urls(site=site).annotate(latest=Subquery(latest.values("pk")[:1]))
    return Capture.objects.filter(pk__in=ids.values("latest"), state=Capture.State.FAILED)


def archived_times(site: Site) -> list:
    """When each post of the site was archived by Waybrief, oldest first."""
    urls = site_post_urls(site=site).order_by().values("url")
    rows = Capture.objects.filter(url__in=urls, state=Capture.State.ARCHIVED)
    return list(rows.exclude(finished_at=None).order_by("finished_at").values_list(
        "finished_at", flat=True))  # fmt: skip


def first_submitted(site: Site):
    """When the first save for the site went out (the rate line starts there)."""
    urls = site_post_urls(site=site).order_by().values("url")
    row = Capture.objects.filter(url__in=urls).exclude(submitted_at=None).order_by("submitted_at")
    return row.values_list("submitted_at", flat=True).first()
