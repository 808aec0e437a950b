"""A site's crawls in the admin: the runs, what they found and the pages they read.

The site itself (add a blog, crawl and archive it, watch it go) is the sites
app's page: it joins the crawler with the archiver and the summarizer.
"""

from __future__ import annotations

from django.contrib import admin

from .models import CrawledPage, CrawlRun, DiscoveredURL


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
