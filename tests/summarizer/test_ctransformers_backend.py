"""The ctransformers backend on a legacy GGML file (GPT-2 layout) the test writes itself.

The weights are random, so the words are noise; what is proved is the
plumbing: the file loads where llama.cpp refuses it, tokens are counted by
the model's own tokenizer, the answer streams piece by piece within its cap,
and a whole summary runs through it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import services
from summarizer.backends import BackendError, Usage, get_backend
from summarizer.backends.ctransformers import CTransformersBackend
from summarizer.backends.llama_cpp import LlamaCppBackend
from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.ggml import write_gpt2
from tests.support.http import Reply


@pytest.fixture(scope="module")
def ggml_file(tmp_path_factory) -> Path:
    return write_gpt2(tmp_path_factory.mktemp("ggml") / "tiny-gpt2.ggml.bin")


@pytest.fixture(scope="module")
def backend(ggml_file) -> CTransformersBackend:
    return CTransformersBackend(str(ggml_file), model_type="gpt2")


def test_it_loads_a_legacy_ggml_file_that_llama_cpp_refuses(ggml_file, backend):
    assert (backend.model_name, backend.context_length) == ("tiny-gpt2.ggml.bin", 1024)
    with pytest.raises(BackendError, match="could not be loaded"):
        LlamaCppBackend(str(ggml_file))


def test_it_counts_tokens_with_the_models_own_tokenizer(backend):
    # The vocabulary holds " blog" and " post" as tokens, and single characters.
    assert backend.count_tokens(" blog post") == 2
    assert backend.count_tokens("xyz") == 3


def test_it_streams_pieces_within_the_cap_and_counts_usage(backend):
    usage = Usage()
    messages = [{"role": "system", "content": "Summarize."}, {"role": "user", "content": "page"}]
    pieces = list(backend.stream_chat(messages, max_tokens=12, usage=usage))
    assert 0 < len(pieces) <= 12 and all(isinstance(p, str) for p in pieces)
    assert usage.completion_tokens == len(pieces)
    assert usage.prompt_tokens == backend.count_tokens(
        "### System:\nSummarize.\n\n### User:\npage\n\n### Assistant:\n"
    )


def test_a_missing_file_is_a_clear_error_and_never_a_download(tmp_path):
    """ctransformers reads any name that is not a file as a Hugging Face repo id."""
    with pytest.raises(BackendError, match="No model file at .*LLM_MODEL_PATH"):
        CTransformersBackend(str(tmp_path / "TheBloke/gpt2-GGML"), model_type="gpt2")


@pytest.mark.django_db
def test_a_whole_summary_runs_through_it_when_settings_choose_it(
    settings, ggml_file, site, loopback_fetcher
):
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH = "ctransformers", str(ggml_file)
    settings.LLM_MODEL_TYPE, settings.LLM_MAX_OUTPUT_TOKENS = "gpt2", 24
    get_backend.cache_clear()
    try:
        url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
        summary = services.request_summary(url=url, enqueue=False)
        summary = services.run_summary(summary_id=summary.pk, fetcher=loopback_fetcher)
    finally:
        get_backend.cache_clear()
    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.model == "tiny-gpt2.ggml.bin"
    assert 0 < summary.tokens_out <= 24 and summary.tokens_in > 100
    assert summary.output.strip()
