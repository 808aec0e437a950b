"""Sites and their crawls in the admin: add a blog, crawl it, watch it go."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from archiver.clients import WaybackError

from . import coverage, recovery, services
from .archiving import site_progress
from .models import CrawledPage, CrawlRun, DiscoveredURL, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("url", "adapter", "latest_run", "created")
    search_fields = ("url",)
    actions = ["crawl_and_archive", "crawl", "check_coverage", "archive_missing", "export_captured"]
    readonly_fields = ("progress", "coverage_panel")
    fields = ("url", "adapter", "progress", "coverage_panel")

    def save_model(self, request, obj, form, change) -> None:
        """Adding a site queues it for archiving at once: one action, as promised."""
        super().save_model(request, obj, form, change)
        if not change:
            services.start_crawl(url=obj.url, adapter=obj.adapter, archive=True)
            self.message_user(request, "Crawling it now; every post found will be archived.")

    @admin.action(description="Crawl and archive every post")
    def crawl_and_archive(self, request, queryset) -> None:
        for site in queryset:
            services.start_crawl(url=site.url, adapter=site.adapter, archive=True)
        self.message_user(
            request, f"Queued {queryset.count()} crawl(s); their posts will be archived.",
            messages.SUCCESS,
        )  # fmt: skip

    @admin.action(description="Crawl again (no archiving)")
    def crawl(self, request, queryset) -> None:
        for site in queryset:
            services.start_crawl(url=site.url, adapter=site.adapter)
        self.message_user(request, f"Queued {queryset.count()} crawl(s).", messages.SUCCESS)

    @admin.action(description="Check coverage in the Archive (from the latest crawl)")
    def check_coverage(self, request, queryset) -> None:
        for site in queryset:
            try:
                report = coverage.site_coverage(site=site)
            except WaybackError as exc:
                self.message_user(request, f"{site}: the Archive's index cannot be read: {exc}",
                                  messages.ERROR)  # fmt: skip
                continue
            counts = report.counts
            self.message_user(request, f"{site}: {counts['missing']} of {counts['live']} "
                              f"live posts missing from the Archive.")  # fmt: skip

    @admin.action(description="Archive the posts missing from the Archive")
    def archive_missing(self, request, queryset) -> None:
        total = 0
        for site in queryset:
            try:
                total += len(coverage.archive_gaps(coverage.site_coverage(site=site)))
            except WaybackError as exc:
                self.message_user(request, f"{site}: {exc}", messages.ERROR)
        self.message_user(request, f"Queued {total} missing post(s) for archiving.")

    @admin.action(description="Recover: export the posts the Archive holds (CSV)")
    def export_captured(self, request, queryset) -> HttpResponse | None:
        rows = []
        for site in queryset:
            try:
                rows.extend(recovery.recover(url=site.url))
            except WaybackError as exc:
                self.message_user(request, f"{site}: {exc}", messages.ERROR)
                return None
        response = HttpResponse(recovery.export(rows, "csv"), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="captured-posts.csv"'
        return response

    @admin.display(description="Coverage")
    def coverage_panel(self, site: Site) -> str:
        counts = site.coverage or {}
        if not counts:
            return "Not checked yet: choose “Check coverage” in the site list."
        return format_html(
            "<p>{} live posts, {} in the Archive: {} captured, {} stale, {} missing, "
            "{} gone (checked {}).</p>"
            '<progress max="{}" value="{}">{} of {}</progress>',
            counts["live"], counts["in_archive"], counts["captured"], counts["stale"],
            counts["missing"], counts["gone"], counts.get("checked", "?"),
            counts["live"] or 1, counts["captured"] + counts["stale"],
            counts["captured"] + counts["stale"], counts["live"],
        )  # fmt: skip

    @admin.display(description="Latest crawl")
    def latest_run(self, site: Site) -> str:
        run = site.runs.order_by("-created_at").first()
        return f"{run.state}, {run.urls_found} posts" if run else "never"

    @admin.display(description="Progress")
    def progress(self, site: Site) -> str:
        if site.pk is None:
            return "—"
        counts = site_progress(site)
        run = site.runs.order_by("-created_at").first()
        crawl = f"crawl {run.state}, {run.pages_fetched} pages read" if run else "not crawled"
        return format_html(
            '<p>{}; {} posts found: {} archived, {} pending, {} failed, {} not requested.</p>'
            '<progress max="{}" value="{}">{} of {}</progress>'
            '<p><a href="{}?q={}">Captures of this site</a> · reload this page to update.</p>',
            crawl, counts["found"], counts["archived"], counts["pending"], counts["failed"],
            counts["not_requested"], counts["found"] or 1, counts["archived"], counts["archived"],
            counts["found"], reverse("admin:archiver_capture_changelist"), site.url,
        )  # fmt: skip


@admin.register(CrawlRun)
class CrawlRunAdmin(admin.ModelAdmin):
    list_display = ("id", "site", "adapter", "state", "pages_fetched", "urls_found", "errors",
                    "started", "finished")  # fmt: skip
    list_filter = ("state", "adapter")
    search_fields = ("site__url",)
    readonly_fields = [f.name for f in CrawlRun._meta.fields]
    list_select_related = ("site",)


@admin.register(DiscoveredURL)
class DiscoveredURLAdmin(admin.ModelAdmin):
    list_display = ("url", "site", "last_run", "found_at")
    search_fields = ("url",)
    list_filter = ("site",)
    list_select_related = ("site",)
    raw_id_fields = ("site", "run", "last_run")


@admin.register(CrawledPage)
class CrawledPageAdmin(admin.ModelAdmin):
    list_display = ("url", "run", "fetched_at")
    search_fields = ("url",)
    raw_id_fields = ("run",)
