"""A stand-in model that answers from a script, for what the real one cannot
be made to do on cue (answer in the wrong language, loop, ignore its cap).
It counts its tokenizer calls the way the ``openai`` backend pays for them."""

from __future__ import annotations

import re
from collections.abc import Callable

Answer = Callable[[list[dict[str, str]]], str]
_PIECE = re.compile(r"\S+\s*|\s+")


class ScriptedBackend:
    model_name = "scripted.gguf"

    def __init__(self, answer: Answer | list[str], *, context_length: int = 2048) -> None:
        self.answers = answer
        self.context_length = context_length
        self.prompts: list[list[dict[str, str]]] = []
        self.decodings: list = []
        self.max_tokens: list[int] = []
        self.count_calls = 0

    def count_tokens(self, text: str) -> int:
        self.count_calls += 1
        return len(text) // 4 + 1

    def stream_chat(self, messages, *, max_tokens, usage, decoding=None):
        self.prompts.append(messages)
        self.decodings.append(decoding)
        self.max_tokens.append(max_tokens)
        if callable(self.answers):
            text = self.answers(messages)
        else:
            text = self.answers[min(len(self.prompts), len(self.answers)) - 1]
        usage.prompt_tokens = sum(len(m["content"]) // 4 for m in messages)
        for written, piece in enumerate(_PIECE.findall(text), 1):
            if written > max_tokens:
                usage.extra["finish_reason"] = "length"
                return
            usage.completion_tokens = written
            yield piece


def looping(line: str) -> Answer:
    """A model stuck in a loop: the same line, far past any cap."""
    return lambda messages: (line + "\n") * 500


def user_text(messages: list[dict[str, str]]) -> str:
    return messages[-1]["content"]
