"""Bulk jobs: validate many URLs at once, create every row in bulk, ring once."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from archiver.services import (
    PROCESS_TASK,
    archive_urls,
    cancel_requested_by,
    why_not_archivable,
)
from summarizer import services as summaries
from waybrief.doorbell import ring_many
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import check_url

from .models import Job, JobItem

MAX_URLS = 10_000


@dataclass
class RejectedURLs(Exception):
    errors: list[dict] = field(default_factory=list)


def check_urls(
    urls: list[str], *, archive: bool = False
) -> tuple[list[tuple[int, str]], list[dict]]:
    """(index, url) of the good ones, and each bad one by index with its reason."""
    good, bad = [], []
    for index, url in enumerate(urls):
        try:
            checked = check_url(url)
            if archive and (why := why_not_archivable(checked)):
                raise InvalidURL(f"This address cannot be archived: {why}.")
            good.append((index, checked))
        except InvalidURL as exc:
            bad.append({"index": index, "url": str(url)[:300], "reason": str(exc)})
    return good, bad


def create_job(
    *, owner, urls: list[str], actions: list[str], summary_type: str = "summary",
    target_language: str = "", skip_invalid: bool = False, idempotency_key: str = "",
) -> tuple[Job, list[dict], bool]:  # fmt: skip
    """Returns (job, rejected URLs, created). A repeated idempotency key returns
    the first job unchanged, so a client may retry a POST safely."""
    if idempotency_key and (
        job := Job.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
    ):
        return job, [], False
    mode, language = summaries.normalize_options(summary_type, target_language)
    good, bad = check_urls(urls, archive="archive" in actions)
    if bad and not skip_invalid:
        raise RejectedURLs(bad)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                owner=owner, actions=actions, summary_type=mode,
                target_language=language, idempotency_key=idempotency_key,
            )  # fmt: skip
            _add_items(job, good, actions=actions, mode=mode, language=language)
    except IntegrityError:  # the same key raced us; answer with the winner
        return Job.objects.get(owner=owner, idempotency_key=idempotency_key), [], False
    return job, bad, True


def _add_items(job: Job, good: list[tuple[int, str]], *, actions, mode, language) -> None:
    wanted = [url for _index, url in good]
    items: list[JobItem] = []
    if "archive" in actions:
        captures = archive_urls(wanted, source=f"job {job.id}", enqueue=False)
        items += [JobItem(job=job, index=i, url=u, action="archive", capture=c)
                  for (i, u), c in zip(good, captures, strict=True)]  # fmt: skip
        ring_many(PROCESS_TASK, sorted({c.pk for c in captures if c.state == "pending"}))
    if "summarize" in actions:
        rows = summaries.request_many(urls=wanted, mode=mode, target_language=language,
                                      owner=job.owner)  # fmt: skip
        items += [JobItem(job=job, index=i, url=u, action="summarize", summary=s)
                  for (i, u), s in zip(good, rows, strict=True)]  # fmt: skip
        ring_many(summaries.SUMMARIZE_TASK, [s.pk for s in rows])
    JobItem.objects.bulk_create(items, batch_size=1000)


def progress(job: Job) -> dict:
    """Counts per action and per state, read from the rows doing the work."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for action, column in (("archive", "capture__state"), ("summarize", "summary__state")):
        rows = job.items.filter(action=action).values_list("cancelled", column)
        for cancelled, state in rows.iterator():
            counts[action]["cancelled" if cancelled else (state or "missing")] += 1
    final = {"archived", "skipped", "failed", "done", "cancelled", "missing"}
    open_items = sum(n for c in counts.values() for state, n in c.items() if state not in final)
    return {
        "total": sum(sum(c.values()) for c in counts.values()),
        "finished": open_items == 0,
        "actions": {action: dict(c) for action, c in counts.items()},
    }


def cancel(job: Job) -> int:
    """Stop what has not started: summaries no worker took, and pending
    captures that only this job asked for (a capture another request shares
    goes on, and this job stops counting it)."""
    with transaction.atomic():
        summary_ids = list(
            job.items.filter(action="summarize").values_list("summary_id", flat=True)
        )
        summaries.cancel_pending([pk for pk in summary_ids if pk])
        waiting = job.items.filter(action="archive", capture__state="pending")
        capture_ids = list(waiting.values_list("capture_id", flat=True))
        cancelled = waiting.update(cancelled=True)
        cancel_requested_by(capture_ids, source=f"job {job.id}")
        cancelled += job.items.filter(action="summarize", summary__stage="cancelled").update(
            cancelled=True
        )
        Job.objects.filter(pk=job.pk).update(cancelled_at=timezone.now())
    return cancelled
