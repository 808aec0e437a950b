"""Keeping the index in step with the summaries.

A summary ends through its lease's conditional UPDATE (``waybrief.ledger``),
which sends no ``post_save``, and the summarizer may not import the library.
So an entry is written from three places, all idempotent:

- ``summarizer.signals.summary_finished``, sent where the run ended (a worker,
  a command), done or failed (``library.apps``);
- ``post_save`` of a summary saved as done (a row made done at once);
- ``catch_up`` before each search and export, for anything the first two
  missed (a worker killed between finishing and indexing, rows written by
  another version), bounded so that no request pays for a backlog:
  ``manage.py reindex`` rebuilds the whole index.
"""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef, Q, QuerySet

from summarizer.models import Summary

from .models import Entry
from .text import MAX_INDEXED_CHARS, index_terms

log = logging.getLogger(__name__)

#: summaries a search indexes before it runs, at most (the rest: the next one)
CATCH_UP_BATCH = 200


def indexable() -> QuerySet[Summary]:
    """Finished summaries whose text is kept: a ``keep=False`` one is deleted
    once answered, and must leave no trace in the library either."""
    return Summary.objects.filter(state=Summary.State.DONE, keep=True)


def index_summary(summary: Summary) -> Entry | None:
    """Write (or rewrite) the entry of ``summary``; drop it if it is no longer
    one to list. None when there is nothing to index."""
    if summary.state != Summary.State.DONE or not summary.keep:
        Entry.objects.filter(summary_id=summary.pk).delete()
        return None
    document = summary.document
    terms = index_terms(
        document.title if document else "",
        summary.output,
        document.text[:MAX_INDEXED_CHARS] if document else "",
    )
    entry, _ = Entry.objects.update_or_create(
        summary_id=summary.pk, defaults={"terms": terms, "finished_at": summary.finished_at}
    )
    return entry


def index_summary_id(summary_id: int) -> Entry | None:
    summary = Summary.objects.select_related("document").filter(pk=summary_id).first()
    if summary is None:
        return None
    return index_summary(summary)


def pending() -> QuerySet[Summary]:
    """Done summaries with no entry, or an entry from before a re-run."""
    current = Entry.objects.filter(summary_id=OuterRef("pk")).filter(
        Q(finished_at=OuterRef("finished_at"))
        | Q(finished_at__isnull=True, summary__finished_at__isnull=True)
    )
    return indexable().filter(~Exists(current))


def catch_up(limit: int = CATCH_UP_BATCH) -> int:
    """Index up to ``limit`` summaries the signals missed; how many it did."""
    done = 0
    for summary in pending().select_related("document").order_by("pk")[:limit]:
        index_summary(summary)
        done += 1
    if done:
        log.info("library: indexed %d summaries that finished unseen", done)
    return done


def rebuild(*, batch: int = 500) -> int:
    """Every entry written again from its summary; stale ones removed."""
    Entry.objects.exclude(summary__in=indexable()).delete()
    count = 0
    for summary in indexable().select_related("document").order_by("pk").iterator(batch):
        index_summary(summary)
        count += 1
    return count
