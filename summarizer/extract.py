"""Fetched page → title, main text, language, canonical URL, kind.

trafilatura finds the main text (best published F1 on article extraction);
BeautifulSoup reads what it leaves (title, canonical link, ``lang``). When
pathological markup defeats both, a flat tokenizer that has no tree depth
to exhaust still recovers the text, and the result says so. PDF and Word
files are read by ``documents``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import trafilatura
from bs4 import BeautifulSoup

from waybrief.fetching import FetchedPage
from waybrief.fetching.body import looks_binary
from waybrief.fetching.errors import NotText

from . import documents
from .code import detect_code
from .language import detect_language

HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_TREE_DEPTH = 400


@dataclass
class Extracted:
    title: str
    text: str
    language: str
    kind: str  # "article", "text" or "code"
    canonical_url: str = ""
    code_language: str = ""
    method: str = "trafilatura"  # or "plain", "code", "flat-fallback", "pypdf", "python-docx"
    pages_read: int = 0  # of a PDF
    pages_total: int = 0


def extract(page: FetchedPage) -> Extracted:
    """Never keeps NUL characters: PostgreSQL text cannot store them."""
    result = _extract(page)
    result.text = result.text.replace("\x00", "")
    result.title = result.title.replace("\x00", "")
    return result


def _extract(page: FetchedPage) -> Extracted:
    if kind := documents.kind_of(page.content_type, page.body):
        return _from_document(documents.read(page.body, kind))
    if page.content_type in documents.TYPES and looks_binary(page.body):
        raise NotText("That address serves binary data, not text.", url=page.final_url)
    code_language = detect_code(page.final_url, page.content_type, page.text)
    if code_language:
        return Extracted(
            title=page.final_url.rsplit("/", 1)[-1] or page.final_url,
            text=page.text,
            language="en",
            kind="code",
            code_language=code_language,
            method="code",
        )
    if page.content_type in HTML_TYPES or _looks_like_html(page.text):
        return _extract_html(page.text, page.final_url)
    return Extracted(
        title=_first_line(page.text),
        text=page.text.strip(),
        language=detect_language(page.text),
        kind="text",
        method="plain",
    )


def _from_document(document: documents.DocumentText) -> Extracted:
    return Extracted(
        title=document.title,
        text=document.text,
        language=detect_language(document.text),
        kind="text",
        method=document.extractor,
        pages_read=document.pages_read,
        pages_total=document.pages_total,
    )


def _extract_html(html: str, url: str) -> Extracted:
    soup_meta = _metadata(html)
    text, method = "", "trafilatura"
    if _tree_depth(html) <= MAX_TREE_DEPTH:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True
        )
        if document is not None:
            text = (document.text or "").strip()
            soup_meta["title"] = soup_meta["title"] or (document.title or "")
    if not text:
        text, method = flat_text(html), "flat-fallback"
    return Extracted(
        title=soup_meta["title"] or _first_line(text),
        text=text,
        language=detect_language(text, declared=soup_meta["lang"]),
        kind="article",
        canonical_url=soup_meta["canonical"],
        method=method,
    )


def _metadata(html: str) -> dict[str, str]:
    head = html[:200_000]
    head_end = head.lower().find("</head>")
    soup = BeautifulSoup(head[: head_end + 7] if head_end > 0 else head[:20000], "html.parser")
    title = _title_text(head)
    if not title and (og := soup.find("meta", attrs={"property": "og:title"})):
        title = og.get("content", "")
    canonical = soup.find("link", rel="canonical")
    html_tag = soup.find("html")
    return {
        "title": title.strip(),
        "canonical": canonical.get("href", "") if canonical else "",
        "lang": html_tag.get("lang", "") if html_tag else "",
    }


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def _title_text(html: str) -> str:
    """The title as a browser reads it: raw text up to ``</title>`` (markup
    inside is text, so a hostile title shows as what it is)."""
    match = _TITLE.search(html)
    return " ".join(unescape(match.group(1)).split()) if match else ""


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
         "track", "wbr", "param"}  # fmt: skip


def _tree_depth(html: str, limit: int = MAX_TREE_DEPTH) -> int:
    """Rough nesting depth; stops counting once past ``limit``."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name.lower() in _VOID or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


class _FlatText(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
              "article", "blockquote", "pre"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def flat_text(html: str) -> str:
    parser = _FlatText()
    parser.feed(html)
    parser.close()
    lines = (
        re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n")
    )
    return "\n".join(line for line in lines if line)


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in text[:4096].lower()


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""
