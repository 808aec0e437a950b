"""The library's search index: one entry a finished summary.

The database's own full-text index hangs off ``terms`` (see
``migrations/0002_full_text_index.py``): a ``tsvector`` column kept by a
trigger, under a GIN index, on PostgreSQL; an FTS5 table over this one, kept
by triggers, on SQLite. Neither is a Django field, so the model stays the
same on both.
"""

from __future__ import annotations

from django.db import models

from summarizer.models import Summary


class Entry(models.Model):
    """A summary as the library searches it: its title, its output and the
    text it was written from, cut into terms by ``library.text``."""

    summary = models.OneToOneField(
        Summary, primary_key=True, on_delete=models.CASCADE, related_name="library_entry"
    )
    terms = models.TextField()
    finished_at = models.DateTimeField(
        null=True, help_text="The summary's, when it was indexed: a later one means a re-run."
    )
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"library entry of summary {self.summary_id}"
