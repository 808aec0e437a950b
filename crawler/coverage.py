"""How much of a blog the Archive holds: the live posts against the CDX index.

Every post, live or captured, gets one state:
``captured`` (live, captured since the cut-off), ``stale`` (live, captured
only before it), ``missing`` (live, never captured) and ``gone`` (captured,
no longer live). The Archive's save rate is small, so "archive the gaps"
submits only ``missing`` posts (and ``stale`` ones when asked), never what
it already holds. The command, the admin and the API all come through here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from archiver.clients import wayback_timestamp
from archiver.models import Capture
from archiver.services import archive_urls

from .adapters.wayback import post_shape
from .cdx import CdxReader
from .engine import SiteUnreadable
from .models import CrawlRun, Site
from .selectors import run_post_urls
from .services import crawl_site, live_shape

STATES = ("captured", "stale", "missing", "gone")


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
    home: str, *, shape: str = "", reader: CdxReader | None = None
) -> dict[str, tuple[str, str]]:
    """Each captured post of ``home``: its latest good capture's
    ``(timestamp, original URL)``. Reads every capture (no collapse: the
    first of a URL is its oldest), keeping one entry per post."""
    reader = reader or CdxReader()
    post = post_shape(home, shape)
    latest: dict[str, tuple[str, str]] = {}
    for row in reader.rows(home, collapse=False):
        url = post(row.get("original", ""))
        stamp = row.get("timestamp", "")
        if url and stamp >= latest.get(url, ("", ""))[0]:
            latest[url] = (stamp, row["original"])
    return latest


def live_run(site: Site) -> CrawlRun | None:
    """The site's latest finished crawl, whatever adapter it fell back on."""
    finished = site.runs.filter(state__in=(CrawlRun.State.DONE, CrawlRun.State.INCOMPLETE))
    return finished.order_by("-created_at").first()


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
    posts = []
    for url in sorted(live | set(captured)):
        stamp, original = captured.get(url, ("", ""))
        if url not in live:
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
    run = crawl_site(url=url, adapter=adapter, fresh=True, **crawl)
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
