"""Spreadsheet formulas in CSV cells: the one place that neutralises and flags them.

A spreadsheet opening a CSV file evaluates a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (CSV injection: ``=HYPERLINK(…)``, ``=cmd|…``).
Every CSV civicgraph writes for people to open (the maps' node and edge exports, the import
report, the story tables of resource pages) passes its text cells through ``safe_cell``,
which adds OWASP's leading ``'`` (to a text that reads as a number too: ``-2`` is kept as
text, as written; numbers written as numbers are left alone). SPARQL
results in CSV are not touched: that format is defined by the W3C for programs, byte for
byte. Spreadsheet imports flag such cells as warnings (``is_formula``); their text is stored
as written.

>>> safe_cell("=HYPERLINK(\\"http://evil\\")")
'\\'=HYPERLINK("http://evil")'
>>> safe_cell("-2"), safe_cell("Vecam"), safe_cell(-3)
("'-2", 'Vecam', -3)
"""

from __future__ import annotations

from typing import Final, TypeVar

#: first characters a spreadsheet reads as the start of a formula (OWASP's list)
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

_Value = TypeVar("_Value")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def safe_cell(value: _Value) -> _Value | str:
    """``value`` as a spreadsheet shows it without evaluating it: a text cell that would be
    a formula gets a leading ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


__all__ = ["FORMULA_STARTS", "is_formula", "safe_cell"]
