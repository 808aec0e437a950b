"""Work about a whole site that joins the apps: recovering a dead blog.

A ``Recovery`` reads what the Archive holds of a site (the crawler's
``Site``) and may summarize each post, so it sits above the crawler, the
archiver and the summarizer. Its tables keep the names they were made
with under the crawler app: moving the models moved no data.
"""

from __future__ import annotations

from django.db import models

from crawler.models import MAX_URL_LENGTH
from waybrief.ledger import LeasedWork


class Recovery(LeasedWork):
    """One "recover this blog" request: read what the Archive holds of it
    (its CDX index), keep that list, and (if asked) summarize every post
    from its archived copy. Runs on the workers; the list survives them."""

    class State(models.TextChoices):
        PENDING = "pending"
        LISTING = "listing"  # reading the CDX index
        DONE = "done"  # listed; any summaries go on in their own rows
        FAILED = "failed"

    class Mode(models.TextChoices):
        SUMMARY = "summary"
        TAKEAWAY = "takeaway"

    site = models.ForeignKey(
        "crawler.Site", on_delete=models.CASCADE, related_name="recoveries"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    summarize = models.BooleanField(
        default=False, help_text="Summarize each post from its archived copy."
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.SUMMARY)
    posts_found = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(
        default=0, help_text="Index rows skipped as unreadable (a timestamp that is no date)."
    )
    error = models.TextField(blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crawler_recovery"  # made by the crawler app, before sites/ existed
        ordering = ["-pk"]
        verbose_name_plural = "recoveries"

    def __str__(self) -> str:
        return f"recovery {self.pk} of {self.site}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class RecoveredPost(models.Model):
    """A captured post of a recovered blog, and its summary if one was asked for."""

    recovery = models.ForeignKey(Recovery, on_delete=models.CASCADE, related_name="posts")
    url = models.CharField(max_length=MAX_URL_LENGTH, help_text="The post, canonical.")
    timestamp = models.CharField(max_length=14, help_text="Its latest good capture.")
    original = models.CharField(
        max_length=MAX_URL_LENGTH, help_text="The URL as that capture spelled it."
    )
    summary = models.ForeignKey(
        "summarizer.Summary", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "crawler_recoveredpost"
        ordering = ["url"]
        constraints = [
            models.UniqueConstraint(fields=["recovery", "url"], name="recovered_post_once")
        ]

    def __str__(self) -> str:
        return self.url
