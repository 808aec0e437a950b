from django.contrib import admin
from django.utils.html import format_html

from .models import Document, Summary


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ("id", "short_url", "mode", "language", "state", "model", "tokens_out",
                    "parts", "cache_hit", "created_at")  # fmt: skip
    list_filter = ("state", "mode", "language", "cache_hit", "model")
    search_fields = ("url", "output", "document__title")
    date_hierarchy = "created_at"
    raw_id_fields = ("document",)
    readonly_fields = ("timings", "attempts", "claimed_until", "finished_at", "page_link",
                       "client_key")  # fmt: skip

    @admin.display(description="URL")
    def short_url(self, summary: Summary) -> str:
        return summary.url[:80] or "(text)"

    @admin.display(description="Page")
    def page_link(self, summary: Summary) -> str:
        return format_html('<a href="/s/{}">/s/{}</a>', summary.token, summary.token)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "language", "encoding", "extraction", "fetched_at")
    list_filter = ("kind", "language", "encoding", "extraction")
    search_fields = ("url", "final_url", "title")
    date_hierarchy = "fetched_at"
