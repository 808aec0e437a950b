"""Turning bytes into the right characters, Big5 blogs included.

Declared charsets (BOM, HTTP header, ``<meta>``) are trusted when the bytes
decode cleanly under them. Otherwise every candidate that decodes strictly is
scored by how much of its non-ASCII text is the common vocabulary of that
encoding's own script, measured through the encoding's layout: Big5 keeps
its frequent characters in A440-C67E, GB2312 its level-1 characters in
B0A1-D7F9, Shift_JIS its level-1 kanji in 889F-9872. Big5 bytes read as GBK
decode without error but land on kana, box drawing and rare extension
characters, so they score low; a Latin code page scores by how many of its
non-ASCII characters are letters inside words, which mojibake rarely is.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Labels that name a smaller table than the pages really use.
_SUPERSETS = {
    "big5": "cp950",
    "big5-tw": "cp950",
    "csbig5": "cp950",
    "x-x-big5": "cp950",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_CJK_CANDIDATES = ("cp950", "gb18030", "cp932", "euc_jp", "cp949")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
_LANG_ATTR = re.compile(rb"""<html[^>]*\blang\s*=\s*["']?([a-zA-Z\-_]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    source: str  # "bom", "header", "meta", "utf-8" or "guess"


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label, with the superset substituted."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head[:8192])
    return match.group(1).decode("ascii", "ignore") if match else None


def declared_language(head: bytes) -> str | None:
    match = _LANG_ATTR.search(head[:8192])
    return match.group(1).decode("ascii", "ignore").lower() if match else None


def decode(
    body: bytes,
    *,
    header_charset: str | None = None,
    host: str = "",
    site_charset: str | None = None,
) -> Decoded:
    """Decode a document body; never raises, always returns text."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if body.startswith(bom):
            return Decoded(body.decode(name, "replace"), name, "bom")
    for label, source in ((header_charset, "header"), (meta_charset(body), "meta")):
        name = normalize_label(label)
        text = _strict(body, name) if name else None
        # A page labelled Latin-1 that is really Big5 is common on old blogs;
        # of all labels, only a Latin one on non-ASCII bytes is second-guessed.
        if text is not None and (name != "cp1252" or not _has_high_bytes(body)):
            return Decoded(text, name, source)
    if (text := _strict(body, "utf-8")) is not None:
        return Decoded(text, "utf-8", "utf-8")
    return _guess(body, hints=_hints(body, host, site_charset))


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def _has_high_bytes(body: bytes) -> bool:
    return any(b >= 0x80 for b in body[:65536])


def _hints(body: bytes, host: str, site_charset: str | None) -> dict[str, float]:
    """Small bonuses for the encodings the page's language or domain suggest."""
    bonus: dict[str, float] = {}
    if site := normalize_label(site_charset):
        bonus[site] = bonus.get(site, 0) + 0.15
    lang = declared_language(body) or ""
    host = host.lower().rstrip(".")
    if lang in {"zh-tw", "zh-hk", "zh-hant", "zh-mo"} or host.endswith((".tw", ".hk", ".mo")):
        bonus["cp950"] = bonus.get("cp950", 0) + 0.1
    if lang in {"zh-cn", "zh-hans", "zh-sg"} or host.endswith(".cn"):
        bonus["gb18030"] = bonus.get("gb18030", 0) + 0.1
    if lang.startswith("ja") or host.endswith(".jp"):
        for name in ("cp932", "euc_jp"):
            bonus[name] = bonus.get(name, 0) + 0.1
    if lang.startswith("ko") or host.endswith(".kr"):
        bonus["cp949"] = bonus.get("cp949", 0) + 0.1
    return bonus


def _guess(body: bytes, *, hints: dict[str, float]) -> Decoded:
    candidates: dict[str, str] = {}
    for name in _CJK_CANDIDATES:
        if (text := _strict(body, name)) is not None:
            candidates[name] = text
    # cp1252 first: on a tie with another Latin page (cp1250's "č" for "è")
    # the most common Western code page wins.
    if (text := _strict(body, "cp1252")) is not None:
        candidates["cp1252"] = text
    best_guess = from_bytes(body).best()
    if best_guess is not None:
        name = normalize_label(best_guess.encoding) or best_guess.encoding
        candidates.setdefault(name, str(best_guess))
    if not candidates:
        return Decoded(body.decode("utf-8", "replace"), "utf-8", "guess")
    scored = {
        name: script_score(text, name) + hints.get(name, 0) for name, text in candidates.items()
    }
    winner = max(scored, key=lambda name: scored[name])
    return Decoded(candidates[winner], winner, "guess")


def script_score(text: str, encoding: str) -> float:
    """How much of ``text``'s non-ASCII reads as its encoding's common script."""
    non_ascii = [c for c in text if ord(c) >= 0x80]
    if not non_ascii:
        return 0.5
    if encoding in _COMMON_REGION:
        good = sum(1 for c in non_ascii if _is_common(c, encoding))
    else:
        good = _latin_word_letters(text)
    return good / len(non_ascii)


# (codec, first code, last code) of each encoding's frequently used block.
_COMMON_REGION = {
    "cp950": ("cp950", [(0xA440, 0xC67E)]),
    "gb18030": ("gb2312", [(0xB0A1, 0xD7F9)]),
    "cp932": ("cp932", [(0x889F, 0x9872), (0x829F, 0x8396)]),  # level-1 kanji, kana
    "euc_jp": ("euc_jp", [(0xB0A1, 0xCFD3), (0xA4A1, 0xA5F6)]),
    "cp949": ("cp949", [(0xB0A1, 0xC8FE)]),  # KS X 1001 hangul syllables
}
_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2010-\u206f]")


def _is_common(char: str, encoding: str) -> bool:
    if _PUNCTUATION.match(char):
        return True
    codec, ranges = _COMMON_REGION[encoding]
    try:
        raw = char.encode(codec)
    except UnicodeEncodeError:
        return False
    if len(raw) != 2:
        return False
    code = raw[0] << 8 | raw[1]
    return any(low <= code <= high for low, high in ranges)


def _latin_word_letters(text: str) -> int:
    """Non-ASCII letters with a letter beside them: ``café`` yes, ``¤j®a`` no."""
    count = 0
    for i, char in enumerate(text):
        if ord(char) < 0x80 or not char.isalpha() or ord(char) > 0x24F:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if before.isalpha() or after.isalpha():
            count += 1
    return count
