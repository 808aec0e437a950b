"""Captures: one row per URL to save in the Wayback Machine, and its history.

Rows are written only by ``archiver.services``; everything else reads them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from waybrief.ledger import LeasedWork


class Capture(LeasedWork):
    """A URL on its way into the Wayback Machine.

    ``submitted`` means a save may have reached the Archive: such a row is
    polled (``job_id`` known) or settled through CDX (``job_id`` empty, the
    worker died or the answer was lost), never sent again blindly.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        SUBMITTED = "submitted"
        ARCHIVED = "archived"
        SKIPPED = "skipped"
        FAILED = "failed"

    OPEN_STATES = (State.PENDING, State.SUBMITTED)
    FINAL_STATES = (State.ARCHIVED, State.SKIPPED, State.FAILED)

    url = models.URLField(max_length=2000, db_index=True)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    job_id = models.CharField(max_length=128, blank=True)
    wayback_url = models.URLField(max_length=2200, blank=True)
    timestamp = models.CharField(max_length=14, blank=True, help_text="Wayback YYYYMMDDhhmmss")
    reason = models.CharField(max_length=500, blank=True, help_text="status_ext or HTTP status")
    waiting_for = models.CharField(
        max_length=16, blank=True, help_text="why a pending row waits: rate, outage, keys, retry"
    )
    retries = models.PositiveIntegerField(default=0, help_text="transient errors so far")
    source = models.CharField(max_length=200, blank=True, help_text="who asked: cli, a crawl run")
    looked_up_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The page's local copy, when its site keeps WARC copies (set by sites/archiving.py
    # from the crawl that read it): read back by offset, no scan (crawler/keeping.py).
    warc_file = models.CharField(
        "WARC file", max_length=300, blank=True, default="",
        help_text="The local copy's WARC file, under WARC_DIR.",
    )  # fmt: skip
    warc_offset = models.BigIntegerField("WARC record offset", null=True, blank=True)
    warc_length = models.BigIntegerField("WARC record length", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open capture per URL: asking twice joins the first request,
            # so a URL is never sent twice at once.
            models.UniqueConstraint(
                fields=["url"],
                condition=Q(state__in=["pending", "submitted"]),
                name="archiver_one_open_capture_per_url",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    @property
    def job_slot(self) -> str:
        """Its name among the SPN2 jobs in flight (``wayback.ratelimit``)."""
        return f"capture:{self.pk}"

    @staticmethod
    def id_of_job_slot(slot: str) -> int | None:
        prefix, _, pk = slot.partition(":")
        return int(pk) if prefix == "capture" and pk.isdigit() else None


class CaptureEvent(models.Model):
    """One state change of a capture, kept so an operator can see what happened when."""

    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.from_state or '-'} → {self.to_state}"
