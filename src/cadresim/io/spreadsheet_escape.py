"""Text cells made safe to open in a spreadsheet (CSV and formula injection).

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and Google Sheets when they open a CSV file: a unit name such as
``=cmd|' /C calc'!A0`` would run. Following the OWASP guidance on CSV injection, every such text cell
that cadresim writes is prefixed with a single quote, which spreadsheets show as text; numbers stay
numbers (a negative number is not text). In .xlsx files the cells are also typed as strings, so the
writer never stores a formula. Reading a roster undoes the prefix (only before those characters), so
an exported roster reads back exactly.

Apply :func:`escape_cell` (or :func:`escape_rows`, :func:`escape_frame`) to every table a user may
open in a spreadsheet.
"""

from __future__ import annotations

import numbers

import pandas as pd

#: first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def escape_cell(value: object) -> object:
    """``value`` with a single quote before text that a spreadsheet would take as a formula.

    Numbers, booleans, dates and empty values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def unescape_cell(value: object) -> object:
    """Undo :func:`escape_cell`: drop a single quote written before a formula's first character."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def escape_rows(rows: list[list[object]]) -> list[list[object]]:
    """Rows of cells with every text cell escaped (:func:`escape_cell`)."""
    return [[escape_cell(cell) for cell in row] for row in rows]


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell escaped, for ``to_csv``; numeric columns are untouched.

    Column names are escaped too (a header is a cell like any other).
    """
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(escape_cell)
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [c if isinstance(c, numbers.Number) else escape_cell(c) for c in out.columns]
    return out
