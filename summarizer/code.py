"""Is this document source code, and in which language?

By extension first (a raw ``.js`` file), then by content type, then by
content: plain text whose lines look like code and that Pygments can name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pygments.lexers import guess_lexer, guess_lexer_for_filename
from pygments.util import ClassNotFound

_CODE_TYPES = {
    "application/javascript": "JavaScript", "text/javascript": "JavaScript",
    "application/x-javascript": "JavaScript", "application/typescript": "TypeScript",
    "text/x-python": "Python", "application/x-python": "Python", "text/x-python-script": "Python",
    "text/x-c": "C", "text/x-csrc": "C", "text/x-c++src": "C++", "text/x-java": "Java",
    "text/x-java-source": "Java", "text/x-go": "Go", "text/x-rust": "Rust", "text/x-ruby": "Ruby",
    "application/x-sh": "Bash", "text/x-shellscript": "Bash", "application/x-httpd-php": "PHP",
    "text/x-php": "PHP", "text/x-kotlin": "Kotlin", "text/x-swift": "Swift",
}  # fmt: skip
_CODE_EXTENSIONS = {
    ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".c", ".h", ".cc", ".cpp",
    ".hpp", ".cxx", ".java", ".kt", ".swift", ".rb", ".php", ".pl", ".sh", ".bash", ".lua", ".r",
    ".scala", ".cs", ".fs", ".hs", ".ml", ".ex", ".exs", ".erl", ".clj", ".dart", ".sql", ".zig",
    ".nim", ".jl", ".m", ".vue", ".svelte", ".el", ".lisp", ".scm", ".ps1", ".bat", ".asm", ".s",
}  # fmt: skip
_CODE_LINE = re.compile(
    r"(^\s*(def|class|import|from|function|const|let|var|return|if|for|while|#include|package|"
    r"fn|pub|struct|impl|func|public|private|static)\b)|([;{}]\s*$)|(^\s*[})\]]+;?\s*$)"
)


def detect_code(url: str, content_type: str, text: str) -> str:
    """The programming language's name, or ``""`` when this is not code."""
    path = urlsplit(url).path
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in _CODE_EXTENSIONS and not _is_markup(text):
        return _lexer_name(path.rsplit("/", 1)[-1], text)
    if content_type in _CODE_TYPES:
        return _CODE_TYPES[content_type]
    if content_type in {"text/plain", ""} and code_line_ratio(text) > 0.35:
        try:
            name = guess_lexer(text[:20000]).name
        except ClassNotFound:
            return ""
        return "" if name in {"Text only", "Text output"} else name
    return ""


def code_line_ratio(text: str) -> float:
    lines = [line for line in text[:50000].splitlines() if line.strip()]
    if len(lines) < 3:
        return 0.0
    return sum(1 for line in lines if _CODE_LINE.search(line)) / len(lines)


def _lexer_name(filename: str, text: str) -> str:
    try:
        return guess_lexer_for_filename(filename, text[:20000]).name
    except ClassNotFound:
        return filename.rsplit(".", 1)[-1].upper()


def _is_markup(text: str) -> bool:
    head = text[:512].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))
