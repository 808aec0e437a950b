"""Reads about sites and their crawls, for the archiver, admin and API."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import CrawlRun, DiscoveredURL, Site


def run_post_urls(*, run: CrawlRun | int) -> QuerySet[DiscoveredURL]:
    """Every post URL the run saw (resumed parts included), oldest first."""
    run_id = run.pk if isinstance(run, CrawlRun) else run
    return DiscoveredURL.objects.filter(last_run_id=run_id).order_by("found_at", "pk")


def site_post_urls(*, site: Site | int) -> QuerySet[DiscoveredURL]:
    """Every post URL any crawl of the site has found."""
    site_id = site.pk if isinstance(site, Site) else site
    return DiscoveredURL.objects.filter(site_id=site_id).order_by("found_at", "pk")


def latest_run(*, site: Site) -> CrawlRun | None:
    return site.runs.order_by("-created_at").first()


def visible_sites(user) -> QuerySet[Site]:
    """The sites ``user`` may see and act on: staff every site, anyone else the
    sites they added (the sites pages, the library and its exports agree)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Site.objects.none()
    if user.is_staff:
        return Site.objects.all()
    return Site.objects.filter(added_by=user)
