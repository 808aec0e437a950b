from django.contrib import admin

from .models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("id", "state", "worker", "created_at", "done_at")
    list_filter = ("state",)
    readonly_fields = ("state", "worker", "created_at", "done_at", "attempts")
