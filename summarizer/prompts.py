"""What the model is asked, per mode, and in which language it answers.

Language codes are Kagi's (``EN``, ``DE``, ``ZH-HANT`` …), so Kagi clients
can pass theirs unchanged; a document's own detected language maps back to
the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("summary", "takeaway", "explain")
# Part of the cache key: a summary written under older prompts is not reused.
VERSION = 3

LANGUAGES = {
    "BG": "Bulgarian", "CS": "Czech", "DA": "Danish", "DE": "German", "EL": "Greek",
    "EN": "English", "ES": "Spanish", "ET": "Estonian", "FI": "Finnish", "FR": "French",
    "HU": "Hungarian", "ID": "Indonesian", "IT": "Italian", "JA": "Japanese", "KO": "Korean",
    "LT": "Lithuanian", "LV": "Latvian", "NB": "Norwegian", "NL": "Dutch", "PL": "Polish",
    "PT": "Portuguese", "RO": "Romanian", "RU": "Russian", "SK": "Slovak", "SL": "Slovenian",
    "SV": "Swedish", "TR": "Turkish", "UK": "Ukrainian", "VI": "Vietnamese", "TH": "Thai",
    "ZH": "Simplified Chinese", "ZH-HANT": "Traditional Chinese",
}  # fmt: skip


def language_code(detected: str) -> str:
    """A detected code (``zh-hant``, ``de``) as a Kagi code (``ZH-HANT``, ``DE``)."""
    code = detected.upper()
    if code in LANGUAGES:
        return code
    if code.startswith("ZH"):
        return "ZH-HANT" if "HANT" in code else "ZH"
    if code in {"NO", "NN"}:
        return "NB"
    if code in {"YUE", "WUU", "NAN", "HAK"}:  # Chinese languages py3langid names: Han script
        return "ZH-HANT"
    return code.split("-", 1)[0] if code.split("-", 1)[0] in LANGUAGES else "EN"


def language_name(code: str) -> str:
    return LANGUAGES.get(code.upper(), "English")


# "Answer in X", written in X: a small model follows an instruction in the
# language it is asked to write far more often than one about it in English.
IN_LANGUAGE = {
    "EN": "Write your answer in English.",
    "ZH-HANT": "請用繁體中文回答。",
    "ZH": "请用简体中文回答。",
    "JA": "日本語で答えてください。",
    "KO": "한국어로 답하세요.",
    "DE": "Antworte auf Deutsch.",
    "FR": "Réponds en français.",
    "ES": "Responde en español.",
    "IT": "Rispondi in italiano.",
    "PT": "Responda em português.",
    "NL": "Antwoord in het Nederlands.",
    "RU": "Отвечай на русском языке.",
    "UK": "Відповідай українською мовою.",
    "PL": "Odpowiedz po polsku.",
    "TR": "Türkçe cevap ver.",
    "VI": "Trả lời bằng tiếng Việt.",
}
# Said when a first answer came back in another language (the one retry).
STRICT = {
    "EN": "Use English only, even if the text is in another language.",
    "ZH-HANT": "只能用繁體中文，不要用英文或簡體字。",
    "ZH": "只能用简体中文，不要用英文或繁体字。",
    "JA": "日本語だけで書いてください。英語は使わないでください。",
}


@dataclass(frozen=True)
class Job:
    mode: str
    language: str  # Kagi code of the answer's language
    title: str
    kind: str  # "article", "text" or "code"
    code_language: str = ""
    strict: bool = False  # the retry after an answer in the wrong language


SYSTEM = "You summarize documents faithfully. Say only what the document says. No preamble."


def in_language(job: Job) -> str:
    """The closing line naming the answer's language, in that language."""
    name = language_name(job.language)
    line = IN_LANGUAGE.get(job.language.upper(), f"Write your answer in {name}.")
    if job.strict:
        line = f"{line} {STRICT.get(job.language.upper(), f'Use {name} only.')}"
    return line


def _task(job: Job) -> str:
    """The instruction, written to come after the document: small models
    follow what they read last (measured: bench/RESULTS.md)."""
    lang = language_name(job.language)
    if job.mode == "explain":
        return (
            f"Explain in {lang} prose what this {job.code_language or 'source'} code does: its "
            "purpose, how it works, and its inputs and outputs. Do not write any code."
        )
    if job.mode == "takeaway":
        return (
            f"List the key points of the text above in {lang}: 3 to 7 short bullet points, "
            "each on its own line starting with '- '. Use only facts from the text."
        )
    return (
        f"Summarize the text above in {lang} in one paragraph of 3 to 5 sentences. "
        "Use only facts from the text."
    )


def _body(job: Job, text: str) -> str:
    header = f"Title: {job.title}\n\n" if job.title else ""
    fence = f"```{job.code_language.lower()}" if job.kind == "code" else ""
    return header + (f"{fence}\n{text}\n```" if fence else text)


def document_messages(job: Job, text: str) -> list[dict[str, str]]:
    """The document first, then the task, then the language: the order that
    holds a small model to the text."""
    content = f"{_body(job, text)}\n\n{_task(job)}\n{in_language(job)}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


def part_messages(job: Job, text: str, index: int, total: int) -> list[dict[str, str]]:
    """The map step: notes on one whole part of a document too long for one prompt."""
    what = "code" if job.kind == "code" else "document"
    titled = f" titled '{job.title}'" if job.title else ""
    task = (
        f"The text above is part {index} of {total} of a longer {what}{titled}. "
        f"In {language_name(job.language)}, write 2 to 4 complete sentences with the main "
        "points of the whole part, from its beginning to its end. Use only facts from the text."
    )
    content = f"{text}\n\n{task}\n{in_language(job)}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


def combine_messages(job: Job, notes: list[str]) -> list[dict[str, str]]:
    """The reduce step: one answer in the requested mode from every part's notes."""
    joined = "\n\n".join(f"Part {i}: {note}" for i, note in enumerate(notes, 1))
    intro = f"Notes on the {len(notes)} consecutive parts of one document"
    intro += f" titled '{job.title}':" if job.title else ":"
    task = _task(job).replace("the text above", "the whole document from all these notes")
    content = f"{intro}\n\n{joined}\n\n{task}\n{in_language(job)}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]
