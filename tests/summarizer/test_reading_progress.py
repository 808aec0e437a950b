"""Prompt-reading progress: part k of n and tokens read of N, before the first
word, from the real model (the bundled SmolLM2, in process), on the row, in
the snapshot the page reads, and cleared at the first word."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from summarizer import prompts, services, streams
from summarizer.backends import Usage, bundled_model_path
from summarizer.backends.llama_cpp import PROMPT_STEP, LlamaCppBackend
from summarizer.generate import generate
from summarizer.models import Summary

DOCS = Path(__file__).resolve().parents[2] / "bench/quality/docs"
LONG = (DOCS / "en-canals-long.txt").read_text()  # ~1,200 tokens: parts at a 1k context
JOB = prompts.Job(mode="summary", language="EN", title="", kind="article")


@pytest.fixture(scope="module")
def small_model():
    """The bundled model at a 1k context, so a 5,650-character page takes parts."""
    backend = LlamaCppBackend(bundled_model_path(), n_ctx=1024)
    yield backend
    backend.llm.close()


class Stopped(Exception):
    pass


@pytest.mark.django_db
def test_the_snapshot_carries_reading_progress_only_while_the_prompt_is_read():
    summary = Summary.objects.create(url="https://example.org/long", state="summarizing")
    assert streams.snapshot(summary)["reading"] is None
    summary.reading = {"parts_done": 1, "parts": 3, "tokens_read": 512, "tokens_total": 1800}
    summary.save()
    summary.refresh_from_db()
    assert streams.snapshot(summary)["reading"] == {
        "parts_done": 1, "parts": 3, "tokens_read": 512, "tokens_total": 1800,
    }  # fmt: skip
    summary.partial_output = "The first words"  # writing now: reading is over
    assert streams.snapshot(summary)["reading"] is None
    summary.partial_output, summary.state = "", Summary.State.DONE
    assert streams.snapshot(summary)["reading"] is None


def test_a_long_page_reports_each_part_and_the_tokens_read_before_each_first_word(small_model):
    """GIVEN a page longer than the context WHEN it is summarized in parts
    THEN each part is announced in turn (then the notes), and within each call
    the tokens read rise in steps to the prompt's total, all before its first
    word; the system prompt the parts share is read once, not per part."""
    events: list[tuple] = []
    result = generate(
        small_model, JOB, LONG, max_output=48,
        on_reading=lambda stage, reading: events.append(("reading", stage, dict(reading))),
        on_progress=lambda stage, text: events.append(("text", stage, text)),
    )  # fmt: skip
    assert result.parts >= 2
    readings = [r for kind, _stage, r in events if kind == "reading"]
    announced = sorted({(r["parts_done"], r["parts"]) for r in readings})
    assert announced == [(k, result.parts) for k in range(result.parts + 1)]
    first_part = [r for r in readings if r["parts_done"] == 0 and r["tokens_total"]]
    reads = [r["tokens_read"] for r in first_part]
    assert reads == sorted(reads) and len(set(reads)) >= 3  # start, a step, the end
    assert reads[-1] == first_part[-1]["tokens_total"] > PROMPT_STEP
    # Per call (a stage), every reading comes before the first word is written.
    for stage in {stage for kind, stage, _ in events if kind == "reading"}:
        mine = [(kind, value) for kind, s, value in events if s == stage]
        first_word = next(i for i, (kind, value) in enumerate(mine) if kind == "text" and value)
        assert all(kind == "text" for kind, _ in mine[first_word:])
    assert result.cached_tokens > 0 and result.prompt_ms > 0 and result.write_ms > 0
    assert result.prompt_tokens_read + result.cached_tokens == result.tokens_in


def test_a_reader_that_stops_the_run_stops_the_read_at_once(small_model):
    """A lost lease (the row's feed raises) or the deadline stops a long read
    between two steps, instead of after the whole prompt."""
    small_model.llm.reset()

    def stop_after_first_step(stage: str, reading: dict) -> None:
        if reading["tokens_read"] > 0:
            raise Stopped

    with pytest.raises(Stopped):
        generate(small_model, JOB, LONG[:2500], max_output=48, on_reading=stop_after_first_step)
    assert small_model.llm.n_tokens == PROMPT_STEP  # one step read, no more


def test_a_prompt_read_again_reuses_the_cached_prefix(small_model):
    """The language retry asks again with the same document: only what
    follows the shared prefix is read. With reuse off, all of it is."""
    small_model.llm.reset()
    messages = prompts.document_messages(JOB, LONG[:1500])
    strict = prompts.document_messages(dataclasses.replace(JOB, strict=True), LONG[:1500])
    first, again = Usage(), Usage()
    list(small_model.stream_chat(messages, max_tokens=8, usage=first))
    list(small_model.stream_chat(strict, max_tokens=8, usage=again))
    assert first.cached_tokens == 0
    assert again.cached_tokens > 0.8 * again.prompt_tokens
    small_model.reuse_prefix = False
    try:
        cold = Usage()
        list(small_model.stream_chat(strict, max_tokens=8, usage=cold))
        assert cold.cached_tokens == 0 and cold.prompt_tokens == again.prompt_tokens
    finally:
        small_model.reuse_prefix = True


@pytest.mark.django_db
def test_the_row_shows_reading_until_the_first_word_and_the_timings_split(
    small_model, settings, monkeypatch
):
    """GIVEN a text summarized through the pipeline WHEN the model reads it
    THEN the row (and its snapshot) says how far, each write announced; the
    first word clears it; the timings split reading from writing."""
    settings.SUMMARY_FEED_INTERVAL_SECONDS = 0.0
    settings.LLM_MAX_OUTPUT_TOKENS = 32
    summary = services.request_text_summary(text=LONG[:1800], mode="summary")
    seen: list[dict] = []
    original = services._write

    def write_and_look(row, **fields):
        original(row, **fields)
        seen.append(streams.snapshot(Summary.objects.get(pk=row.pk)))

    monkeypatch.setattr(services, "_write", write_and_look)
    done = services.run_summary(summary_id=summary.pk, backend=small_model)
    assert done.state == Summary.State.DONE, done.error_message
    reading = [s["reading"] for s in seen if s["reading"]]
    assert reading and reading[0]["parts"] == 1 and reading[0]["parts_done"] == 0
    assert reading[-1]["tokens_read"] == reading[-1]["tokens_total"] > PROMPT_STEP
    assert any(0 < r["tokens_read"] < r["tokens_total"] for r in reading)
    first_word = next(i for i, s in enumerate(seen) if s["partial"])
    assert all(s["reading"] is None for s in seen[first_word:])
    assert done.reading is None
    assert done.timings["prompt_ms"] > 0 and done.timings["write_ms"] > 0
    assert done.timings["prompt_tokens_read"] + done.timings["cached_tokens"] == done.tokens_in
