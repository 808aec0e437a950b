"""Bulk jobs: many URLs, each with the actions asked for.

A job item points at the ledger row that does its work (a Capture, a
Summary); its state is read from that row, so there is one truth.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    actions = models.JSONField(default=list)
    summary_type = models.CharField(max_length=16, default="summary")
    target_language = models.CharField(max_length=16, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_job_per_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"job {self.id}"


class JobItem(models.Model):
    class Action(models.TextChoices):
        ARCHIVE = "archive"
        SUMMARIZE = "summarize"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    index = models.PositiveIntegerField()  # position in the request's list
    url = models.URLField(max_length=4096)
    action = models.CharField(max_length=16, choices=Action.choices)
    capture = models.ForeignKey(
        "archiver.Capture", null=True, blank=True, on_delete=models.SET_NULL
    )
    summary = models.ForeignKey(
        "summarizer.Summary", null=True, blank=True, on_delete=models.SET_NULL
    )
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["index", "action"]
        indexes = [models.Index(fields=["job", "action"])]

    def __str__(self) -> str:
        return f"{self.action} {self.url}"

    @property
    def state(self) -> str:
        if self.cancelled:
            return "cancelled"
        row = self.capture if self.action == self.Action.ARCHIVE else self.summary
        return row.state if row is not None else "missing"
