from django.contrib import admin

from . import services
from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "actions", "summary_type", "created_at", "progress_text")
    list_filter = ("created_at",)
    readonly_fields = ("owner", "actions", "summary_type", "target_language", "idempotency_key",
                       "cancelled_at", "progress_text")  # fmt: skip

    @admin.display(description="Progress")
    def progress_text(self, job: Job) -> str:
        progress = services.progress(job)
        parts = [f"{action}: " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
                 for action, counts in progress["actions"].items()]  # fmt: skip
        return "; ".join(parts) or "empty"
