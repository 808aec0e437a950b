from __future__ import annotations

import pytest

from waybrief.fetching import Fetcher


@pytest.fixture
def loopback_fetcher() -> Fetcher:
    """Fixtures live on loopback, so tests allow it; the guard tests do not."""
    return Fetcher(allow_private=True, timeout=10)


@pytest.fixture(scope="session")
def model():
    """The bundled SmolLM2 GGUF, loaded once for the whole session."""
    from summarizer.backends import bundled_model_path
    from summarizer.backends.llama_cpp import LlamaCppBackend

    backend = LlamaCppBackend(bundled_model_path(), n_ctx=4096)
    yield backend
    backend.llm.close()  # now, not in __del__ at interpreter exit


class CountingBackend:
    """The real model, with a count of how often it was asked to generate."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls = 0
        self.model_name = inner.model_name
        self.context_length = inner.context_length

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream_chat(self, messages, *, max_tokens, usage):
        self.calls += 1
        yield from self.inner.stream_chat(messages, max_tokens=max_tokens, usage=usage)


@pytest.fixture
def counting_model(model) -> CountingBackend:
    return CountingBackend(model)
