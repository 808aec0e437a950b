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
from django.db import connection, transaction
from django.utils import timezone

from waybrief import doorbell, ledger, notify
from waybrief.fetching import Fetcher, FetchError

from . import archived, documents, prompts, selectors, warc_copy
from .backends import BackendError, GenerationTimeout, LLMBackend, get_backend
from .code import detect_code
from .extract import Extracted, extract
from .generate import generate
from .language import detect_language
from .models import Document, Summary
from .signals import summary_finished

log = logging.getLogger(__name__)
IN_PROGRESS = [Summary.State.PENDING, Summary.State.FETCHING, Summary.State.SUMMARIZING]
MAX_ATTEMPTS = 3
SUMMARIZE_TASK = "summarizer.summarize"
ARCHIVE = "archive"  # ``source``: read the latest capture instead of the live page
LOCAL = "local"  # ``source``: read the local WARC copy (waybrief/warc)
SOURCES = ("", "live", ARCHIVE, LOCAL)


class InvalidRequest(ValueError):
    code = "invalid_request"


class TooManyUnfinished(Exception):
    """The client already has as many unfinished summaries as it may start."""

    def __init__(self, unfinished: int) -> None:
        super().__init__(f"{unfinished} summaries from this client are not finished yet.")
        self.unfinished = unfinished


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
    enqueue: bool = True, use_cache: bool = True, source: str = "", client: str = "",
    client_limit: int = 0, owner=None,
) -> Summary:  # fmt: skip
    """A summary row for this request: a cached one at once, else a new pending one.

    ``source="archive"`` reads the page's latest capture; a cached summary
    of the live page does not answer such a request. With ``client`` (a hashed
    client key) and ``client_limit``, a new row is refused with
    ``TooManyUnfinished`` while that client has ``client_limit`` unfinished
    ones; a cached or running summary of the same request still answers.
    ``owner`` is the API user who asked (None: the anonymous web page); a
    request that keeps nothing or skips the cache makes a private row.
    """
    from waybrief.fetching.urls import check_url

    url = check_url(url)
    mode, target = normalize_options(mode, target_language)
    if source not in SOURCES:
        raise InvalidRequest(f"Unknown source {source!r}: use live, archive or local.")
    existing = find_existing(url=url, mode=mode, target_language=target, use_cache=use_cache,
                             keep=keep)  # fmt: skip
    if existing and (source not in (ARCHIVE, LOCAL) or existing.source == source):
        return existing
    with transaction.atomic():
        if client and client_limit > 0:
            _check_client_limit(client, client_limit)
        summary = Summary.objects.create(
            url=url, mode=mode, target_language=target, keep=keep, use_cache=use_cache,
            source=source if source in (ARCHIVE, LOCAL) else "", client_key=client, owner=owner,
            private=not (keep and use_cache),
        )  # fmt: skip
        if enqueue:
            doorbell.ring(SUMMARIZE_TASK, summary.pk)
    return summary


def _check_client_limit(client: str, limit: int) -> None:
    """Refuse a new row while ``client`` has ``limit`` unfinished ones.

    Called inside the transaction that creates the row. Parallel requests of
    one client take turns, so they cannot all pass the same count: on
    PostgreSQL through an advisory lock on the client held to the commit; on
    SQLite every writing transaction already takes the write lock first
    (``transaction_mode`` IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(client[:15], 16)])
    unfinished = Summary.objects.filter(client_key=client, state__in=IN_PROGRESS).count()
    if unfinished >= limit:
        raise TooManyUnfinished(unfinished)


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

    def __init__(self, summary: Summary, interval: float) -> None:
        self.summary = summary
        self.interval = interval
        self.last = 0.0
        self.reading_shown = False  # the row holds reading progress, to clear at the first word
        self.part: tuple[int, int] | None = None

    def __call__(self, stage: str, partial: str, *, force: bool = False) -> None:
        extra = {}
        if partial and self.reading_shown:
            force, extra, self.reading_shown = True, {"reading": None}, False
        if self._throttled(force):
            return
        _write(self.summary, stage=stage, partial_output=partial, **extra)

    def reading(self, stage: str, reading: dict) -> None:
        """How far the prompt is read: at the same bounded rate as the words,
        but at once when a new part starts (a few times per summary)."""
        part = (reading["parts_done"], reading["parts"])
        force, self.part = part != self.part, part
        if self._throttled(force):
            return
        self.reading_shown = True
        _write(self.summary, stage=stage, partial_output="", reading=reading)

    def _throttled(self, force: bool) -> bool:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            _lease(self.summary).check()  # a lost lease stops the model at once
            return True
        self.last = now
        return False


def run_summary(
    *, summary_id: int, fetcher: Fetcher | None = None, backend: LLMBackend | None = None
) -> Summary:
    """Do the work of one summary row, if it is still to be done and nobody holds it.

    The lease is renewed while the work runs (a long prompt sends nothing for
    minutes); if it is lost all the same, this run stops writing and leaves
    the row to the worker that holds it now.
    """
    lease = ledger.take(Summary, summary_id, states=IN_PROGRESS)
    if lease is None:
        return Summary.objects.get(pk=summary_id)
    summary = Summary.objects.get(pk=summary_id)
    summary.lease = lease
    try:
        with lease:
            return _run_claimed(summary, fetcher, backend)
    except ledger.LeaseLost:
        log.warning("summary %s: lease lost to another worker; this run stops", summary_id)
        return Summary.objects.get(pk=summary_id)


def _run_claimed(summary: Summary, fetcher: Fetcher | None, backend: LLMBackend | None):
    summary_id = summary.pk
    if summary.attempts > MAX_ATTEMPTS:
        return _fail(summary, "gave_up", f"Gave up after {MAX_ATTEMPTS} attempts.")
    try:
        return _pipeline(summary, fetcher or Fetcher(), backend)
    except FetchError as exc:
        return _fail(summary, exc.code, str(exc))
    except GenerationTimeout as exc:
        return _fail(summary, exc.code, str(exc), partial=exc.partial)
    except BackendError as exc:
        return _fail(summary, exc.code, str(exc))
    except InvalidRequest as exc:
        return _fail(summary, exc.code, str(exc))
    except ledger.LeaseLost:
        raise
    except Exception:
        log.exception("summary %s failed", summary_id)
        _fail(summary, "internal_error", "Something went wrong while summarizing this page.")
        raise


def _pipeline(summary: Summary, fetcher: Fetcher, backend: LLMBackend | None) -> Summary:
    feed = _Feed(summary, settings.SUMMARY_FEED_INTERVAL_SECONDS)
    timings: dict[str, float] = {}
    started = time.monotonic()
    extracted, document = _read_source(summary, fetcher, timings)
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
                      deadline_seconds=settings.LLM_DEADLINE_SECONDS, on_progress=feed,
                      max_input_chars=settings.SUMMARY_MAX_INPUT_CHARS,
                      on_reading=feed.reading)  # fmt: skip
    timings.update(llm_ms=result.llm_ms, first_token_ms=result.first_token_ms or 0.0,
                   prompt_ms=result.prompt_ms, write_ms=result.write_ms,
                   prompt_tokens_read=result.prompt_tokens_read,
                   cached_tokens=result.cached_tokens)  # fmt: skip
    timings["total_ms"] = (time.monotonic() - started) * 1000
    # The label is the language the answer is really in, never just the one asked for.
    return _finish(summary, output=result.output, tokens_in=result.tokens_in,
                   tokens_out=result.tokens_out, parts=result.parts, timings=timings,
                   language=result.language or language)  # fmt: skip


def _read_source(summary: Summary, fetcher: Fetcher, timings: dict) -> tuple:
    """The text to summarize: fetched and extracted, or given (API ``text``)."""
    if not summary.url and summary.document is not None:
        doc = summary.document
        return Extracted(title=doc.title, text=doc.text, language=doc.language, kind=doc.kind,
                         code_language=doc.code_language, method="given"), doc  # fmt: skip
    _set_state(summary, Summary.State.FETCHING, stage="fetching")
    page = _fetch(summary, fetcher)
    timings["fetch_ms"] = page.elapsed_ms
    mark = time.monotonic()
    extracted = extract(page)
    timings["extract_ms"] = (time.monotonic() - mark) * 1000
    if not extracted.text.strip():
        raise InvalidRequest("No readable text was found on that page.")
    return extracted, _store_document(summary, page, extracted)


def _fetch(summary: Summary, fetcher: Fetcher):
    """The live page, or its latest good capture when asked for (``source``
    "archive") or when the live page is gone, or its local WARC copy when
    asked for ("local") or when neither can be read; the row then says which."""
    if summary.source == LOCAL:
        return _local_copy(summary)
    if summary.source == ARCHIVE:
        page, snapshot = archived.read_capture(summary.url, fetcher)
    else:
        try:
            return fetcher.fetch(summary.url, documents=documents.TYPES,
                                 recorder=warc_copy.recorder_for(summary.url))
        except FetchError as exc:
            if not archived.is_gone(exc):
                raise
            log.info("%s is gone (%s); reading its archived copy", summary.url, exc)
            try:
                page, snapshot = archived.read_capture(summary.url, fetcher)
            except FetchError as archive_error:
                try:
                    return _local_copy(summary)
                except warc_copy.NotCopied:
                    pass
                if isinstance(archive_error, archived.NotArchived):
                    raise exc from None  # what the user needs to hear is that the page is gone
                raise
    _set_state(summary, Summary.State.FETCHING, capture_timestamp=snapshot.timestamp,
               capture_url=snapshot.wayback_url)  # fmt: skip
    return page


def _local_copy(summary: Summary):
    page, stamp = warc_copy.read_copy(summary.url)
    _set_state(summary, Summary.State.FETCHING, source=LOCAL, capture_timestamp=stamp)
    return page


def request_text_summary(
    *, text: str, mode: str = "summary", target_language: str = "", keep: bool = True,
    owner=None,
) -> Summary:  # fmt: skip
    """A summary of text given directly (the API's ``text``), for the workers.

    Always private: shown to ``owner`` (the API user) alone, never listed.

    The text is stored for the worker to read; with ``keep`` false the
    caller deletes it (``forget``) once the answer is delivered.
    """
    mode, target = normalize_options(mode, target_language)
    text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if not text.strip():
        raise InvalidRequest("The text is empty.")
    code_language = detect_code("", "text/plain", text)
    with transaction.atomic():
        document = Document.objects.create(
            url="", final_url="", content_hash=_hash(text), title=_first_line(text)[:1000],
            language=detect_language(text), kind="code" if code_language else "text",
            code_language=code_language, text=text, extraction="given",
        )  # fmt: skip
        summary = Summary.objects.create(url="", mode=mode, target_language=target, keep=keep,
                                         document=document, owner=owner, private=True)  # fmt: skip
        doorbell.ring(SUMMARIZE_TASK, summary.pk)
    return summary


def request_many(*, urls: list[str], mode: str, target_language: str, owner=None) -> list[Summary]:
    """Pending summaries for many URLs in one insert; the caller rings the workers."""
    mode, target = normalize_options(mode, target_language)
    rows = [Summary(url=url, mode=mode, target_language=target, owner=owner) for url in urls]
    return Summary.objects.bulk_create(rows, batch_size=1000)


def cancel_pending(summary_ids: list[int]) -> int:
    """Summaries no worker has started yet end as cancelled; the rest go on."""
    return Summary.objects.filter(pk__in=summary_ids, state=Summary.State.PENDING).update(
        state=Summary.State.FAILED, stage="cancelled", error_code="cancelled",
        error_message="Cancelled before it started.", finished_at=timezone.now(),
    )  # fmt: skip


def forget(summary: Summary) -> None:
    """Keep nothing of a ``cache=false`` request once it has been answered."""
    document = summary.document
    summary.delete()
    if document is not None:
        document.delete()


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store_document(summary: Summary, page, extracted) -> Document | None:
    if not summary.keep:
        return None
    return Document.objects.create(**_no_nul(dict(
        url=summary.url, final_url=page.final_url, canonical_url=extracted.canonical_url[:4096],
        content_hash=_hash(extracted.text), title=extracted.title[:1000],
        language=extracted.language, kind=extracted.kind, code_language=extracted.code_language,
        encoding=_encoding(page, extracted), extraction=extracted.method, text=extracted.text,
        pages_read=extracted.pages_read, pages_total=extracted.pages_total,
    )))  # fmt: skip


def _encoding(page, extracted) -> str:
    """A PDF or Word file has no charset, and guessing one over its bytes is slow."""
    return "" if extracted.method in documents.EXTRACTORS else page.encoding


def _set_state(summary: Summary, state: str, **fields) -> None:
    for name, value in {"state": state, **fields}.items():
        setattr(summary, name, value)
    _write(summary, state=state, **fields)


def _lease(summary: Summary) -> ledger.Lease:
    return summary.lease  # set by run_summary: the claim this run holds


def _write(summary: Summary, *, release: bool = False, **fields) -> None:
    """Every write of a run goes through its lease: once lost, nothing lands."""
    _lease(summary).write(release=release, **_no_nul(fields))
    notify.publish(f"summary:{summary.pk}")  # viewers read the row now (summarizer/streams.py)


def _no_nul(fields: dict) -> dict:
    """PostgreSQL text cannot hold NUL, and a page or a model may emit one:
    every fetched or generated string loses its NULs before it is written."""
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in fields.items()}


def _finish(summary: Summary, **fields) -> Summary:
    fields.update(state=Summary.State.DONE, stage="done", partial_output="", reading=None,
                  finished_at=timezone.now())  # fmt: skip
    _write(summary, release=True, **fields)
    summary.refresh_from_db()
    _announce(summary)
    return summary


def _announce(summary: Summary) -> None:
    """Tell listeners (the library's index); none of them can fail the summary."""
    for receiver, error in summary_finished.send_robust(sender=Summary, summary=summary):
        if isinstance(error, Exception):
            log.error("summary %s: %r failed on summary_finished: %r", summary.pk, receiver, error)


def _fail(summary: Summary, code: str, message: str, *, partial: str | None = None) -> Summary:
    """End the row failed; ``partial`` (what the model wrote before it was cut
    off) replaces the throttled token feed, so none of it is lost to the page."""
    extra = {} if partial is None else {"partial_output": partial}
    _write(summary, release=True, state=Summary.State.FAILED, stage="failed", error_code=code,
           error_message=message, finished_at=timezone.now(), reading=None, **extra)  # fmt: skip
    summary.refresh_from_db()
    _announce(summary)
    return summary
