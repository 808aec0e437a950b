"""Kagi's documented response schema for the Universal Summarizer, as a checker.

From help.kagi.com/kagi/api/overview.html and summarizer.html: every answer has
``meta`` {id, node, ms, api_balance}; a success has ``data`` {output, tokens};
a failure has ``data: null`` and ``error`` [{code, msg, ref}] with Kagi's codes.
No other keys: kaginawa builds a dataclass from ``meta``'s keys, and strict
schema validators (zod's ``.strict()``) refuse unknown ones.
"""

from __future__ import annotations

import jsonschema

CODES = [0, 1, 2, 100, 101, 200]
META = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "node": {"type": "string", "minLength": 1},
        "ms": {"type": "integer", "minimum": 0},
        "api_balance": {"type": "number"},
    },
    "required": ["id", "node", "ms", "api_balance"],
    "additionalProperties": False,
}
SUCCESS = {
    "type": "object",
    "properties": {
        "meta": META,
        "data": {
            "type": "object",
            "properties": {
                "output": {"type": "string", "minLength": 1},
                "tokens": {"type": "integer", "minimum": 1},
            },
            "required": ["output", "tokens"],
            "additionalProperties": False,
        },
    },
    "required": ["meta", "data"],
    "additionalProperties": False,
}
FAILURE = {
    "type": "object",
    "properties": {
        "meta": META,
        "data": {"type": "null"},
        "error": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "code": {"enum": CODES},
                    "msg": {"type": "string", "minLength": 1},
                    "ref": {"type": "null"},
                },
                "required": ["code", "msg", "ref"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["meta", "data", "error"],
    "additionalProperties": False,
}
ACCEPTED = {  # Prefer: respond-async, not finished yet: our one addition, opt-in
    "type": "object",
    "properties": {"meta": META, "data": {"type": "null"}},
    "required": ["meta", "data"],
    "additionalProperties": False,
}


def check_success(body: dict) -> dict:
    """``body`` if it is a Kagi success; else an AssertionError saying why."""
    _check(body, SUCCESS)
    return body["data"]


def check_failure(body: dict) -> dict:
    """The first error object of a Kagi failure."""
    _check(body, FAILURE)
    return body["error"][0]


def check_accepted(body: dict) -> None:
    _check(body, ACCEPTED)


def _check(body, schema: dict) -> None:
    try:
        jsonschema.validate(body, schema)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"not Kagi's shape: {exc.message} in {body!r:.500}") from None
