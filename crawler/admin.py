"""Sites and their crawls in the admin: add a blog, crawl it, watch it go."""

from __future__ import annotations

from django.contrib import admin, messages

from . import services
from .models import CrawledPage, CrawlRun, DiscoveredURL, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("url", "adapter", "created")
    search_fields = ("url",)
    actions = ["crawl"]

    @admin.action(description="Crawl the selected sites now")
    def crawl(self, request, queryset) -> None:
        for site in queryset:
            services.start_crawl(url=site.url, adapter=site.adapter)
        self.message_user(request, f"Queued {queryset.count()} crawl(s).", messages.SUCCESS)


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
