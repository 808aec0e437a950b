"""A user's library: every summary searchable, every site exportable."""

from __future__ import annotations

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class LibraryConfig(AppConfig):
    name = "library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from celery.signals import task_postrun
        from django.db.models.signals import post_save

        from summarizer.models import Summary

        post_save.connect(_summary_saved, sender=Summary, dispatch_uid="library.summary-saved")
        task_postrun.connect(_task_ran, weak=False, dispatch_uid="library.summary-task-ran")


def _summary_saved(*, instance, created: bool = False, **_signal: object) -> None:
    """A summary saved as done is indexed, one saved otherwise is dropped
    (most end by a lease's UPDATE instead: see ``library.indexing``)."""
    from .indexing import index_summary

    if instance.state == instance.State.DONE or not created:
        index_summary(instance)


def _task_ran(*, task=None, args=(), kwargs=None, retval=None, **_signal: object) -> None:
    """In the worker, right after a summarize task: index what it finished.
    Never raises: a summary is done whether or not the library heard of it
    (the next search catches up)."""
    from summarizer.services import SUMMARIZE_TASK

    if getattr(task, "name", None) != SUMMARIZE_TASK or retval != "done":
        return
    summary_id = (kwargs or {}).get("summary_id", args[0] if args else None)
    if summary_id is None:
        return
    from .indexing import index_summary_id

    try:
        index_summary_id(int(summary_id))
    except Exception:
        log.exception("library: indexing summary %s failed; a later search catches up", summary_id)
