"""A user's library: every summary searchable, every site exportable."""

from __future__ import annotations

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from summarizer.models import Summary
        from summarizer.signals import summary_finished

        post_save.connect(_summary_saved, sender=Summary, dispatch_uid="library.summary-saved")
        summary_finished.connect(_summary_finished, dispatch_uid="library.summary-finished")


def _summary_saved(*, instance, created: bool = False, **_signal: object) -> None:
    """A summary saved as done is indexed, one saved otherwise is dropped
    (a run ends by its lease's UPDATE instead: ``summary_finished`` covers it)."""
    from .indexing import index_summary

    if instance.state == instance.State.DONE or not created:
        index_summary(instance)


def _summary_finished(*, summary, **_signal: object) -> None:
    """A run ended (in the worker, or wherever it ran): index it, or drop it if it
    failed. The summarizer sends this robustly, and a later search catches up on
    anything missed."""
    from .indexing import index_summary

    index_summary(summary)
