"""Writes: asking for a summary, and doing the work a summary row describes.

A Summary row is the ledger entry; the Celery task only says "run row N".
The same ``run_summary`` runs in a worker or in the calling process (the
``summarize`` command), so every step can be called and tested directly.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from waybrief import ledger
from waybrief.fetching import Fetcher, FetchError

from . import prompts, selectors
from .backends import BackendError, LLMBackend, get_backend
from .extract import extract
from .generate import generate
from .models import Document, Summary

log = logging.getLogger(__name__)
IN_PROGRESS = [Summary.State.PENDING, Summary.State.FETCHING, Summary.State.SUMMARIZING]
MAX_ATTEMPTS = 3


class InvalidRequest(ValueError):
    code = "invalid_request"


def normalize_options(mode: str, target_language: str) -> tuple[str, str]:
    mode = (mode or "summary").lower()
    if mode not in prompts.MODES:
        raise InvalidRequest(f"Unknown mode {mode!r}: use summary, takeaway or explain.")
    target = (target_language or "").upper()
    if target and target not in prompts.LANGUAGES:
        raise InvalidRequest(f"Unknown target language {target_language!r}.")
    return mode, target


def request_summary(
    *, url: str, mode: str = "summary", target_language: str = "", keep: bool = True,
    enqueue: bool = True, use_cache: bool = True,
) -> Summary:  # fmt: skip
    """A summary row for this request: a cached one at once, else a new pending one."""
    from waybrief.fetching.urls import check_url

    url = check_url(url)
    mode, target = normalize_options(mode, target_language)
    if existing := find_existing(url=url, mode=mode, target_language=target, use_cache=use_cache,
                                 keep=keep):  # fmt: skip
        return existing
    with transaction.atomic():
        summary = Summary.objects.create(
            url=url, mode=mode, target_language=target, keep=keep, use_cache=use_cache
        )
        if enqueue:
            from .tasks import summarize

            ledger.enqueue_on_commit(summarize, summary.pk)
    return summary


def find_existing(
    *, url: str, mode: str, target_language: str, use_cache: bool = True, keep: bool = True
) -> Summary | None:
    """A finished summary to reuse, or one in progress to join."""
    if not (use_cache and keep):
        return None
    options = {"url": url, "mode": mode, "target_language": target_language}
    return selectors.cached_for_url(**options) or selectors.in_flight_for_url(**options)


class _Feed:
    """Writes progress and the text so far to the row, a few times a second.

    The row is the token feed: the page polls or streams it, and it works
    the same on SQLite with the file broker as on PostgreSQL with Redis.
    """

    def __init__(self, summary_id: int, interval: float) -> None:
        self.summary_id = summary_id
        self.interval = interval
        self.last = 0.0

    def __call__(self, stage: str, partial: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        Summary.objects.filter(pk=self.summary_id).update(
            stage=stage, partial_output=partial, claimed_until=ledger.lease_deadline()
        )


def run_summary(
    *, summary_id: int, fetcher: Fetcher | None = None, backend: LLMBackend | None = None
) -> Summary:
    """Do the work of one summary row, if it is still to be done and nobody holds it."""
    if not ledger.claim(Summary, summary_id, states=IN_PROGRESS):
        return Summary.objects.get(pk=summary_id)
    summary = Summary.objects.get(pk=summary_id)
    if summary.attempts > MAX_ATTEMPTS:
        return _fail(summary, "gave_up", f"Gave up after {MAX_ATTEMPTS} attempts.")
    try:
        return _pipeline(summary, fetcher or Fetcher(), backend)
    except FetchError as exc:
        return _fail(summary, exc.code, str(exc))
    except BackendError as exc:
        return _fail(summary, exc.code, str(exc))
    except InvalidRequest as exc:
        return _fail(summary, exc.code, str(exc))
    except Exception:
        log.exception("summary %s failed", summary_id)
        _fail(summary, "internal_error", "Something went wrong while summarizing this page.")
        raise


def _pipeline(summary: Summary, fetcher: Fetcher, backend: LLMBackend | None) -> Summary:
    feed = _Feed(summary.pk, settings.SUMMARY_FEED_INTERVAL_SECONDS)
    timings: dict[str, float] = {}
    started = time.monotonic()
    _set_state(summary, Summary.State.FETCHING, stage="fetching")
    page = fetcher.fetch(summary.url)
    timings["fetch_ms"] = page.elapsed_ms
    mark = time.monotonic()
    extracted = extract(page)
    timings["extract_ms"] = (time.monotonic() - mark) * 1000
    if not extracted.text.strip():
        raise InvalidRequest("No readable text was found on that page.")
    document = _store_document(summary, page, extracted)
    mode = "explain" if extracted.kind == "code" and summary.mode == "summary" else summary.mode
    language = summary.target_language or prompts.language_code(extracted.language)
    backend = backend or get_backend()
    _set_state(summary, Summary.State.SUMMARIZING, stage="summarizing", mode=mode,
               language=language, model=backend.model_name, document=document,
               prompt_version=prompts.VERSION)  # fmt: skip
    content_hash = _hash(extracted.text)
    if summary.keep and summary.use_cache and (hit := selectors.cached_for_content(
        content_hash=content_hash, mode=mode, language=language, model=backend.model_name
    )):  # fmt: skip
        timings["total_ms"] = (time.monotonic() - started) * 1000
        return _finish(summary, output=hit.output, tokens_in=hit.tokens_in,
                       tokens_out=hit.tokens_out, parts=hit.parts, timings=timings,
                       cache_hit=True)  # fmt: skip
    job = prompts.Job(mode=mode, language=language, title=extracted.title,
                      kind=extracted.kind, code_language=extracted.code_language)  # fmt: skip
    result = generate(backend, job, extracted.text, max_output=settings.LLM_MAX_OUTPUT_TOKENS,
                      on_progress=feed)  # fmt: skip
    timings.update(llm_ms=result.llm_ms, first_token_ms=result.first_token_ms or 0.0)
    timings["total_ms"] = (time.monotonic() - started) * 1000
    return _finish(summary, output=result.output, tokens_in=result.tokens_in,
                   tokens_out=result.tokens_out, parts=result.parts, timings=timings)  # fmt: skip


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store_document(summary: Summary, page, extracted) -> Document | None:
    if not summary.keep:
        return None
    return Document.objects.create(
        url=summary.url, final_url=page.final_url, canonical_url=extracted.canonical_url[:4096],
        content_hash=_hash(extracted.text), title=extracted.title[:1000],
        language=extracted.language, kind=extracted.kind, code_language=extracted.code_language,
        encoding=page.encoding, extraction=extracted.method, text=extracted.text,
    )  # fmt: skip


def _set_state(summary: Summary, state: str, **fields) -> None:
    for name, value in {"state": state, **fields}.items():
        setattr(summary, name, value)
    Summary.objects.filter(pk=summary.pk).update(
        state=state, claimed_until=ledger.lease_deadline(), **fields
    )


def _finish(summary: Summary, **fields) -> Summary:
    fields.update(state=Summary.State.DONE, stage="done", partial_output="",
                  finished_at=timezone.now(), claimed_until=None)  # fmt: skip
    Summary.objects.filter(pk=summary.pk).update(**fields)
    summary.refresh_from_db()
    return summary


def _fail(summary: Summary, code: str, message: str) -> Summary:
    Summary.objects.filter(pk=summary.pk).update(
        state=Summary.State.FAILED, stage="failed", error_code=code, error_message=message,
        finished_at=timezone.now(), claimed_until=None,
    )  # fmt: skip
    summary.refresh_from_db()
    return summary


def _reconcile() -> int:
    from .tasks import summarize

    ids = list(ledger.due(Summary, states=IN_PROGRESS).values_list("pk", flat=True)[:200])
    for pk in ids:
        summarize.delay(pk)
    return len(ids)


ledger.register_reconciler("summaries", _reconcile)
