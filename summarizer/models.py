"""Fetched documents and the summaries written from them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from waybrief.ledger import LeasedWork


def new_token() -> str:
    """A summary's public name: 22 URL-safe characters (128 random bits), so its
    page cannot be found by counting, as ``/s/1``, ``/s/2`` could."""
    return secrets.token_urlsafe(16)


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
    extraction = models.CharField(max_length=32, blank=True)  # the extractor used
    pages_read = models.PositiveIntegerField(default=0, help_text="Of a PDF: pages read.")
    pages_total = models.PositiveIntegerField(default=0, help_text="Of a PDF: pages it has.")
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
    reading = models.JSONField(
        null=True, blank=True, default=None,
        help_text="While the model reads the prompt, before its first word: "
        '{"parts_done", "parts", "tokens_read", "tokens_total"}; null otherwise.',
    )  # fmt: skip
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
    token = models.CharField(
        max_length=32, unique=True, default=new_token, editable=False,
        help_text="The name in its page's address (/s/<token>); the id stays internal.",
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="summaries", help_text="Who asked through the API; none for the web page.",
    )  # fmt: skip
    private = models.BooleanField(
        default=False,
        help_text="Made with cache=false or from submitted text: never listed, never reused, "
        "shown to its owner alone.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "summaries"

    def __str__(self) -> str:
        return f"{self.mode} of {self.url} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    def visible_to(self, user) -> bool:
        """Anyone with the link sees a public summary; a private one, its owner alone."""
        if not self.private:
            return True
        return self.owner_id is not None and getattr(user, "pk", None) == self.owner_id
