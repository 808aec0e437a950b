"""Kagi's Universal Summarizer wire format: its envelope, codes and parameters.

Kept apart from the views so the shape clients depend on is in one place:
kaginawa builds its response class from ``meta``'s keys and zod-validated
scripts reject unknown ones, so nothing beyond Kagi's keys is ever added.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse

# Kagi's error codes (help.kagi.com/kagi/api/overview.html).
INTERNAL, MALFORMED, UNAUTHORIZED, NO_BILLING, NO_CREDIT, SUMMARIZE_FAILED = 0, 1, 2, 100, 101, 200
MAX_TEXT_BYTES = 1024 * 1024
# A 1 MB text grows when encoded: JSON's \uXXXX escapes or a form's %XX triplets.
MAX_BODY_BYTES = 4 * MAX_TEXT_BYTES
ENGINES = ("cecil", "agnes", "daphne", "muriel")  # all one configured model here
SUMMARY_TYPES = ("summary", "takeaway")
STRING_FIELDS = ("url", "text", "summary_type", "engine", "target_language", "source")
FALSE = {"false", "0", "no", "off", ""}
TRUE = {"true", "1", "yes", "on"}


class KagiError(Exception):
    """A failure to answer in Kagi's error shape, with its HTTP status."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def malformed(message: str, status: int = 400) -> KagiError:
    return KagiError(status, MALFORMED, message)


@dataclass(frozen=True)
class Call:
    """One request's identity: Kagi's ``meta.id`` is per request, never a row's."""

    started: float
    id: str

    @classmethod
    def begin(cls) -> Call:
        return cls(started=time.monotonic(), id=str(uuid.uuid4()))

    def meta(self) -> dict:
        return {
            "id": self.id,
            "node": settings.WAYBRIEF_NODE or socket.gethostname(),
            "ms": int((time.monotonic() - self.started) * 1000),
            "api_balance": float(settings.API_V0_BALANCE),
        }

    def success(self, output: str, tokens: int) -> JsonResponse:
        return JsonResponse({"meta": self.meta(), "data": {"output": output, "tokens": tokens}})

    def failure(self, error: KagiError, *, headers: dict | None = None) -> JsonResponse:
        body = {"meta": self.meta(), "data": None,
                "error": [{"code": error.code, "msg": str(error), "ref": None}]}  # fmt: skip
        return JsonResponse(body, status=error.status, headers=headers)


@dataclass(frozen=True)
class Params:
    url: str
    text: str
    summary_type: str
    target_language: str
    keep: bool
    source: str
    engine: str = ENGINES[0]


def read_body(content_type: str, body: bytes, form) -> dict:
    """A POST body as Kagi's clients send it: a JSON object or a form.

    JSON is parsed here rather than by DRF so that a deeply nested document
    (RecursionError) is a malformed request, not a server error.
    """
    if not body.strip():
        return {}
    if content_type.startswith("application/json") or content_type.endswith("+json"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise malformed("The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise malformed("The body must be a JSON object or a form.")
        return data
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return form.dict()
    raise malformed("Send parameters as a JSON object, a form or a query string.", 415)


def parse(raw: dict) -> Params:
    """Kagi's parameters, read as its clients mean them."""
    for name in STRING_FIELDS:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise malformed(f"'{name}' must be a string.")
    url, text = (raw.get("url") or "").strip(), raw.get("text") or ""
    if not text.strip():
        text = ""
    if text and not _is_web_address(url):
        url = ""  # the extension's url=undefined, or an empty url, gives way to text
    if url and text:
        raise malformed("'url' and 'text' are exclusive: give exactly one of them.")
    if not (url or text):
        raise malformed("Give a 'url' (http or https) or a 'text' to summarize.")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise malformed("The text is larger than 1 MB.", 413)
    engine = (raw.get("engine") or ENGINES[0]).lower()
    if engine not in ENGINES:
        raise malformed(f"Unknown engine {engine!r}: use cecil, agnes, daphne or muriel.")
    summary_type = (raw.get("summary_type") or SUMMARY_TYPES[0]).lower()
    if summary_type not in SUMMARY_TYPES:
        raise malformed(f"Unknown summary_type {summary_type!r}: use summary or takeaway.")
    return Params(
        url=url, text=text, summary_type=summary_type,
        target_language=raw.get("target_language") or "",
        keep=cache_flag(raw.get("cache", True)), source=raw.get("source") or "",
        engine=engine,
    )  # fmt: skip


def cache_flag(value) -> bool:
    """``cache``: kagi.el sends ``null`` for "no cache", kagiapi "false",
    kaginawa a form's "False". Anything that may mean no keeps nothing."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in FALSE | {"null", "none", "nil", "undefined"}:
            return False
        if word in TRUE:
            return True
    raise malformed("'cache' must be true or false.")


def _is_web_address(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
