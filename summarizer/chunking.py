"""Splitting a document that does not fit the model's context.

Prose splits on paragraphs, then sentences, then (for one enormous
sentence) on a hard token-sized cut; code splits before top-level
definitions. Pieces are then packed greedily up to the budget, so no text
is dropped and the parts stay in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Counter = Callable[[str], int]

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_TOP_LEVEL = re.compile(
    r"\n(?=(?:def |class |async def |function |export |const |let |var |func |fn |pub |impl |"
    r"struct |public |private |protected |static |package |#include|module |interface |type )"
    r"|\S+\s*\([^)]*\)\s*\{)"
)


def split(text: str, *, budget: int, count: Counter, code: bool = False) -> list[str]:
    if count(text) <= budget:
        return [text]
    pieces = _pieces(text, budget=budget, count=count, code=code)
    return _pack(pieces, budget=budget, count=count, joiner="\n" if code else "\n\n")


def _pieces(text: str, *, budget: int, count: Counter, code: bool) -> list[str]:
    first = _TOP_LEVEL.split(text) if code else re.split(r"\n\s*\n", text)
    out: list[str] = []
    for block in (b for b in first if b.strip()):
        if count(block) <= budget:
            out.append(block)
            continue
        splitter = (lambda b: b.split("\n")) if code else _SENTENCE_END.split
        for sentence in (s for s in splitter(block) if s.strip()):
            out.extend(
                [sentence] if count(sentence) <= budget else _hard_cut(sentence, budget, count)
            )
    return out


def _hard_cut(text: str, budget: int, count: Counter) -> list[str]:
    """Cut by characters, sized from this text's own characters-per-token."""
    tokens = max(count(text), 1)
    step = max(int(len(text) * budget / tokens * 0.9), 1)
    return [text[i : i + step] for i in range(0, len(text), step)]


def _pack(pieces: list[str], *, budget: int, count: Counter, joiner: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        size = count(piece) + 1
        if current and used + size > budget:
            parts.append(joiner.join(current))
            current, used = [], 0
        current.append(piece)
        used += size
    if current:
        parts.append(joiner.join(current))
    return parts
