"""The API's one JSON parser: a hostile body is a 400, never a 500."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, but JSON nested deeper than the interpreter's stack
    (``[[[[…]]]]`` a few thousand deep) is refused as malformed: the standard
    decoder raises RecursionError there, which DRF would let through as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
