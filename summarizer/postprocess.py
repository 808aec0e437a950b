"""Model output cleaned of what readers should never see."""

from __future__ import annotations

import re

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|okay|ok|of course)[,.!]?\s*)?"
    r"(?:(?:here(?:'s| is| are)|below is|the following is)\b[^\n:]{0,120}:\s*"
    r"|(?:\*\*)?(?:summary|key points|takeaways?|explanation)(?:\*\*)?\s*:(?:\*\*)?\s*)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


def clean_output(text: str, *, mode: str, title: str = "") -> str:
    text = _THINK.sub("", text)
    previous = None
    while previous != text:  # "Sure! Here is the summary: Summary: …"
        previous, text = text, _PREAMBLE.sub("", text, count=1)
    text = _drop_echoed_title(text.strip(), title)
    if mode == "summary":
        # One paragraph, as Kagi writes it; small models break lines freely.
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    if mode == "takeaway":
        lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
        text = "\n".join(f"- {line}" for line in lines if line)
    return text


def _drop_echoed_title(text: str, title: str) -> str:
    """Small models often repeat the page title as a first line; readers have it."""
    first, _, rest = text.partition("\n")
    if title and rest and first.strip(" #*").casefold() == title.strip().casefold():
        return rest.strip()
    return text
