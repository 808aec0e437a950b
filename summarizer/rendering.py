"""Model output as HTML: Markdown with raw HTML off, code highlighted, sanitized.

The model's text is untrusted (it may repeat a hostile page), so three walls
stand between it and the page: markdown-it-py renders with ``html`` off (a
``<script>`` in the text stays text), its link check drops ``javascript:``
and ``data:`` targets, and nh3 (Ammonia) keeps only the tags, attributes,
classes and URL schemes listed here. Pygments colours fenced code with
classes (no inline styles: the page's CSP allows none); site.css colours them
for light and dark.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.formats import number_format
from django.utils.translation import get_language_info, gettext, gettext_lazy
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from . import catalogue, prompts

CODE_CLASS_PREFIX = "hl-"  # Pygments' short token names, prefixed: site.css styles them
MAX_HIGHLIGHT_CHARS = 100_000  # a longer block is shown plain: highlighting it costs seconds

TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "span", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}  # no style: the CSP allows none
CLASSES = {"span": {CODE_CLASS_PREFIX + name for name in STANDARD_TYPES.values() if name}}
_BULLET = re.compile(r"^\s*(?:(?:[-*+•·]|\d+[.)])\s+)+")  # "- ", "• ", "3. ", "- 3. "


def _highlight(code: str, language: str, _attributes: str) -> str:
    """A fenced block's code as Pygments' spans; "" (markdown-it escapes it) when
    the language is unknown or the block too long to colour quickly."""
    if not language or len(code) > MAX_HIGHLIGHT_CHARS:
        return ""
    try:
        lexer = get_lexer_by_name(language.strip().lower())
    except ClassNotFound:
        return ""
    formatter = HtmlFormatter(nowrap=True, classprefix=CODE_CLASS_PREFIX)
    return highlight(code, lexer, formatter)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "highlight": _highlight})
    return parser.enable(["table", "strikethrough"])


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
    )  # fmt: skip


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as sanitized HTML, safe to put in a page as it is."""
    if not text or not text.strip():
        return ""
    return _cleaner().clean(_markdown().render(text))


def as_markdown(text: str, mode: str) -> str:
    """The output in Markdown: a takeaway is a list, one point a line, whether
    or not the model marked each line (a small model often does not)."""
    if mode != "takeaway":
        return text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(f"- {_BULLET.sub('', line)}" for line in lines)


def summary_html(text: str, mode: str = "summary") -> str:
    """A summary's text (finished or as far as it got) as the page shows it."""
    return markdown_html(as_markdown(text, mode))


# --- labels: the summarizer's words, in the reader's language --------------

MODE_LABELS = {
    "summary": gettext_lazy("Summary"),
    "takeaway": gettext_lazy("Key points"),
    "explain": gettext_lazy("Explain code"),
}
# Kagi's language codes (prompts.LANGUAGES) that Django names differently.
_DJANGO_LANGUAGE = {"ZH": "zh-hans", "ZH-HANT": "zh-hant"}
_PART = re.compile(r"^summarizing part (\d+) of (\d+)$")


def mode_label(mode: str) -> str:
    return str(MODE_LABELS.get(mode, mode))


def language_label(code: str) -> str:
    """A summary language's name in the active interface language (Django's own
    translated names), else its English name from prompts.LANGUAGES."""
    try:
        return str(get_language_info(_DJANGO_LANGUAGE.get(code, code.lower()))["name_translated"])
    except KeyError:
        return prompts.language_name(code) if code else ""


def stage_texts() -> dict:
    """What summary.js says while a summary is written, translated: the worker's
    stage names (English, on the row), and lines where ``{name}`` marks a number."""
    return {
        "stages": {
            "": gettext("waiting for a worker"),
            "fetching": gettext("reading the page"),
            "summarizing": gettext("summarizing"),
        },
        "part": gettext("summarizing part {index} of {parts}"),
        "reading": gettext("reading part {part} of {parts} · {read} of {total} tokens"),
    }


def stage_label(stage: str = "", reading: dict | None = None) -> str:
    """The in-progress line: how far the model has read its prompt, else what
    the worker is doing (a stage this does not know is shown as it is)."""
    texts = stage_texts()
    if reading and reading.get("parts"):
        return texts["reading"].format(
            part=min(reading["parts_done"] + 1, reading["parts"]),
            parts=reading["parts"],
            read=number_format(reading["tokens_read"], force_grouping=True),
            total=number_format(reading["tokens_total"], force_grouping=True),
        )
    if match := _PART.match(stage or ""):
        return texts["part"].format(index=match[1], parts=match[2])
    return texts["stages"].get(stage or "", stage)


def model_note() -> dict[str, object]:
    """Context for templates/summarizer/model_note.html: is the demonstration model in use?"""
    demo = catalogue.demo_model_in_use()
    return {"demo_model": demo, "model_name": catalogue.active_model_name() if demo else ""}
