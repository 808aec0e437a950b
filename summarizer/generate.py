"""Text → answer with the model: one prompt, or map-reduce when it is too long."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from waybrief.fetching.deadline import deadline_after

from . import chunking, prompts
from .backends import BackendError, GenerationTimeout, LLMBackend, Usage
from .postprocess import clean_output

Progress = Callable[[str, str], None]  # (stage, text written so far)
NOTE_TOKENS = 200
# Room for the chat template's own tokens, which count_tokens does not see.
TEMPLATE_MARGIN = 64


@dataclass
class Generation:
    output: str
    tokens_in: int = 0
    tokens_out: int = 0
    parts: int = 1
    first_token_ms: float | None = None
    llm_ms: float = 0.0


class _Run:
    """Token accounting across the several calls of one map-reduce."""

    def __init__(self, backend: LLMBackend, on_progress: Progress, deadline_seconds: float) -> None:
        self.backend = backend
        self.on_progress = on_progress
        self.result = Generation(output="")
        self.started = time.monotonic()
        self.deadline_seconds = deadline_seconds
        self.deadline = self.started + deadline_seconds

    def _timeout(self, pieces: list[str]) -> GenerationTimeout:
        return GenerationTimeout(
            f"The model took longer than {self.deadline_seconds:g} seconds "
            f"(LLM_DEADLINE_SECONDS) and was stopped after {self.result.tokens_out + len(pieces)} "
            "tokens.",
            partial="".join(pieces),
        )

    def call(self, messages: list[dict[str, str]], *, max_tokens: int, stage: str) -> str:
        usage = Usage()
        pieces: list[str] = []
        self.on_progress(stage, "")
        stream = self.backend.stream_chat(messages, max_tokens=max_tokens, usage=usage)
        try:
            for piece in stream:
                # A server may ignore max_tokens and stream without end; each piece is
                # at least one token, so a piece past the cap means hang up.
                if len(pieces) >= max_tokens:
                    usage.completion_tokens = len(pieces)
                    break
                if time.monotonic() >= self.deadline:
                    raise self._timeout(pieces)
                if self.result.first_token_ms is None:
                    self.result.first_token_ms = (time.monotonic() - self.started) * 1000
                pieces.append(piece)
                self.on_progress(stage, "".join(pieces))
        except GenerationTimeout:
            raise
        except BackendError:
            # A read cut short by the deadline (a server that stalls) is a timeout.
            if time.monotonic() >= self.deadline:
                raise self._timeout(pieces) from None
            raise
        finally:
            getattr(stream, "close", lambda: None)()  # hang up whatever ended the loop
        self.result.tokens_in += usage.prompt_tokens
        self.result.tokens_out += usage.completion_tokens
        return "".join(pieces)


def prompt_budget(backend: LLMBackend, job: prompts.Job, max_output: int) -> int:
    """Tokens of document text that fit beside the instructions and the answer."""
    overhead = sum(backend.count_tokens(m["content"]) for m in prompts.document_messages(job, ""))
    return backend.context_length - max_output - overhead - TEMPLATE_MARGIN


def generate(
    backend: LLMBackend,
    job: prompts.Job,
    text: str,
    *,
    max_output: int,
    deadline_seconds: float = float("inf"),
    on_progress: Progress = lambda stage, partial: None,
) -> Generation:
    """The answer, within ``max_output`` tokens and ``deadline_seconds`` for
    every model call together (``GenerationTimeout`` past it)."""
    with deadline_after(deadline_seconds):
        return _generate(backend, job, text, max_output=max_output,
                         run=_Run(backend, on_progress, deadline_seconds))  # fmt: skip


def _generate(
    backend: LLMBackend, job: prompts.Job, text: str, *, max_output: int, run: _Run
) -> Generation:
    max_output = min(max_output, backend.context_length // 4)
    budget = prompt_budget(backend, job, max(max_output, NOTE_TOKENS))
    if budget < 64:
        raise ValueError(f"the model's context ({backend.context_length} tokens) is too small")
    parts = chunking.split(text, budget=budget, count=backend.count_tokens, code=job.kind == "code")
    if len(parts) == 1:
        raw = run.call(prompts.document_messages(job, parts[0]), max_tokens=max_output,
                       stage="summarizing")  # fmt: skip
    else:
        notes = [
            clean_output(
                run.call(
                    prompts.part_messages(job, part, index, len(parts)),
                    max_tokens=NOTE_TOKENS,
                    stage=f"summarizing part {index} of {len(parts)}",
                ),
                mode="summary",
            )
            for index, part in enumerate(parts, 1)
        ]
        raw = _reduce(run, job, notes, budget=budget, max_output=max_output)
    run.result.output = clean_output(raw, mode=job.mode, title=job.title)
    run.result.parts = len(parts)
    run.result.llm_ms = (time.monotonic() - run.started) * 1000
    return run.result


def _reduce(run: _Run, job: prompts.Job, notes: list[str], *, budget: int, max_output: int) -> str:
    """Combine notes; if even the notes overflow, combine them in groups first."""
    count = run.backend.count_tokens
    while sum(count(n) for n in notes) > budget and len(notes) > 1:
        groups = chunking.split("\n\n".join(notes), budget=budget, count=count)
        if len(groups) >= len(notes):  # cannot shrink further by grouping
            break
        notes = [
            clean_output(
                run.call(
                    prompts.part_messages(job, group, i, len(groups)),
                    max_tokens=NOTE_TOKENS,
                    stage="combining notes",
                ),  # fmt: skip
                mode="summary",
            )
            for i, group in enumerate(groups, 1)
        ]
    return run.call(prompts.combine_messages(job, notes), max_tokens=max_output, stage="combining")
