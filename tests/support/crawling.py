"""Crawling a stand-in blog in the test's own process."""

from __future__ import annotations

from crawler.models import CrawlRun
from crawler.services import crawl_site


def crawl(url: str, **options) -> tuple[CrawlRun, list[str]]:
    """Crawl ``url`` in-process; the run and every URL announced, in order."""
    announced: list[str] = []
    run = crawl_site(url=url, on_url=announced.append, **options)
    return run, announced


def stored(run: CrawlRun) -> set[str]:
    return set(run.urls.values_list("url", flat=True))
