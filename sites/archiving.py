"""From a crawl to the Archive: queue every post a run found, and report how far it got.

The crawler and the archiver know nothing of each other; this module joins
them, for the admin's "crawl and archive" and the API's sites.
"""

from __future__ import annotations

import logging
from collections import Counter

from archiver.models import Capture
from archiver.services import archive_urls, record_local_copies, why_not_archivable
from crawler.models import CrawlRun, Site
from crawler.selectors import run_post_urls, site_post_urls

log = logging.getLogger(__name__)
BATCH = 1000
# A URL in one of these states needs no new capture.
COVERED = [Capture.State.PENDING, Capture.State.SUBMITTED, Capture.State.ARCHIVED,
           Capture.State.SKIPPED]  # fmt: skip


def archive_finished_run(*, run: CrawlRun, **_signal: object) -> None:
    """A crawl ended (``crawler.signals.run_finished``): if it was asked to
    archive, queue its posts. Called in the crawling process, after the run's
    final write, so every post it found is there to queue."""
    if run.archive_posts:
        archive_posts(run)


def archive_posts(run: CrawlRun) -> int:
    """Ask the archiver for every post of ``run`` it has not already got or saved.

    A post the Archive cannot be asked for (an internal host a sitemap named,
    a URL too long) is left out and logged, so it cannot refuse its whole batch.
    """
    queued = 0
    urls = list(run_post_urls(run=run).values_list("url", flat=True))
    for start in range(0, len(urls), BATCH):
        batch = urls[start : start + BATCH]
        covered = set(
            Capture.objects.filter(url__in=batch, state__in=COVERED).values_list("url", flat=True)
        )
        todo = [url for url in batch if url not in covered and _archivable(url, run)]
        if todo:
            archive_urls(todo, source=f"crawl run {run.pk}")
        queued += len(todo)
    _note_local_copies(run)
    return queued


def _note_local_copies(run: CrawlRun) -> None:
    """Each capture of a post the site keeps a local copy of knows where it is."""
    kept = run_post_urls(run=run).exclude(warc_file="")
    places = {url: (name, offset, length) for url, name, offset, length
              in kept.values_list("url", "warc_file", "warc_offset", "warc_length")}  # fmt: skip
    if places:
        record_local_copies(places)


def _archivable(url: str, run: CrawlRun) -> bool:
    if why := why_not_archivable(url):
        log.warning("crawl run %s: not archiving %s: %s", run.pk, url[:300], why)
        return False
    return True


def site_progress(site: Site) -> dict[str, int]:
    """Posts found, and where each stands in the Archive (its latest capture)."""
    urls = site_post_urls(site=site).values("url")
    latest: dict[str, str] = {}
    captures = Capture.objects.filter(url__in=urls).order_by("created_at", "pk")
    for url, state in captures.values_list("url", "state").iterator():
        latest[url] = state
    states = Counter(latest.values())
    found = site_post_urls(site=site).count()
    return {
        "found": found,
        "archived": states[Capture.State.ARCHIVED] + states[Capture.State.SKIPPED],
        "pending": states[Capture.State.PENDING] + states[Capture.State.SUBMITTED],
        "failed": states[Capture.State.FAILED],
        "not_requested": found - len(latest),
    }
