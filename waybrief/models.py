"""A worker round trip, kept as rows so the status page can show the last one."""

from __future__ import annotations

from django.db import models

from .ledger import LeasedWork


class Heartbeat(LeasedWork):
    """The web process asks, a worker answers: proof that the pipeline moves."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"

    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    worker = models.CharField(max_length=255, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"heartbeat {self.pk} ({self.state})"

    @property
    def round_trip_ms(self) -> float | None:
        if not self.done_at:
            return None
        return (self.done_at - self.created_at).total_seconds() * 1000
