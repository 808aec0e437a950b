"""Words for the search index, read the same way for a document and a query.

Neither PostgreSQL's parser nor SQLite's ``unicode61`` tokenizer splits
Chinese or Japanese, which are written without spaces: a post reads as one
long "word" and no search for a word inside it matches. So the text is cut
into terms here, once, for both databases: Latin-script words are folded
(NFKC, case, accents) and every run of CJK characters becomes its
overlapping bigrams, plus the run's last character alone (``保存網頁`` →
``保存 存網 網頁 頁``). A query of two or more CJK characters is then the
phrase of its bigrams, which matches exactly where the characters stand
together; a single character matches as the prefix of a term (the trailing
unigram lets the last character of a run match too). The database only
splits the result on spaces, so both backends index the same terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Han (with extensions and compatibility forms), kana, Hangul, CJK punctuation excluded.
_CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")

#: the first characters of a document's text put in the index; past this a
#: post has said what it is about, and PostgreSQL's tsvector is capped at 1 MB
MAX_INDEXED_CHARS = 200_000


@dataclass(frozen=True)
class QueryTerm:
    """One thing a query asks for: a folded word, or a run of CJK characters."""

    text: str
    cjk: bool

    @property
    def bigrams(self) -> list[str]:
        return [self.text[i : i + 2] for i in range(len(self.text) - 1)]


def _fold(word: str) -> str:
    """``Café`` and ``ＣＡＦＥ`` both as ``cafe``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _runs(text: str):
    for found in _TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        if found.group("cjk"):
            yield QueryTerm(found.group("cjk"), True)
        else:
            yield QueryTerm(_fold(found.group("word")), False)


def index_terms(*texts: str) -> str:
    """The space-separated terms of ``texts``, as the index stores them."""
    out: list[str] = []
    for text in texts:
        for run in _runs(text or ""):
            if run.cjk:
                out.extend(run.bigrams)
                out.append(run.text[-1])
            else:
                out.append(run.text)
    return " ".join(out)


def parse_query(query: str) -> list[QueryTerm]:
    """What a search box's words ask for, each term once, in order."""
    seen: dict[QueryTerm, None] = {}
    for run in _runs(query):
        seen.setdefault(run, None)
    return list(seen)


def snippet(text: str, terms: list[QueryTerm], *, width: int = 240) -> SafeString | None:
    """``width`` characters of ``text`` around its first match, HTML-escaped,
    each match in ``<mark>``; None when no term is found in it."""
    pattern = _highlight_pattern(terms)
    if pattern is None or not text:
        return None
    found = pattern.search(text)
    if found is None:
        return None
    start = max(0, found.start() - width // 3)
    end = min(len(text), start + width)
    window = text[start:end]
    pieces, last = [], 0
    for hit in pattern.finditer(window):
        pieces.append(escape(window[last : hit.start()]))
        pieces.append(f"<mark>{escape(hit.group())}</mark>")
        last = hit.end()
    pieces.append(escape(window[last:]))
    body = " ".join("".join(pieces).split())  # newlines and runs of spaces as one space
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))


def _highlight_pattern(terms: list[QueryTerm]) -> re.Pattern | None:
    """Words match whole (``art`` is not ``party``), CJK runs anywhere."""
    parts = [
        re.escape(t.text) if t.cjk else rf"(?<![^\W_]){re.escape(t.text)}(?![^\W_])"
        for t in sorted(terms, key=lambda t: -len(t.text))
    ]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None
