"""A document's (or an answer's) language, as a short code the prompts can name.

The script decides first: a text whose letters are mostly Han, kana or
Hangul is Chinese, Japanese or Korean whatever English it quotes. py3langid
alone calls Traditional Chinese full of English names ``yue`` (Cantonese),
which would then read as English.
"""

from __future__ import annotations

import re

import py3langid

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LETTER = re.compile(r"[^\W\d_]")
_CHINESE = {"zh", "yue", "wuu", "nan", "hak", "gan", "cjy", "hsn"}
# Share of letters in a script that makes the text that script's language:
# a CJK character carries about as much as a whole English word.
_SCRIPT_SHARE = 0.25


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


def script_language(text: str) -> str:
    """``ja``, ``ko`` or a Chinese script when that script dominates, else ''."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return ""
    han, kana, hangul = (len(p.findall(text)) for p in (_HAN, _KANA, _HANGUL))
    if hangul / letters >= _SCRIPT_SHARE:
        return "ko"
    if (han + kana) / letters >= _SCRIPT_SHARE:
        # Japanese writes kana between its kanji; Chinese has none.
        return "ja" if kana >= 0.05 * (han + kana) else chinese_script(text)
    return ""


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
    if script := script_language(sample):
        return script
    code, _score = py3langid.classify(sample)
    return chinese_script(sample) if code in _CHINESE else code
