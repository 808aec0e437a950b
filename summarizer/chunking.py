"""Splitting a document that does not fit the model's context.

Prose splits on paragraphs (lines: trafilatura separates paragraphs with a
single newline), then sentences, then (for one enormous sentence) on a hard
cut; code splits before top-level definitions, then lines. Pieces are
spans of the original text, packed in order, so every part is a slice of
the text and nothing is dropped.

Counting tokens can be a network round trip (the ``openai`` backend), so
sizes are estimated from the whole text's tokens per character, and only
each packed part is counted exactly (and shrunk when it is over): a few
calls per part, not one per paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Counter = Callable[[str], int]
Span = tuple[int, int]

_LINE = re.compile(r"[^\n]*\S[^\n]*")
_SENTENCE = re.compile(r"[^.!?。！？]*(?:[.!?。！？]+[\"'”’」』)）]*\s*|$)")
_TOP_LEVEL = re.compile(
    r"\n(?=(?:def |class |async def |function |export |const |let |var |func |fn |pub |impl |"
    r"struct |public |private |protected |static |package |#include|module |interface |type )"
    r"|\S+\s*\([^)]*\)\s*\{)"
)
# Parts are packed to this share of the budget by estimate, then counted.
_FILL = 0.92


def split(text: str, *, budget: int, count: Counter, code: bool = False) -> list[str]:
    total = count(text)
    if total <= budget:
        return [text]
    per_char = total / max(len(text), 1)
    limit = max(int(budget * _FILL / per_char), 1)  # characters a piece may have
    spans = _pieces(text, limit=limit, code=code)
    return _pack(text, spans, budget=budget, per_char=per_char, count=count)


def _pieces(text: str, *, limit: int, code: bool) -> list[Span]:
    blocks = _code_blocks(text) if code else [m.span() for m in _LINE.finditer(text)]
    out: list[Span] = []
    for start, end in blocks:
        if end - start <= limit:
            out.append((start, end))
            continue
        inner = (
            [(start + m.start(), start + m.end()) for m in _LINE.finditer(text[start:end])]
            if code
            else [(start + m.start(), start + m.end())
                  for m in _SENTENCE.finditer(text, start, end) if m.end() > m.start()]
        )  # fmt: skip
        for s, e in inner:
            out.extend([(s, e)] if e - s <= limit else _hard_cut(s, e, limit))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _code_blocks(text: str) -> list[Span]:
    starts = [0] + [m.start() + 1 for m in _TOP_LEVEL.finditer(text)]
    return list(zip(starts, starts[1:] + [len(text)], strict=True))


def _hard_cut(start: int, end: int, limit: int) -> list[Span]:
    return [(i, min(i + limit, end)) for i in range(start, end, limit)]


def _pack(
    text: str, spans: list[Span], *, budget: int, per_char: float, count: Counter
) -> list[str]:
    parts: list[str] = []
    i = 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and (spans[j][1] - spans[i][0]) * per_char <= budget * _FILL:
            j += 1
        part = text[spans[i][0] : spans[j - 1][1]]
        size = count(part)
        while size > budget and j - i > 1:
            # Over by the count: shrink in proportion, then one piece at a time.
            keep = max(int((j - i) * budget / size * _FILL), 1)
            j = i + min(keep, j - i - 1)
            part = text[spans[i][0] : spans[j - 1][1]]
            size = count(part)
        if size > budget and len(part) > 1:  # one piece denser than the text around it
            spans[i : i + 1] = _hard_cut(*spans[i], max(int(len(part) * budget / size * _FILL), 1))
            continue
        parts.append(part.strip())
        i = j
    return parts
