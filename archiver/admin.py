"""Captures in the admin: read-only history, and failed ones retried in bulk."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from . import services
from .models import Capture, CaptureEvent


class CaptureEventInline(admin.TabularInline):
    model = CaptureEvent
    fields = ("at", "from_state", "to_state", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = (
        "url",
        "state",
        "waiting_for",
        "retries",
        "reason",
        "wayback_link",
        "updated_at",
    )
    list_filter = ("state", "waiting_for", "source")
    search_fields = ("url", "job_id", "reason")
    date_hierarchy = "created_at"
    inlines = [CaptureEventInline]
    actions = ["retry_failed"]
    # States change only through archiver.services: nothing here is editable.
    readonly_fields = [f.name for f in Capture._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Wayback")
    def wayback_link(self, capture: Capture) -> str:
        if not capture.wayback_url:
            return "-"
        return format_html(
            '<a href="{}" rel="noopener">{}</a>', capture.wayback_url, capture.timestamp
        )

    @admin.action(description="Retry the selected failed captures")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Capture]) -> None:
        count = services.retry_failed(queryset)
        self.message_user(request, f"{count} capture(s) put back in line.", messages.SUCCESS)
