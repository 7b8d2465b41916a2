"""A roster or units file as a table: its cells, its header row, its columns, each column's values.

Reads CSV (UTF-8 or GB18030) or the first sheet of an .xlsx workbook, finds the header row below any
title rows, maps headers to documented columns (:mod:`cadresim.io.roster_columns`) and parses each
column's cells (:mod:`cadresim.io.roster_cells`), with a problem for every bad cell. Headers of personal
identifiers are dropped unread here, and other unrecognised headers are ignored.

Files are read within the documented limits of :mod:`cadresim.limits` (size, an .xlsx's unpacked size,
rows, cells per row, characters per cell), each checked as the file is read, so that an oversized or
hostile file is refused early with the row or cell that broke the limit. Formulas whose value the file
does not store are refused by cell, and two columns giving the same field must agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from cadresim import limits
from cadresim.errors import InputError, Problem
from cadresim.files import kind_problem, read_bounded, size_problem
from cadresim.io.roster_cells import SERIAL_PARSERS, cell_text, norm, serial_column
from cadresim.io.roster_columns import Column
from cadresim.io.spreadsheet_escape import unescape_cell

#: rows searched for the header row (HR files often put a title above it)
HEADER_SEARCH_ROWS = 10
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_WHAT = "roster or units file"


@dataclass
class Sheet:
    """The rows of a file as cells, with their numbers as the user sees them (the first line is 1).

    Empty rows below the first HEADER_SEARCH_ROWS are left out.

    Attributes:
        name: the worksheet's name (None for CSV).
        formulas: (row, position) of formula cells whose value the file does not store (read as empty).
    """

    path: Path
    rows: list[tuple[int, list[object]]]
    name: str | None = None
    formulas: set[tuple[int, int]] = field(default_factory=set)


def read_sheet(path: Path) -> Sheet:
    """The cells of a CSV file or of the first sheet of an .xlsx workbook.

    Raises:
        InputError: the file is missing, not a regular file, of another kind, unreadable, or over a limit.
    """
    problem = kind_problem(path)
    if problem is not None:
        raise InputError([Problem(str(path), "", problem)])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_sheet(path)
    if path.suffix.lower() in (".xls", ".et", ".ods", ".numbers"):
        raise InputError([Problem(str(path), "", "this spreadsheet format is not read: save it as .xlsx (Excel "
                                  "workbook) or as CSV")])
    return Sheet(path, _csv_rows(path))


def column_letter(pos: int) -> str:
    """The spreadsheet letter of the column at 0-based ``pos`` (0: A, 26: AA)."""
    letters = ""
    pos += 1
    while pos:
        pos, rest = divmod(pos - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Rows:
    """Collects a file's rows, checking the documented limits row by row (and undoing the quote that
    :mod:`cadresim.io.spreadsheet_escape` puts before formula-like text)."""

    def __init__(self, path: Path, hint: str = "") -> None:
        self.path, self.hint, self.rows, self.kept, self.width = path, hint, [], 0, 0

    def add(self, number: int, cells: list[object]) -> None:
        while cells and cells[-1] is None:
            cells.pop()
        if not cells and number > HEADER_SEARCH_ROWS:
            return
        if len(cells) > limits.MAX_TABLE_COLUMNS:
            self._refuse(f"row {number}", f"{len(cells):,} cells in one row, at most {limits.MAX_TABLE_COLUMNS:,}")
        joined = "\x1f".join([c for c in cells if type(c) is str])  # one test for the whole row, cell by cell if hit
        if len(joined) > limits.MAX_CELL_CHARS or "\n" in joined or "'" in joined:
            cells = [self._cell(number, pos, cell) for pos, cell in enumerate(cells)]
        self.width = max(self.width, len(cells))
        self.kept += 1
        if self.kept > limits.MAX_TABLE_ROWS:
            self._refuse(f"row {number}", f"more than {limits.MAX_TABLE_ROWS:,} rows")
        self.rows.append((number, cells))

    def _cell(self, number: int, pos: int, cell: object) -> object:
        """One cell within the limits, its escape quote removed (:func:`unescape_cell`)."""
        if not isinstance(cell, str):
            return cell
        if len(cell) > limits.MAX_CELL_CHARS:
            self._refuse(f"row {number}, column {column_letter(pos)}", f"a cell of {len(cell):,} characters, at "
                         f"most {limits.MAX_CELL_CHARS:,} (Excel's own limit){self.hint if chr(10) in cell else ''}")
        if self.hint and self._swallows_rows(cell):
            raise InputError([Problem(str(self.path), f"row {number}, column {column_letter(pos)}", "a cell holding "
                                      "several lines that look like rows of the file" + self.hint)])
        return unescape_cell(cell)

    def _swallows_rows(self, cell: str) -> bool:
        """Whether a CSV cell holds two or more lines with as many commas as a row of the file has: the
        mark of a stray double quote that has made the rows below part of one cell."""
        if "\n" not in cell or self.width < 3:
            return False
        return sum(line.count(",") >= self.width - 1 for line in cell.split("\n")) >= 2

    def _refuse(self, where: str, message: str) -> None:
        raise InputError([Problem(str(self.path), where, f"{message} (a documented limit, see docs/limits.md)")])


_QUOTE_HINT = ("; if a cell of this row starts with a double quote (\"), that quote opens a cell which runs on over "
               "the lines below to the next quote: remove the stray quote")


def _csv_rows(path: Path) -> list[tuple[int, list[object]]]:
    """CSV in UTF-8 (with or without BOM) or GB18030, the encodings Excel saves Chinese CSV in."""
    raw = read_bounded(path, limits.MAX_TABLE_BYTES, what=_WHAT)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError([Problem(str(path), "", "not a text file in UTF-8 or GB18030: save it as CSV UTF-8")])
    del raw
    rows = _Rows(path, _QUOTE_HINT)
    for number, cells in _csv_records(path, text):
        rows.add(number, [c if c.strip() else None for c in cells])
    return rows.rows


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV text by number, a ``csv.Error`` (a cell past the csv module's limit, a NUL)
    reported with the record it broke in."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = f"cannot be read as CSV ({exc})"
            if "field larger" in str(exc):
                message = (f"a cell longer than {csv.field_size_limit():,} characters, more than the CSV reader takes "
                           f"(field larger than field limit; Excel's own limit is {limits.MAX_CELL_CHARS:,}){_QUOTE_HINT}")
            raise InputError([Problem(str(path), f"row {number}", message)]) from None


# --- Excel -----------------------------------------------------------------------------------------


def _excel_sheet(path: Path) -> Sheet:
    """The first worksheet of an .xlsx workbook, read as a stream within the documented limits.

    Formula cells take the value the file stores for them; those with none are recorded in
    ``Sheet.formulas`` (a workbook written by a program that does not calculate formulas).
    """
    try:
        import openpyxl
    except ImportError:
        raise InputError([Problem(str(path), "", "reading .xlsx needs openpyxl: pip install 'cadresim[excel]', "
                                  "or save the sheet as CSV")]) from None
    size_problem(str(path), path.stat().st_size, limits.MAX_TABLE_BYTES, _WHAT)
    _check_unpacked(path)
    name, rows, formulas = _excel_pass(openpyxl, path, data_only=False)
    missing: set[tuple[int, int]] = set()
    if formulas:
        _, values, _ = _excel_pass(openpyxl, path, data_only=True, keep=formulas)
        cached = {(n, pos): cells[pos] for n, cells in values for pos in range(len(cells))}
        for n, cells in rows:
            for pos in [p for p in range(len(cells)) if (n, p) in formulas]:
                cells[pos] = cached.get((n, pos))
                if cells[pos] is None:
                    missing.add((n, pos))
    return Sheet(path, rows, name, missing)


def _check_unpacked(path: Path) -> None:
    """Refuse a workbook that unpacks past the documented limits, from the sizes its zip declares
    (Python's zip reader never unpacks more than an entry declares)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError([Problem(str(path), "", "cannot read this workbook (not a zip archive): save it again as "
                                  ".xlsx, without a password")]) from None
    total = sum(e.file_size for e in entries)
    if total > limits.MAX_XLSX_UNPACKED:
        raise InputError([Problem(str(path), "", f"unpacks to {total:,} bytes, at most {limits.MAX_XLSX_UNPACKED:,} "
                                  "(a documented limit, see docs/limits.md)")])
    for e in entries:
        if e.file_size > 1 << 20 and e.file_size > limits.MAX_XLSX_RATIO * max(e.compress_size, 1):
            raise InputError([Problem(str(path), e.filename, f"packed {e.file_size // max(e.compress_size, 1):,} to 1, "
                                      f"at most {limits.MAX_XLSX_RATIO} to 1: not a workbook a spreadsheet program "
                                      "writes (a documented limit, see docs/limits.md)")])


def _excel_pass(openpyxl: Any, path: Path, data_only: bool, keep: set[tuple[int, int]] | None = None
                ) -> tuple[str, list[tuple[int, list[object]]], set[tuple[int, int]]]:
    """One streaming read of the first worksheet: its name, its rows, and the formula cells found.

    With ``keep``, only the rows holding those cells are kept (the pass that fetches stored values).
    """
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or encrypted file
        raise _unreadable(path, exc) from None
    rows, formulas = _Rows(path), set()
    wanted = {n for n, _ in keep} if keep is not None else None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # programs write wrong dimensions; read every row there is
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if wanted is not None and number not in wanted:
                continue
            formulas |= {(number, pos) for pos, c in enumerate(row) if getattr(c, "data_type", None) == "f"}
            rows.add(number, [c.value for c in row])
        return sheet.title, rows.rows, formulas
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from None
    finally:
        book.close()


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError([Problem(str(path), "", f"cannot read this workbook ({type(exc).__name__}): save it "
                               "again as .xlsx, without a password")])


@dataclass
class Table:
    """A file's data rows under its recognised columns.

    Attributes:
        columns: field -> (header as written, position in the row).
        rows: (row number, cells) of the data rows that are not empty.
        header_row: the row number of the header.
        dropped: headers of personal identifiers, dropped unread.
        ignored: headers not recognised, or giving a field another column already gives.
        duplicates: field -> (header, position) of the other columns giving it (checked against the
            column used when the table is parsed).
    """

    sheet: Sheet
    columns: dict[str, tuple[str, int]]
    rows: list[tuple[int, list[object]]]
    header_row: int
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    duplicates: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

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
                                  f"rows: expected columns such as {expected}{_separator_hint(sheet, names)}")])
    table = Table(sheet, {}, [], header_row)
    private = {norm(h) for h in identifiers}
    given: dict[str, list[tuple[int, str, int]]] = {}
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
            given.setdefault(name, []).append((rank, str(cell), pos))
    for name, candidates in given.items():  # the most precise header first, then the leftmost
        (_, header_text, pos), *others = sorted(candidates, key=lambda c: (c[0], c[2]))
        table.columns[name] = (header_text, pos)
        if others:
            table.duplicates[name] = [(h, p) for _, h, p in sorted(others, key=lambda c: c[2])]
    used = [pos for _, pos in table.columns.values()]
    table.rows = [(n, cells) for n, cells in sheet.rows if n > header_row
                  and any(cell_text(cells[p]) or (n, p) in sheet.formulas for p in used if p < len(cells))]
    return table


def _find_header(sheet: Sheet, names: dict[str, tuple[str, int]]) -> tuple[int, list[object] | None]:
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        if sum(1 for c in cells if c is not None and norm(c) in names) >= 2:
            return number, cells
    return 0, None


def _separator_hint(sheet: Sheet, names: dict[str, tuple[str, int]]) -> str:
    """A hint when the header row is there but split by semicolons or tabs, not commas."""
    if sheet.name is not None:
        return ""
    for _, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        for sep, what in ((";", "semicolons (;)"), ("\t", "tabs")):
            for cell in cells:
                if isinstance(cell, str) and sum(norm(part) in names for part in cell.split(sep)) >= 2:
                    return (f". The header seems separated by {what}, not commas: save the file as CSV with commas "
                            "(in Excel: CSV UTF-8 (Comma delimited)), or as .xlsx")
    return ""


# --- parsing a table -----------------------------------------------------------------------------


def _parse_column(table: Table, name: str, parse: Callable[[object], Any], required: bool,
                  problems: list[Problem], bad: set[int]) -> dict[int, Any]:
    """Values of one column by row number; a problem (and the row in ``bad``) for each bad cell, the
    first ``limits.MAX_PROBLEMS_PER_COLUMN`` one by one and the others counted in one more."""
    out: dict[int, Any] = {}
    if name not in table.columns:
        return out
    found = _ColumnProblems(table, name)
    formulas = _formula_rows(table, name)
    for row, cells in table.rows:
        cell = table.cell(cells, name)
        if row in formulas:
            found.add(row, _FORMULA, None)
        elif cell_text(cell) is None:
            if required:
                found.add(row, "empty: this column is required", None)
        else:
            try:
                out[row] = parse(cell)
            except ValueError as exc:
                found.add(row, str(exc), _shown(cell))
    problems += found.problems()
    bad |= found.rows
    return out


_FORMULA = ("a formula whose value the file does not store (a program wrote the formula without calculating it): "
            "open the file in Excel or LibreOffice and save it, which stores every value, or replace the formulas "
            "by their values")


def _formula_rows(table: Table, name: str) -> set[int]:
    """Rows below the header whose cell in column ``name`` is a formula with no stored value."""
    pos = table.columns[name][1]
    return {row for row, p in table.sheet.formulas if p == pos and row > table.header_row}


class _ColumnProblems:
    """The bad cells of one column: the first MAX_PROBLEMS_PER_COLUMN as problems, the rest counted."""

    def __init__(self, table: Table, name: str) -> None:
        self.table, self.name, self.shown, self.rows = table, name, [], set()

    def add(self, row: int, message: str, value: object) -> None:
        self.rows.add(row)
        if len(self.shown) < limits.MAX_PROBLEMS_PER_COLUMN:
            where = self.table.where(row, self.name)
            if message is _FORMULA and self.table.sheet.name is not None:
                where = f"sheet {self.table.sheet.name}, {where}"
            self.shown.append(Problem(str(self.table.sheet.path), where, message, value))

    def problems(self) -> list[Problem]:
        hidden = sorted(self.rows)[len(self.shown):]
        if not hidden:
            return self.shown
        header = self.table.columns[self.name][0]
        return [*self.shown, Problem(str(self.table.sheet.path), f"rows {hidden[0]} to {hidden[-1]}, column {header}",
                                     f"{len(hidden):,} more bad cells in this column, not listed one by one: fix the "
                                     "ones above and check again")]


def _shown(cell: object) -> object:
    """A cell as the user would recognise it."""
    return cell.strftime("%Y-%m-%d") if isinstance(cell, (dt.datetime, dt.date)) else cell


def _parser(table: Table, column: Column, parsers: dict[str, Callable[[object], Any]]) -> Callable[[object], Any]:
    """The parser of ``column``: by its kind, a date column of Excel serial numbers read as such throughout."""
    if column.kind in SERIAL_PARSERS and column.field in table.columns:
        if serial_column(table.cell(cells, column.field) for _, cells in table.rows):
            return SERIAL_PARSERS[column.kind]
    return parsers[column.kind]


def _compare_duplicate(table: Table, column: Column, header: str, pos: int,
                       parse: Callable[[object], Any]) -> list[Problem]:
    """A problem when the column at ``pos`` disagrees with the column used for ``column`` (as values: 1975-03
    and 1975-03-12 agree); else a truthful note in ``table.ignored``."""
    name = column.field
    used, used_pos = table.columns[name]
    differ = []
    for row, cells in table.rows:
        other = cells[pos] if pos < len(cells) else None
        if cell_text(other) is not None and _value(parse, other) != _value(parse, table.cell(cells, name)):
            differ.append((row, table.cell(cells, name), other))
    a, b = f"{column_letter(used_pos)} ({used})", f"{column_letter(pos)} ({header})"
    if not differ:
        table.ignored.append(f"{header} (column {column_letter(pos)}: the same values as column {a})")
        return []
    row, x, y = differ[0]
    return [Problem(str(table.sheet.path), f"row {row}, columns {column_letter(used_pos)} and {column_letter(pos)}",
                    f"columns {a} and {b} both give {column.zh} ({column.en}) but differ in {len(differ):,} row(s), the first here "
                    f"({_shown(x)!r} and {_shown(y)!r}): delete one of them, or make them agree")]


def _value(parse: Callable[[object], Any], cell: object) -> object:
    """A cell as compared between duplicate columns: its parsed value, else its text."""
    if cell_text(cell) is None:
        return None
    try:
        return parse(cell)
    except ValueError:
        return ("text", cell_text(cell))


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
    """Parse every column of ``spec`` the table has, with ``parsers`` by column kind; collect the problems.

    A column giving the same field as the one used must agree with it in every row where it is filled.
    """
    spec = tuple(spec)
    problems, bad = _missing_columns(table, spec), set()
    values = {c.field: _parse_column(table, c.field, _parser(table, c, parsers), c.required, problems, bad)
              for c in spec}
    columns = {c.field: c for c in spec}
    for name, others in table.duplicates.items():
        for header, pos in others:
            problems += _compare_duplicate(table, columns[name], header, pos, _parser(table, columns[name], parsers))
    if not table.rows:
        problems.append(Problem(str(table.sheet.path), f"row {table.header_row + 1}", "no data rows below the "
                                "header"))
    return Parsed(table, values, problems, bad)
