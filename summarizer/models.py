"""Fetched documents and the summaries written from them."""

from __future__ import annotations

from django.db import models

from waybrief.ledger import LeasedWork


class Document(models.Model):
    """What a URL said when it was fetched; summaries of equal text share it."""

    url = models.URLField(max_length=4096, db_index=True)
    final_url = models.URLField(max_length=4096)
    canonical_url = models.URLField(max_length=4096, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=1000, blank=True)
    language = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=16)  # article, text or code
    code_language = models.CharField(max_length=64, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    extraction = models.CharField(max_length=32, blank=True)
    text = models.TextField()
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return self.title or self.final_url


class Summary(LeasedWork):
    class State(models.TextChoices):
        PENDING = "pending"
        FETCHING = "fetching"
        SUMMARIZING = "summarizing"
        DONE = "done"
        FAILED = "failed"

    class Mode(models.TextChoices):
        SUMMARY = "summary"
        TAKEAWAY = "takeaway"
        EXPLAIN = "explain"

    url = models.URLField(max_length=4096, db_index=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.SUMMARY)
    target_language = models.CharField(max_length=16, blank=True)  # as asked; blank: the page's
    language = models.CharField(max_length=16, blank=True)  # the answer's, once known
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL)
    model = models.CharField(max_length=200, blank=True)
    prompt_version = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    stage = models.CharField(max_length=200, blank=True)  # "summarizing part 2 of 5"
    partial_output = models.TextField(blank=True)  # the token feed while it is written
    output = models.TextField(blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    parts = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    cache_hit = models.BooleanField(default=False)
    keep = models.BooleanField(default=True)  # false: keep nothing of the document
    use_cache = models.BooleanField(default=True)  # false: always run the model
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=16,
        blank=True,
        help_text='"archive": read the latest capture, not the live page.',
    )
    capture_timestamp = models.CharField(
        max_length=14,
        blank=True,
        help_text="The Wayback capture read (YYYYMMDDhhmmss), if one was.",
    )
    capture_url = models.URLField(max_length=4096, blank=True, help_text="That capture's address.")
    client_key = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Who asked on /summarize, as a keyed hash of the address (never the "
        "address): its unfinished summaries are counted against its limit.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "summaries"

    def __str__(self) -> str:
        return f"{self.mode} of {self.url} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
