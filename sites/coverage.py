"""How much of a blog the Archive holds: the live posts against the CDX index.

Every post, live or captured, gets one state:
``captured`` (live, captured since the cut-off), ``stale`` (live, captured
only before it), ``missing`` (live, never captured) and ``gone`` (captured,
no longer live). The Archive's save rate is small, so "archive the gaps"
submits only ``missing`` posts (and ``stale`` ones when asked), never what
it already holds. The command, the admin and the API all come through here.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from archiver.models import Capture
from archiver.services import archive_urls
from crawler.adapters.wayback import capture_homes, post_shape
from crawler.engine import SiteUnreadable
from crawler.models import CrawlRun, Site
from crawler.selectors import run_post_urls
from crawler.services import UnknownAdapter, crawl_site, live_shape
from wayback import cdx, wayback_timestamp
from wayback.cdx import CdxReader
from wayback.urls import parse_timestamp

STATES = ("captured", "stale", "missing", "gone")
COVERAGE_TASK = "sites.coverage"


@dataclass(frozen=True)
class PostCoverage:
    url: str
    state: str
    timestamp: str = ""  # the latest good capture, 14 digits; "" when none
    original: str = ""  # the URL as that capture spelled it (for its raw copy)


@dataclass
class Coverage:
    site: Site
    posts: list[PostCoverage] = field(default_factory=list)
    cutoff: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(post.state for post in self.posts)
        counts = {state: found[state] for state in STATES}
        counts["live"] = counts["captured"] + counts["stale"] + counts["missing"]
        counts["in_archive"] = counts["captured"] + counts["stale"] + counts["gone"]
        return counts

    def urls(self, *states: str) -> list[str]:
        return [post.url for post in self.posts if post.state in states]


def latest_captures(
    home: str,
    *,
    shape: str = "",
    reader: CdxReader | None = None,
    bad_rows: list[dict[str, str]] | None = None,
) -> dict[str, tuple[str, str]]:
    """Each captured post of ``home``: its latest capture that replays it,
    as ``(timestamp, original URL)``. Reads every capture (no collapse),
    revisits included: a post the Archive re-captured unchanged last year
    counts from that revisit, not from its first 200 (``cdx.Replays``).

    Posts are told apart the way the index tells URLs apart, without regard
    to letter case (``cdx.fold``); a post keeps the spelling of its oldest
    capture (the key sorts rows by time within a URL), which is the blog's
    own far more often than a lower-cased later link to it.

    The index holds rows whose timestamp is no date at all (``20000008241731``:
    month 00); such a row is skipped, and put in ``bad_rows`` when given.
    """
    reader = reader or CdxReader()
    post = post_shape(home, shape)
    spelling: dict[str, str] = {}
    replays: dict[str, cdx.Replays] = {}
    rows = itertools.chain.from_iterable(  # a Xuite blog's mobile captures too
        reader.rows(prefix, collapse=False, revisits=True) for prefix in capture_homes(home, shape)
    )
    for row in rows:
        url = post(row.get("original", ""))
        if parse_timestamp(row.get("timestamp", "")) is None:
            if bad_rows is not None:
                bad_rows.append(row)
            continue
        if url:
            key = cdx.fold(url)
            spelling.setdefault(key, url)
            replays.setdefault(key, cdx.Replays()).add(row)
    found = {key: entry.latest() for key, entry in replays.items()}
    return {spelling[key]: latest for key, latest in found.items() if latest is not None}


def live_run(site: Site) -> CrawlRun | None:
    """The site's latest finished crawl of the live site: one that read the
    Archive instead (``--adapter wayback``, or the fallback when the site was
    gone) says nothing of what is live."""
    finished = site.runs.filter(state__in=(CrawlRun.State.DONE, CrawlRun.State.INCOMPLETE))
    return finished.exclude(adapter="wayback").order_by("-created_at").first()


def site_coverage(
    *, site: Site, run: CrawlRun | None = None, stale_days: int | None = None,
    reader: CdxReader | None = None,
) -> Coverage:  # fmt: skip
    """Coverage of ``site``: its posts live as ``run`` (default: the latest
    finished crawl) saw them, against the CDX index now. A run that read
    the Archive instead of the site (it was gone) counts nothing as live."""
    run = run or live_run(site)
    live: set[str] = set()
    if run is not None and run.adapter != "wayback":
        live = set(run_post_urls(run=run).values_list("url", flat=True))
    days = settings.COVERAGE_STALE_DAYS if stale_days is None else stale_days
    cutoff = wayback_timestamp(timezone.now() - timedelta(days=days))
    captured = latest_captures(site.url, shape=live_shape(site), reader=reader)
    # A capture matches a live post as the index would, whatever the letter
    # case; the live spelling is the one shown.
    spelled = {cdx.fold(url): url for url in captured}
    spelled.update({cdx.fold(url): url for url in live})
    by_key = {cdx.fold(url): entry for url, entry in captured.items()}
    live_keys = {cdx.fold(url) for url in live}
    posts = []
    for key in sorted(spelled, key=lambda k: spelled[k]):
        url = spelled[key]
        stamp, original = by_key.get(key, ("", ""))
        if key not in live_keys:
            state = "gone"
        elif not stamp:
            state = "missing"
        else:
            state = "captured" if stamp >= cutoff else "stale"
        posts.append(PostCoverage(url, state, stamp, original))
    coverage = Coverage(site, posts, cutoff)
    checked = datetime.now(UTC).isoformat(timespec="seconds")
    Site.objects.filter(pk=site.pk).update(coverage={**coverage.counts, "checked": checked})
    return coverage


def check_coverage(
    *, url: str, adapter: str = "", stale_days: int | None = None, **crawl: Any
) -> Coverage:
    """Crawl the live blog now, then compare it with the index. Raises
    ``SiteUnreadable`` when neither the blog nor the Archive could be read."""
    if adapter == "wayback":
        raise UnknownAdapter("coverage reads the live blog; the wayback adapter reads the Archive.")
    run = crawl_site(url=url, adapter=adapter, fresh=True, live=True, **crawl)
    if run.state == CrawlRun.State.FAILED:
        raise SiteUnreadable(run.error or "the crawl failed")
    return site_coverage(site=run.site, run=run, stale_days=stale_days)


def archive_gaps(coverage: Coverage, *, stale: bool = False, enqueue: bool = True) -> list[Capture]:
    """Ask for the missing posts (and the stale ones, with ``stale``) to be
    archived, and nothing else; returns their captures. Without ``enqueue``
    the caller drives them (``archiver.workflow.drive``)."""
    urls = coverage.urls("missing", "stale") if stale else coverage.urls("missing")
    if not urls:
        return []
    return archive_urls(urls, source=f"coverage of {coverage.site.url}", enqueue=enqueue)
