"""The summarizer's tests: the bundled model (a global fixture), counted."""

from __future__ import annotations

import pytest


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
