"""CSV cells that stay text when a spreadsheet opens them."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: archived titles are anyone's words,
    and ``=HYPERLINK(...)`` in one would run when the export is opened."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
