"""What the model is asked, per mode, and in which language it answers.

Language codes are Kagi's (``EN``, ``DE``, ``ZH-HANT`` …), so Kagi clients
can pass theirs unchanged; a document's own detected language maps back to
the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("summary", "takeaway", "explain")
# Part of the cache key: a summary written under older prompts is not reused.
VERSION = 2

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
    return code.split("-", 1)[0] if code.split("-", 1)[0] in LANGUAGES else "EN"


def language_name(code: str) -> str:
    return LANGUAGES.get(code.upper(), "English")


@dataclass(frozen=True)
class Job:
    mode: str
    language: str  # Kagi code of the answer's language
    title: str
    kind: str  # "article", "text" or "code"
    code_language: str = ""


SYSTEM = (
    "You are a careful assistant that summarizes documents faithfully. "
    "Say only what the document says. Never start with a preamble such as "
    "'Here is a summary'; start with the content itself."
)


def _task(job: Job) -> str:
    lang = language_name(job.language)
    if job.mode == "explain":
        return (
            f"Explain what this {job.code_language or 'source'} code does, in {lang}: its "
            "purpose, the algorithm or approach it uses, and any notable details "
            "(inputs, outputs, edge cases, side effects)."
        )
    if job.mode == "takeaway":
        return (
            f"List the key points of this document in {lang}, as 3 to 7 short bullet points, "
            "each line starting with '- '."
        )
    return f"Summarize this document in {lang}, in one paragraph of 3 to 6 sentences."


def document_messages(job: Job, text: str) -> list[dict[str, str]]:
    header = f"Title: {job.title}\n\n" if job.title else ""
    fence = "```" if job.kind == "code" else ""
    body = f"{fence}\n{text}\n{fence}" if fence else text
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{_task(job)}\n\n{header}{body}\n\n{_reminder(job)}"},
    ]


def _reminder(job: Job) -> str:
    """Restated after the document: small models follow what they read last."""
    return f"Write your answer in {language_name(job.language)}."


def part_messages(job: Job, text: str, index: int, total: int) -> list[dict[str, str]]:
    """The map step: notes on one part of a document too long for one prompt."""
    what = "code" if job.kind == "code" else "document"
    task = (
        f"This is part {index} of {total} of a longer {what}"
        + (f" titled '{job.title}'" if job.title else "")
        + f". Write the main points of this part as a short paragraph in "
        f"{language_name(job.language)}."
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"{task}\n\n{text}"}]


def combine_messages(job: Job, notes: list[str]) -> list[dict[str, str]]:
    """The reduce step: one answer in the requested mode from the parts' notes."""
    joined = "\n\n".join(f"Part {i}: {note}" for i, note in enumerate(notes, 1))
    intro = "These are notes on consecutive parts of one document"
    intro += f" titled '{job.title}'." if job.title else "."
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{intro}\n\n{joined}\n\n{_task(job)}"},
    ]
