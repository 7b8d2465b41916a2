"""A roster or units file as a table: its cells, its header row, its columns, each column's values.

Reads CSV (UTF-8 or GB18030) or the first sheet of an .xlsx workbook, finds the header row below any
title rows, maps headers to documented columns (:mod:`cadresim.io.roster_columns`) and parses each
column's cells (:mod:`cadresim.io.roster_cells`), with a problem for every bad cell. Headers of personal
identifiers are dropped unread here, and other unrecognised headers are ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from cadresim.errors import InputError, Problem
from cadresim.io.roster_cells import cell_text, norm
from cadresim.io.roster_columns import Column

#: rows searched for the header row (HR files often put a title above it)
HEADER_SEARCH_ROWS = 10
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Sheet:
    """The rows of a file as cells, with their numbers as the user sees them (the first line is 1)."""

    path: Path
    rows: list[tuple[int, list[object]]]


def read_sheet(path: Path) -> Sheet:
    """The cells of a CSV file or of the first sheet of an .xlsx workbook.

    Raises:
        InputError: the file is missing, of another kind, or unreadable.
    """
    if not path.is_file():
        raise InputError([Problem(str(path), "", "no such file")])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return Sheet(path, _excel_rows(path))
    if path.suffix.lower() in (".xls", ".et", ".ods", ".numbers"):
        raise InputError([Problem(str(path), "", "this spreadsheet format is not read: save it as .xlsx (Excel "
                                  "workbook) or as CSV")])
    return Sheet(path, _csv_rows(path))


def _csv_rows(path: Path) -> list[tuple[int, list[object]]]:
    """CSV in UTF-8 (with or without BOM) or GB18030, the encodings Excel saves Chinese CSV in."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError([Problem(str(path), "", "not a text file in UTF-8 or GB18030: save it as CSV UTF-8")])
    rows = csv.reader(io.StringIO(text, newline=""))
    return [(i, [c if c.strip() else None for c in row]) for i, row in enumerate(rows, start=1)]


def _excel_rows(path: Path) -> list[tuple[int, list[object]]]:
    try:
        import openpyxl
    except ImportError:
        raise InputError([Problem(str(path), "", "reading .xlsx needs openpyxl: pip install 'cadresim[excel]', "
                                  "or save the sheet as CSV")]) from None
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or encrypted file
        raise InputError([Problem(str(path), "", f"cannot read this workbook ({type(exc).__name__}): save it "
                                  "again as .xlsx, without a password")]) from None
    sheet = book.worksheets[0]
    return [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]


@dataclass
class Table:
    """A file's data rows under its recognised columns.

    Attributes:
        columns: field -> (header as written, position in the row).
        rows: (row number, cells) of the data rows that are not empty.
        header_row: the row number of the header.
        dropped: headers of personal identifiers, dropped unread.
        ignored: headers not recognised, or giving a field another column already gives.
    """

    sheet: Sheet
    columns: dict[str, tuple[str, int]]
    rows: list[tuple[int, list[object]]]
    header_row: int
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def cell(self, cells: list[object], name: str) -> object:
        pos = self.columns[name][1]
        return cells[pos] if pos < len(cells) else None

    def where(self, row: int, name: str) -> str:
        return f"row {row}, column {self.columns[name][0]}"


def tabulate(sheet: Sheet, spec: Iterable[Column], identifiers: tuple[str, ...] = ()) -> Table:
    """Find the header row, map headers to fields (most precise alias first) and keep the data rows.

    Raises:
        InputError: when no row among the first HEADER_SEARCH_ROWS looks like a header.
    """
    spec = tuple(spec)
    names = {norm(h): (c.field, rank) for c in spec for rank, h in enumerate(c.headers)}
    header_row, header = _find_header(sheet, names)
    if header is None:
        expected = ", ".join(c.zh for c in spec if c.required)
        raise InputError([Problem(str(sheet.path), "", f"no header row found in the first {HEADER_SEARCH_ROWS} "
                                  f"rows: expected columns such as {expected}")])
    table = Table(sheet, {}, [], header_row)
    private = {norm(h) for h in identifiers}
    best: dict[str, tuple[int, str, int]] = {}
    for pos, cell in enumerate(header):
        key = norm(cell) if cell is not None else ""
        if not key:
            continue
        if key in private:
            table.dropped.append(str(cell))
        elif key not in names:
            table.ignored.append(str(cell))
        else:
            name, rank = names[key]
            if name in best and best[name][0] <= rank:
                table.ignored.append(f"{cell} (column {best[name][1]} gives the same)")
                continue
            if name in best:
                table.ignored.append(f"{best[name][1]} (column {cell} gives the same)")
            best[name] = (rank, str(cell), pos)
    table.columns = {name: (h, pos) for name, (_, h, pos) in best.items()}
    used = [pos for _, pos in table.columns.values()]
    table.rows = [(n, cells) for n, cells in sheet.rows if n > header_row
                  and any(cell_text(cells[p]) for p in used if p < len(cells))]
    return table


def _find_header(sheet: Sheet, names: dict[str, tuple[str, int]]) -> tuple[int, list[object] | None]:
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        if sum(1 for c in cells if c is not None and norm(c) in names) >= 2:
            return number, cells
    return 0, None


# --- parsing a table -----------------------------------------------------------------------------


def _parse_column(table: Table, name: str, parse: Callable[[object], Any], required: bool,
                  problems: list[Problem], bad: set[int]) -> dict[int, Any]:
    """Values of one column by row number; a problem (and the row in ``bad``) for each bad cell."""
    out: dict[int, Any] = {}
    if name not in table.columns:
        return out
    source = str(table.sheet.path)
    for row, cells in table.rows:
        cell = table.cell(cells, name)
        if cell_text(cell) is None:
            if required:
                problems.append(Problem(source, table.where(row, name), "empty: this column is required"))
                bad.add(row)
            continue
        try:
            out[row] = parse(cell)
        except ValueError as exc:
            problems.append(Problem(source, table.where(row, name), str(exc), _shown(cell)))
            bad.add(row)
    return out


def _shown(cell: object) -> object:
    """A cell as the user would recognise it."""
    return cell.strftime("%Y-%m-%d") if isinstance(cell, (dt.datetime, dt.date)) else cell


def _missing_columns(table: Table, spec: Iterable[Column]) -> list[Problem]:
    return [Problem(str(table.sheet.path), f"row {table.header_row}",
                    f"missing column {c.zh} ({c.en}); accepted headers: {', '.join(c.headers)}")
            for c in spec if c.required and c.field not in table.columns]


@dataclass
class Parsed:
    """Parsed values of a file by field and row number; rows with a bad cell are in ``bad``."""

    table: Table
    values: dict[str, dict[int, Any]]
    problems: list[Problem]
    bad: set[int]

    @property
    def good_rows(self) -> list[int]:
        return [row for row, _ in self.table.rows if row not in self.bad]

    def get(self, name: str, row: int, default: Any) -> Any:
        return self.values.get(name, {}).get(row, default)


def parse_table(table: Table, spec: Iterable[Column], parsers: dict[str, Callable[[object], Any]]) -> Parsed:
    """Parse every column of ``spec`` the table has, with ``parsers`` by column kind; collect the problems."""
    spec = tuple(spec)
    problems, bad = _missing_columns(table, spec), set()
    values = {c.field: _parse_column(table, c.field, parsers[c.kind], c.required, problems, bad) for c in spec}
    if not table.rows:
        problems.append(Problem(str(table.sheet.path), f"row {table.header_row + 1}", "no data rows below the "
                                "header"))
    return Parsed(table, values, problems, bad)
