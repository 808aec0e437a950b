"""Text → answer with the model: one prompt, or map-reduce when it is too long.

Around the model calls: each mode's decoding, a stop when the model starts
repeating itself, a cap on the text read (a 10 MB page costs seconds), and
a check that the answer is in the language asked, with one stricter retry;
when it still is not, ``Generation.language`` says what it really is.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass

from waybrief.fetching.deadline import deadline_after

from . import chunking, prompts
from .backends import BackendError, Decoding, GenerationTimeout, LLMBackend, Usage
from .language import detect_language
from .postprocess import clean_output, input_cut_notice, is_repeating, with_cut_notice

Progress = Callable[[str, str], None]  # (stage, text written so far)
# Notes of the map step: enough for 2-4 whole sentences, fewer when many parts share the reduce.
NOTE_TOKENS = (96, 256)
# Room for the chat template's own tokens, which count_tokens does not see.
TEMPLATE_MARGIN = 64
MAX_INPUT_CHARS = 200_000
# Shorter answers say too little to tell their language apart reliably.
MIN_LANGUAGE_CHARS = 24
# Sampling per mode, measured by bench/quality.py. Part of what a cached
# summary was written with: changing one means bumping prompts.VERSION
# (tests/summarizer/test_generate_decoding.py holds them together).
DECODING = {
    "summary": Decoding(temperature=0.2, top_p=0.9, repeat_penalty=1.15),
    "takeaway": Decoding(temperature=0.3, top_p=0.9, repeat_penalty=1.2),
    "explain": Decoding(temperature=0.1, top_p=0.9, repeat_penalty=1.1),
    "note": Decoding(temperature=0.1, top_p=0.9, repeat_penalty=1.15),
}


@dataclass
class Generation:
    output: str
    tokens_in: int = 0
    tokens_out: int = 0
    parts: int = 1
    first_token_ms: float | None = None
    llm_ms: float = 0.0
    language: str = ""  # the answer's language as detected (Kagi code): the row's label
    capped: bool = False  # the answer ran to its token cap (the output says so)
    input_cut: bool = False  # only the first MAX_INPUT_CHARS were read (the output says so)
    retried: bool = False  # the first answer was in the wrong language


@functools.cache
def _takes_decoding(stream_chat_type: type, name: str) -> bool:
    """Stand-in backends written to the older interface take no ``decoding``."""
    method = getattr(stream_chat_type, name, None)
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return "decoding" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class _Run:
    """Token accounting across the several calls of one map-reduce."""

    def __init__(self, backend: LLMBackend, on_progress: Progress, deadline_seconds: float) -> None:
        self.backend = backend
        self.on_progress = on_progress
        self.result = Generation(output="")
        self.started = time.monotonic()
        self.deadline_seconds = deadline_seconds
        self.deadline = self.started + deadline_seconds
        self.capped = False  # the last call ran to its cap

    def _timeout(self, pieces: list[str]) -> GenerationTimeout:
        return GenerationTimeout(
            f"The model took longer than {self.deadline_seconds:g} seconds "
            f"(LLM_DEADLINE_SECONDS) and was stopped after {self.result.tokens_out + len(pieces)} "
            "tokens.",
            partial="".join(pieces),
        )

    def call(
        self, messages: list[dict[str, str]], *, max_tokens: int, stage: str, decoding: Decoding
    ) -> str:
        usage = Usage()
        pieces: list[str] = []
        text = ""
        self.capped = False
        self.on_progress(stage, "")
        takes = _takes_decoding(type(self.backend), "stream_chat")
        options = {"decoding": decoding} if takes else {}
        stream = self.backend.stream_chat(messages, max_tokens=max_tokens, usage=usage, **options)
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
                text += piece
                self.on_progress(stage, text)
                if piece.strip(" ")[-1:] in _LOOP_MARKS and is_repeating(text):
                    break  # a loop: what follows would repeat it until the cap
            else:
                self.capped = len(pieces) >= max_tokens
        except GenerationTimeout:
            raise
        except BackendError:
            # A read cut short by the deadline (a server that stalls) is a timeout.
            if time.monotonic() >= self.deadline:
                raise self._timeout(pieces) from None
            raise
        finally:
            getattr(stream, "close", lambda: None)()  # hang up whatever ended the loop
        if len(pieces) >= max_tokens or usage.extra.get("finish_reason") == "length":
            self.capped = True
        self.result.tokens_in += usage.prompt_tokens
        self.result.tokens_out += usage.completion_tokens or len(pieces)
        return text


_LOOP_MARKS = set("\n.!?。！？")


def prompt_budget(backend: LLMBackend, job: prompts.Job, max_output: int) -> int:
    """Tokens of document text that fit beside the instructions and the answer
    (the stricter retry's instructions included)."""
    strict = dataclasses.replace(job, strict=True)
    messages = prompts.document_messages(strict, "")
    overhead = sum(backend.count_tokens(m["content"]) for m in messages)
    return backend.context_length - max_output - overhead - TEMPLATE_MARGIN


def generate(
    backend: LLMBackend,
    job: prompts.Job,
    text: str,
    *,
    max_output: int,
    deadline_seconds: float = float("inf"),
    on_progress: Progress = lambda stage, partial: None,
    max_input_chars: int = MAX_INPUT_CHARS,
) -> Generation:
    """The answer, within ``max_output`` tokens and ``deadline_seconds`` for
    every model call together (``GenerationTimeout`` past it), from at most
    ``max_input_chars`` of the text."""
    with deadline_after(deadline_seconds):
        run = _Run(backend, on_progress, deadline_seconds)
        return _generate(backend, job, text, max_output=max_output, run=run,
                         max_input_chars=max_input_chars)  # fmt: skip


def cap_input(text: str, max_chars: int) -> tuple[str, bool]:
    """The text up to ``max_chars``, ending at a paragraph or sentence where one is near."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    for mark in ("\n", "。", ". "):
        cut = head.rfind(mark)
        if cut >= max_chars * 0.9:
            return head[: cut + len(mark)].rstrip(), True
    return head, True


def _generate(
    backend: LLMBackend, job: prompts.Job, text: str, *, max_output: int, run: _Run,
    max_input_chars: int,
) -> Generation:  # fmt: skip
    text, run.result.input_cut = cap_input(text, max_input_chars)
    max_output = min(max_output, backend.context_length // 4)
    budget = prompt_budget(backend, job, max(max_output, NOTE_TOKENS[1]))
    if budget < 64:
        raise ValueError(f"the model's context ({backend.context_length} tokens) is too small")
    parts = chunking.split(text, budget=budget, count=backend.count_tokens, code=job.kind == "code")
    run.result.parts = len(parts)
    if len(parts) == 1:
        def messages(j: prompts.Job) -> list[dict[str, str]]:
            return prompts.document_messages(j, parts[0])
    else:
        notes = _notes(run, job, parts, budget=budget)
        notes = _reduce_notes(run, job, notes, budget=budget)

        def messages(j: prompts.Job) -> list[dict[str, str]]:
            return prompts.combine_messages(j, notes)

    output = _answer(run, job, messages, max_output=max_output)
    if run.result.input_cut:
        output = f"{output}\n\n{input_cut_notice(run.result.language, max_input_chars)}"
    run.result.output = output
    run.result.llm_ms = (time.monotonic() - run.started) * 1000
    return run.result


def answer_language(output: str) -> str:
    """The Kagi code of the language an answer is written in ('' when too short to tell)."""
    if len(output.strip()) < MIN_LANGUAGE_CHARS:
        return ""
    return prompts.language_code(detect_language(output))


def _answer(run: _Run, job: prompts.Job, messages, *, max_output: int) -> str:
    """The final call, checked for its language: one stricter retry, and then
    the label tells the truth."""
    decoding = DECODING.get(job.mode, DECODING["summary"])

    def attempt(j: prompts.Job, stage: str) -> tuple[str, bool]:
        raw = run.call(messages(j), max_tokens=max_output, stage=stage, decoding=decoding)
        # No cut notice yet: it is written in the answer's language, known below.
        return clean_output(raw, mode=j.mode, title=j.title, capped=run.capped,
                            notice=False), run.capped  # fmt: skip

    output, capped = attempt(job, "summarizing" if run.result.parts <= 1 else "combining")
    detected = answer_language(output)
    if detected and detected != job.language:
        run.result.retried = True
        strict = dataclasses.replace(job, strict=True)
        stage = f"rewriting in {prompts.language_name(job.language)}"
        second, second_capped = attempt(strict, stage)
        second_language = answer_language(second)
        if second_language in ("", job.language):
            output, capped, detected = second, second_capped, second_language
        # else: the first answer stands, labelled with the language it is in
    run.result.language = detected or job.language
    run.result.capped = capped
    return with_cut_notice(output, run.result.language) if capped and output else output


def _note_tokens(budget: int, parts: int) -> int:
    low, high = NOTE_TOKENS
    return max(low, min(high, budget // max(parts, 1)))


def _notes(run: _Run, job: prompts.Job, parts: list[str], *, budget: int) -> list[str]:
    """The map step: a note on each whole part, ending at a whole sentence."""
    tokens = _note_tokens(budget, len(parts))
    notes = []
    for index, part in enumerate(parts, 1):
        raw = run.call(prompts.part_messages(job, part, index, len(parts)), max_tokens=tokens,
                       stage=f"summarizing part {index} of {len(parts)}",
                       decoding=DECODING["note"])  # fmt: skip
        notes.append(clean_output(raw, mode="summary", capped=run.capped, notice=False))
    return [note for note in notes if note]


def _reduce_notes(run: _Run, job: prompts.Job, notes: list[str], *, budget: int) -> list[str]:
    """If even the notes overflow the prompt, note on groups of them first."""
    count = run.backend.count_tokens
    while len(notes) > 1 and count("\n\n".join(notes)) > budget:
        groups = chunking.split("\n".join(notes), budget=budget, count=count)
        if len(groups) >= len(notes):  # cannot shrink further by grouping
            break
        notes = _notes(run, job, groups, budget=budget)
    return notes
