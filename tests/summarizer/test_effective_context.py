"""A tiny model reads long pages in parts sized to the smaller context its
catalogue entry gives (the 135M demonstration model loses the thread past
about 2k tokens), and a real model to its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import catalogue, prompts
from summarizer.backends import bundled_model_path, get_backend
from summarizer.backends.llama_cpp import LlamaCppBackend
from summarizer.backends.openai import OpenAIBackend
from summarizer.generate import plan_parts, prompt_budget
from tests.support.fake_model import FakeModel

DOCS = Path(__file__).resolve().parents[2] / "bench/quality/docs"
# Two long articles one after the other: about 2,400 tokens.
TEXT = "\n".join((DOCS / name).read_text() for name in ("en-canals-long.txt", "en-canals-long.txt"))
JOB = prompts.Job(mode="summary", language="EN", title="Canals", kind="article")


@pytest.fixture
def configured(settings):
    """``get_backend`` as configured here, loaded afresh and closed after."""
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH, settings.LLM_CATALOGUE_ENTRY = (
        "llama_cpp", "", "",
    )  # fmt: skip
    settings.LLM_CONTEXT = 0
    get_backend.cache_clear()
    yield get_backend
    backend = get_backend()
    get_backend.cache_clear()
    if isinstance(backend, LlamaCppBackend):
        backend.llm.close()


def test_the_demonstration_model_is_read_in_parts_of_its_smaller_context(configured):
    """GIVEN the bundled model with nothing configured WHEN a 2,400-token page is planned
    THEN it loads at the 2k its entry gives, not its trained 8k, and the page is split
    into parts that each fit that budget; at the full 8k the same page is one part."""
    backend = configured()
    assert backend.context_length == catalogue.DEMO.effective_context == 2048
    parts, budget = plan_parts(backend, JOB, TEXT, max_output=512)
    assert budget == prompt_budget(backend, JOB, 512) < 2048 - 512
    assert len(parts) >= 2
    assert all(backend.count_tokens(part) <= budget for part in parts)
    full = LlamaCppBackend(bundled_model_path(), n_ctx=catalogue.DEMO.context)
    try:
        assert plan_parts(full, JOB, TEXT, max_output=512)[0] == [TEXT]
    finally:
        full.llm.close()


def test_an_explicit_llm_context_is_used_as_it_is(configured, settings):
    settings.LLM_CONTEXT = 4096
    assert configured().context_length == 4096


def test_a_server_serving_the_demonstration_model_is_planned_at_its_smaller_context(settings):
    """llama-server (its stand-in) reports 4k per slot; serving the bundled model
    under its alias, the pipeline plans with 2k; under another name, with the 4k."""
    server = FakeModel().start()
    try:
        settings.LLM_BACKEND, settings.LLM_CONTEXT, settings.LLM_CATALOGUE_ENTRY = "openai", 0, ""
        settings.LLM_OPENAI_BASE_URL = server.base_url
        for name, context in (("smollm2", 2048), ("qwen2.5-7b", 4096)):
            settings.LLM_OPENAI_MODEL = name
            get_backend.cache_clear()
            backend = get_backend()
            assert isinstance(backend, OpenAIBackend) and backend.context_length == context
    finally:
        get_backend.cache_clear()
        server.stop()
