"""Rows for the sites pages' tests: a site with posts in every state."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from archiver.models import Capture
from crawler.models import CrawlRun, DiscoveredURL, Site
from sites.models import RecoveredPost, Recovery
from summarizer.models import Document, Summary
from wayback import wayback_timestamp

HOME = "https://blog.example.org/alice"


def a_site(*, url: str = HOME, posts: int = 0, owner=None, state=CrawlRun.State.DONE) -> Site:
    """A crawled site of ``posts`` posts (``{url}/{n}``), added by ``owner``."""
    site = Site.objects.create(url=url)
    if owner is not None:
        site.added_by.add(owner)
    run = CrawlRun.objects.create(site=site, state=state, adapter="xuite", urls_found=posts,
                                  pages_fetched=posts // 10 + 1)  # fmt: skip
    DiscoveredURL.objects.bulk_create(
        DiscoveredURL(site=site, run=run, last_run=run, url=f"{url}/{n}") for n in range(posts)
    )
    return site


def every_state(site: Site) -> dict[str, str]:
    """Turn the site's first seven posts into one of each state; returns url by state."""
    urls = list(site.urls.order_by("pk").values_list("url", flat=True))
    by_state = dict(zip(["archived", "failed", "pending", "captured", "stale", "gone",
                         "missing"], urls, strict=False))  # fmt: skip
    now = timezone.now()
    Capture.objects.create(
        url=by_state["archived"],
        state="archived",
        finished_at=now,
        submitted_at=now - timedelta(seconds=20),
        timestamp=wayback_timestamp(now),
        wayback_url=f"https://web.archive.org/web/1/{by_state['archived']}",
    )
    Capture.objects.create(url=by_state["failed"], state="failed", reason="error:blocked-url")
    Capture.objects.create(url=by_state["pending"], state="pending")
    recovery = Recovery.objects.create(site=site, state="done")
    RecoveredPost.objects.create(recovery=recovery, url=by_state["captured"],
                                 timestamp=wayback_timestamp(now - timedelta(days=3)),
                                 original=by_state["captured"])  # fmt: skip
    RecoveredPost.objects.create(recovery=recovery, url=by_state["stale"],
                                 timestamp=wayback_timestamp(now - timedelta(days=900)),
                                 original=by_state["stale"])  # fmt: skip
    wayback_run = CrawlRun.objects.create(site=site, state="done", adapter="wayback")
    DiscoveredURL.objects.filter(url=by_state["gone"]).update(last_run=wayback_run)
    document = Document.objects.create(url=by_state["archived"], final_url=by_state["archived"],
                                       content_hash="x", title="An archived post", kind="article",
                                       text="Text.")  # fmt: skip
    Summary.objects.create(url=by_state["archived"], state="done", output="In brief.",
                           document=document)  # fmt: skip
    return by_state
