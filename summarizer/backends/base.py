"""The one small interface every LLM backend offers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

# Called while the prompt is read, before the first word: (tokens read, tokens in
# the prompt). It may raise (a lost lease, the deadline) to stop the reading.
PromptProgress = Callable[[int, int], None]


@dataclass
class Usage:
    """Filled in while a generation streams; read once it is exhausted."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Of the prompt's tokens, those already in the model's KV cache (not read again).
    cached_tokens: int = 0
    prompt_ms: float = 0.0  # reading the prompt (prefill), where the backend can tell
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Decoding:
    """Sampling for one call; each mode has its own (``generate.DECODING``)."""

    temperature: float = 0.2
    top_p: float = 0.9
    repeat_penalty: float = 1.15
    seed: int = 42


class BackendError(Exception):
    """The model could not produce text (not loaded, server down, context overflow)."""

    code = "model_failed"


class GenerationTimeout(BackendError):
    """The generation ran past ``LLM_DEADLINE_SECONDS``; ``partial`` is what
    the call in progress had written, for the page to keep showing."""

    code = "model_timeout"

    def __init__(self, message: str, *, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


class LLMBackend(Protocol):
    #: names the model in cache keys and in what users see
    model_name: str
    #: tokens the model can attend to, prompt and answer together
    context_length: int

    def count_tokens(self, text: str) -> int: ...

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage,
        decoding: Decoding | None = None, on_prompt: PromptProgress | None = None,
    ) -> Iterator[str]:  # fmt: skip
        """Yield the answer's text piece by piece, filling ``usage`` as it goes;
        ``on_prompt`` hears how far the prompt is read, where the backend can tell."""
        ...
