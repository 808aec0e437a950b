"""A document's language, as a short code the prompts can name."""

from __future__ import annotations

import re

import py3langid

_CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_script(text: str) -> str:
    """``zh-hant`` when a noticeable share of Han characters are outside GB2312."""
    han = _CJK.findall(text[:20000])
    if not han:
        return "zh"
    traditional = 0
    for char in han:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            traditional += 1
    return "zh-hant" if traditional / len(han) > 0.08 else "zh-hans"


def detect_language(text: str, *, declared: str | None = None) -> str:
    """The page's own ``lang`` when it names one, else a guess from the text."""
    sample = text[:20000]
    if declared:
        declared = declared.lower().replace("_", "-")
        if declared.startswith("zh"):
            if any(tag in declared for tag in ("hant", "tw", "hk", "mo")):
                return "zh-hant"
            if any(tag in declared for tag in ("hans", "cn", "sg")):
                return "zh-hans"
            return chinese_script(sample)
        return declared.split("-", 1)[0]
    if not sample.strip():
        return "en"
    code, _score = py3langid.classify(sample)
    return chinese_script(sample) if code == "zh" else code
