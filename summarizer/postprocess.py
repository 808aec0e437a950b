"""Model output cleaned of what readers should never see.

Small models wrap lines, repeat themselves, leak their chat template, rewrite
code they were asked to explain and stop mid-word at the token cap. What is
left for the reader is the content, once, ending at a whole sentence, with a
notice when the cap cut it short.
"""

from __future__ import annotations

import re

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_TEMPLATE = re.compile(
    r"<\|im_(?:start|end)\|>(?:assistant|user|system)?|<<SYS>>|<</SYS>>|\[/?INST\]"
    r"|<\|(?:eot_id|start_header_id|end_header_id|endoftext)\|>|</?s>"
)
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|okay|ok|of course)[,.!]?\s*)?"
    r"(?:(?:here(?:'s| is| are)|below is|the following is)\b[^\n:]{0,120}:\s*"
    r"|(?:\*\*)?(?:summary|key points|takeaways?|explanation)(?:\*\*)?\s*:(?:\*\*)?\s*)",
    re.IGNORECASE,
)
# Our own instructions, echoed back (prompts.py writes them): a whole line...
_ECHO = re.compile(
    r"^\s*(?:write your answer in \w+|use \w+ only|請用繁體中文回答|请用简体中文回答"
    r"|日本語で答えてください)[.。]?\s*$",
    re.IGNORECASE,
)
# ... or a sentence that restates the task instead of the text.
_ECHOED_TASK = re.compile(
    r"the text above|consecutive parts of one document|\bpart \d+ of (?:\d+|a longer)"
    r"|notes on the \d+|use only facts from|in (?:traditional |simplified )?\w+,? write \d"
    r"|^\s*-?\s*part (?:\d+|[ivx]+)\s*:\s*$",
    re.IGNORECASE,
)
_TITLE_LABEL = re.compile(r"^\s*(?:\*\*)?title(?:\*\*)?\s*:\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_FENCE = re.compile(r"```[^\n]*\n.*?(?:```|$)", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?。！？](?:[\"'”’」』)）*]*)(?=\s|$)|[。！？]")
_ENDED = re.compile(r"[.!?。！？][\"'”’」』)）*]*$")
_SENTENCE = re.compile(r"[^.!?。！？]*(?:[.!?。！？][\"'”’」』)）]*|$)")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")  # with CJK punctuation

CUT_NOTICE = {
    "EN": "[cut off at the length limit]",
    "ZH-HANT": "（已截斷：到達長度上限）",
    "ZH": "（已截断：达到长度上限）",
    "JA": "（途中で長さの上限に達しました）",
}
INPUT_CUT_NOTICE = {
    "EN": "[Only the first {chars:,} characters of a longer text were summarized.]",
    "ZH-HANT": "（全文較長，只摘要了前 {chars:,} 個字元。）",
    "ZH": "（全文较长，只摘要了前 {chars:,} 个字符。）",
    "JA": "（長い文章のため、最初の {chars:,} 文字だけを要約しました。）",
}


def cut_notice(language: str) -> str:
    return CUT_NOTICE.get(language.upper(), CUT_NOTICE["EN"])


def input_cut_notice(language: str, chars: int) -> str:
    return INPUT_CUT_NOTICE.get(language.upper(), INPUT_CUT_NOTICE["EN"]).format(chars=chars)


def clean_output(
    text: str, *, mode: str, title: str = "", capped: bool = False, language: str = "EN",
    notice: bool = True,
) -> str:  # fmt: skip
    """The answer as readers see it. ``capped``: the model ran to its token
    cap, so the text ends at its last whole sentence and (``notice``) says so."""
    text = _TEMPLATE.sub("", _THINK.sub("", text))
    previous = None
    while previous != text:  # "Sure! Here is the summary: Summary: …"
        previous, text = text, _PREAMBLE.sub("", text, count=1)
    text = _drop_echoed_title(text.strip(), title)
    text = _drop_code(text, keep_if_only=mode != "explain")
    lines = [_drop_echoed_task(line.rstrip()) for line in text.splitlines()
             if not _ECHO.match(line)]  # fmt: skip
    if mode == "takeaway":
        items = _dedupe(_bullets(lines))
        if capped and len(items) > 1 and not _ends_sentence(items[-1]):
            items.pop()  # a bullet cut mid-sentence says nothing whole
        elif capped and items:
            items[-1] = _whole_sentences(items[-1])
        text = "\n".join(f"- {item}" for item in items)
    else:
        text = _paragraphs(lines, one=mode == "summary")
        text = _dedupe_sentences(text)
        if capped:
            text = _whole_sentences(text)
        elif not _ends_sentence(text) and list(_SENTENCE_END.finditer(text)):
            # A model that stopped by itself mid-sentence: its last whole one ends it.
            text = _whole_sentences(text)
    if capped and notice and text:
        text = with_cut_notice(text, language)
    return text.strip()


def with_cut_notice(text: str, language: str) -> str:
    """The text, saying that the token cap cut it short."""
    return _join(text.strip(), cut_notice(language))


def is_repeating(text: str) -> bool:
    """The text just finished a line or sentence it had already written:
    the sign of a small model's loop, on which generation stops."""
    body = text.rstrip(" ")
    if body.endswith("\n"):
        lines = [_key(line) for line in body.splitlines() if _key(line)]
        if len(lines) > 1 and len(lines[-1]) >= 8 and lines[-1] in lines[:-1]:
            return True
    sentences = [_key(s) for s in _SENTENCE.findall(body) if _key(s)]
    if body and _ends_sentence(body) and len(sentences) > 1:
        last = sentences[-1]
        return len(last) >= 12 and last in sentences[:-1]
    return False


def _drop_echoed_task(line: str) -> str:
    """The line without its sentences that restate our instructions."""
    if not _ECHOED_TASK.search(line):
        return line
    marker = m.group(0) if (m := _BULLET.match(line)) else ""
    kept = [s for s in _SENTENCE.findall(line[len(marker):]) if not _ECHOED_TASK.search(s)]
    rest = "".join(kept).strip()
    return f"{marker}{rest}" if rest else ""


def _key(piece: str) -> str:
    return _BULLET.sub("", piece).strip(" \t*#").casefold()


def _drop_echoed_title(text: str, title: str) -> str:
    """Small models often repeat the page title (or our "Title:" line) first; readers have it."""
    text = _TITLE_LABEL.sub("", text, count=1)
    first, _, rest = text.partition("\n")
    if title and rest and first.strip(" #*").casefold() == title.strip().casefold():
        return rest.strip()
    if title and text.casefold().startswith(title.strip().casefold()) and _CJK.match(title[-1:]):
        return text[len(title.strip()) :].strip()  # CJK: the title runs into the text
    return text


def _drop_code(text: str, *, keep_if_only: bool) -> str:
    """Fenced code is a rewritten program, not a summary or an explanation:
    dropped where prose remains (its lines kept, unfenced, where it is all)."""
    prose = _FENCE.sub("", text).strip()
    if prose:
        return prose
    if keep_if_only:
        return re.sub(r"^```[^\n]*$", "", text, flags=re.MULTILINE).strip()
    return ""


def _bullets(lines: list[str]) -> list[str]:
    """A bullet starts at a marker; unmarked lines continue it (small models
    wrap lines). With no markers at all, each line, or each sentence of a
    single paragraph, is a point."""
    marked = [line for line in lines if _BULLET.match(line)]
    if not marked:
        plain = [line.strip() for line in lines if line.strip()]
        if len(plain) == 1:
            plain = [s.strip() for s in _SENTENCE.findall(plain[0]) if s.strip()]
        return [p for p in plain if not p.endswith(":")]
    items: list[str] = []
    for line in lines:
        if _BULLET.match(line):
            items.append(_BULLET.sub("", line).strip())
        elif line.strip() and items:
            items[-1] = _join(items[-1], line.strip())
        # unmarked lines before the first bullet are a heading or a preamble
    return [item for item in items if item]


def _paragraphs(lines: list[str], *, one: bool) -> str:
    """Prose; bullets become sentences. ``one``: a single paragraph, as Kagi
    writes a summary."""
    out: list[str] = []
    for raw in lines:
        line = _BULLET.sub("", raw).strip()
        if not line:
            out.append("")
            continue
        if _BULLET.match(raw) and not _ends_sentence(line) and not line.endswith(":"):
            line += "。" if _CJK.search(line[-1:]) else "."
        if out and out[-1]:
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
    paragraphs = [p for p in out if p]
    return _join_all(paragraphs) if one else "\n\n".join(paragraphs)


def _join(a: str, b: str) -> str:
    """Two pieces of one sentence or paragraph: no space between CJK characters."""
    return a + b if _CJK.match(b[:1]) and _CJK.match(a[-1:]) else f"{a} {b}"


def _join_all(pieces: list[str]) -> str:
    text = ""
    for piece in pieces:
        text = _join(text, piece) if text else piece
    return text


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out


def _dedupe_sentences(text: str) -> str:
    """Each sentence once; a small model in a loop says the same one again."""
    seen: set[str] = set()
    out = []
    for paragraph in text.split("\n\n"):
        kept = []
        for sentence in _SENTENCE.findall(paragraph):
            key = _key(sentence)
            if not key:
                continue
            if len(key) >= 12 and key in seen:
                continue
            seen.add(key)
            kept.append(sentence.strip())
        if kept:
            out.append(_join_all(kept))
    return "\n\n".join(out)


def _ends_sentence(text: str) -> bool:
    return bool(_ENDED.search(text.rstrip()))


def _whole_sentences(text: str) -> str:
    """Up to the last sentence end, or the text with an ellipsis when it is
    one unfinished sentence."""
    text = text.rstrip()
    if _ends_sentence(text):
        return text
    ends = list(_SENTENCE_END.finditer(text))
    if ends:
        return text[: ends[-1].end()].rstrip()
    return text.rstrip(" ,;:、，") + "…"
