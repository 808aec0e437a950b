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
# (stage, {"parts_done", "parts", "tokens_read", "tokens_total"}): while a prompt is
# read, before its first word. Called at every step the backend reports.
Reading = Callable[[str, dict], None]
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
    # Prompt reading (prefill) against writing, over every call: the bench's two speeds.
    prompt_ms: float = 0.0  # where the backend measures it (llama_cpp, llama-server)
    prompt_tokens_read: int = 0  # tokens read, not taken from the KV cache
    cached_tokens: int = 0  # prompt tokens the KV cache already held
    write_ms: float = 0.0  # first piece to last, over every call


@functools.cache
def _takes(stream_chat_type: type, name: str, option: str) -> bool:
    """Stand-in backends written to the older interface take no ``decoding``
    (nor ``on_prompt``)."""
    method = getattr(stream_chat_type, name, None)
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return option in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class _Run:
    """Token accounting across the several calls of one map-reduce."""

    def __init__(
        self, backend: LLMBackend, on_progress: Progress, deadline_seconds: float,
        on_reading: Reading | None = None,
    ) -> None:  # fmt: skip
        self.backend = backend
        self.on_progress = on_progress
        self.on_reading = on_reading
        self.parts_done = 0  # parts of the document whose notes are written
        self.parts = 1
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
        kind = type(self.backend)
        options: dict = {"decoding": decoding} if _takes(kind, "stream_chat", "decoding") else {}
        if self.on_reading is not None:
            self._reading(stage, 0, 0)
            if _takes(kind, "stream_chat", "on_prompt"):
                options["on_prompt"] = lambda read, total: self._reading(stage, read, total)
        stream = self.backend.stream_chat(messages, max_tokens=max_tokens, usage=usage, **options)
        first_piece: float | None = None
        try:
            for piece in stream:
                if first_piece is None:
                    first_piece = time.monotonic()
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
        if first_piece is not None:
            self.result.write_ms += (time.monotonic() - first_piece) * 1000
        self.result.prompt_ms += usage.prompt_ms
        self.result.cached_tokens += usage.cached_tokens
        self.result.prompt_tokens_read += max(usage.prompt_tokens - usage.cached_tokens, 0)
        self.result.tokens_in += usage.prompt_tokens
        self.result.tokens_out += usage.completion_tokens or len(pieces)
        return text

    def _reading(self, stage: str, read: int, total: int) -> None:
        """Tell the reader how far the prompt is read; stop at the deadline,
        which a long prompt could otherwise pass before its first word."""
        if time.monotonic() >= self.deadline:
            raise self._timeout([])
        assert self.on_reading is not None
        self.on_reading(stage, {"parts_done": self.parts_done, "parts": self.parts,
                                "tokens_read": read, "tokens_total": total})  # fmt: skip


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
    on_reading: Reading | None = None,
) -> Generation:
    """The answer, within ``max_output`` tokens and ``deadline_seconds`` for
    every model call together (``GenerationTimeout`` past it), from at most
    ``max_input_chars`` of the text. ``on_reading`` hears how far each prompt
    is read before its first word (part k of n, tokens read of N)."""
    with deadline_after(deadline_seconds):
        run = _Run(backend, on_progress, deadline_seconds, on_reading)
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


def plan_parts(
    backend: LLMBackend, job: prompts.Job, text: str, *, max_output: int
) -> tuple[list[str], int]:
    """The parts the text is read in, and the token budget of each: sized to
    the backend's context (for a tiny model, the smaller one its catalogue
    entry gives, see ``backends.get_backend``)."""
    budget = prompt_budget(backend, job, max(max_output, NOTE_TOKENS[1]))
    if budget < 64:
        raise ValueError(f"the model's context ({backend.context_length} tokens) is too small")
    parts = chunking.split(text, budget=budget, count=backend.count_tokens, code=job.kind == "code")
    return parts, budget


def _generate(
    backend: LLMBackend, job: prompts.Job, text: str, *, max_output: int, run: _Run,
    max_input_chars: int,
) -> Generation:  # fmt: skip
    text, run.result.input_cut = cap_input(text, max_input_chars)
    max_output = min(max_output, backend.context_length // 4)
    parts, budget = plan_parts(backend, job, text, max_output=max_output)
    run.result.parts = run.parts = len(parts)
    if len(parts) == 1:

        def messages(j: prompts.Job) -> list[dict[str, str]]:
            return prompts.document_messages(j, parts[0])
    else:
        notes = _notes(run, job, parts, budget=budget)
        notes = _reduce_notes(run, job, notes, budget=budget)
        run.parts_done = run.parts = len(parts)  # every part read: now the notes

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
        run.parts_done, run.parts = index - 1, len(parts)
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
