"""A district's own roster: read, parse and check it from CSV or Excel files.

A roster is two tables: cadres (one row per person) and units (one row per unit, with its posts per
grade). Headers may be the English keys or Chinese, including the older forms of 2014 HR files
(:data:`cadresim.io.roster_columns.CADRE_FILE_COLUMNS`); dates may take the forms those files use
(2014-03, 2014.03, 2014年3月, 201403, Excel dates). Everything wrong is reported at once, each
problem with its file, its row as the spreadsheet numbers it, its column as the user wrote it, the
value and what is allowed.

Privacy: columns of names, ID-card numbers and contact details are recognised and dropped unread,
and other unrecognised columns are ignored, so none of them reaches the roster. Dates are kept to
the month. The file's own cadre ids stay in memory (``Roster.ids``), for ``--keep-ids``; outputs carry
pseudonyms (:mod:`cadresim.io.privacy`).

This module parses the two files and checks them; it builds on :mod:`cadresim.io.roster_sheets` (files as
tables), :mod:`cadresim.io.roster_columns` (the documented columns) and :mod:`cadresim.io.roster_cells`
(reading one cell). Writing rosters and templates is :mod:`cadresim.io.roster_write`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from cadresim import limits
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import file_sha256
from cadresim.district.roster import CADRE_COLUMNS, Roster, Where, check_roster, nonleading_notes, rule_breaches
from cadresim.io.roster_cells import GRASSROOTS_FLAG_MONTHS, cell_parsers, cell_text, is_flag, lookup, norm
from cadresim.io.roster_columns import CADRE_FILE_COLUMNS, CADRE_FILE_FIELDS, IDENTIFIER_HEADERS, unit_file_columns
from cadresim.io.roster_sheets import Parsed, Sheet, parse_table, read_sheet, tabulate
from cadresim.io.roster_titles import level_parser, settle, title_parser
from cadresim.scenario.schema import Scenario

#: ID-card numbers (居民身份证号码): 18 characters since 1999, 15 digits in the first-generation cards
_ID_CARD = re.compile(r"^(\d{17}[\dXx]|\d{15})$")


# --- units ---------------------------------------------------------------------------------------


def _parse_units(sheet: Sheet, scenario: Scenario) -> tuple[Parsed, pd.DataFrame]:
    spec = unit_file_columns(scenario)
    table = tabulate(sheet, spec)
    _refuse_rows(table.sheet, len(table.rows), "units", limits.MAX_UNITS)
    parsed = parse_table(table, spec, cell_parsers(scenario))
    rows = [row for row, _ in parsed.table.rows]
    if "unit_id" in parsed.table.columns:  # a given id column needs every id
        for row in rows:
            if row not in parsed.values["unit_id"] and row not in parsed.bad:
                parsed.problems.append(Problem(str(sheet.path), parsed.table.where(row, "unit_id"),
                                               "empty: give every unit an id, or leave the column out"))
                parsed.bad.add(row)
    ids = [parsed.get("unit_id", row, i) if "unit_id" in parsed.table.columns else i for i, row in enumerate(rows)]
    types = [parsed.get("type", r, "") for r in rows]
    city = {k for k, u in scenario.district.units.items() if u.level == "city"}
    frame = pd.DataFrame({"unit_id": pd.Series(ids, dtype="int64"),
                          "name": pd.Series([parsed.get("name", r, "") for r in rows], dtype=str),
                          "type": pd.Series(types, dtype=str),
                          **{f"posts_{g}": pd.Series([parsed.get(f"posts_{g}", r, 0) for r in rows], dtype="int64")
                             for g in scenario.ladder},
                          "district": pd.Series([-1 if t in city else parsed.get("district", r, 0)
                                                 for r, t in zip(rows, types)], dtype="int64")})
    frame["_row"] = rows
    return parsed, frame


def _refuse_rows(sheet: Sheet, rows: int, what: str, limit: int) -> None:
    """Refuse a file of more than ``limit`` data rows before its cells are parsed."""
    problems = limits.within(str(sheet.path), "", f"{what} (data rows)", rows, limit)
    if problems:
        raise InputError(problems)


def _size_problems(frame: pd.DataFrame, scenario: Scenario, path: str) -> list[Problem]:
    """The units file's posts within the documented limit (a Youth Talent cohort larger than its pool in
    these units is a warning of the run, as the engine draws as many members as there are)."""
    limited = [g for g in scenario.ladder if scenario.grades[g].kind == "post_limited"]
    total = int(sum(frame[f"posts_{g}"].sum() for g in limited))
    return limits.within(path, "", "posts in all units", total, limits.MAX_CADRES)


def _unit_parsers(units: Parsed, frame: pd.DataFrame) -> dict[str, Callable[[object], Any]]:
    """Parsers of the roster's unit columns: by unit id, or by unit name.

    Every unit row counts, its own problems aside (they are reported in the units file, and the cadres
    of such a unit are left out of the consistency checks).
    """
    ids = {str(u): int(u) for u in frame["unit_id"]}
    shown = [f"{u} ({n})" for u, n in zip(frame["unit_id"], frame["name"])]
    by_id = lookup(ids, "unit id", shown[:5] + (["..."] if len(shown) > 5 else []))
    names: dict[str, list[int]] = {}
    for unit, name in zip(frame["unit_id"], frame["name"]):
        names.setdefault(norm(name), []).append(int(unit))
    file = units.table.sheet.path.name

    def by_name(cell: object) -> int:
        found = names.get(norm(cell_text(cell) or ""), [])
        if not found:
            raise ValueError(f"unknown unit: not a name in {file}")
        return found[0]  # a name two units share is reported in the units file
    return {"unit_id": by_id, "unit_name": by_name}


def _check_unit_keys(units: Parsed, frame: pd.DataFrame, cadres: Parsed) -> list[Problem]:
    """The roster's way of naming units works with the units file: ids both sides, or unique names.

    Returns:
        The new problems (they are also added to ``units``).
    """
    before = len(units.problems)
    if "unit_id" in cadres.table.columns and "unit_id" not in units.table.columns:
        header = cadres.table.columns["unit_id"][0]
        units.problems.append(Problem(str(units.table.sheet.path), f"row {units.table.header_row}",
                                      f"missing column 单位编号 (unit_id): the roster gives {header}, so the units "
                                      "need their ids (or leave the ids out of the roster and name units by 单位)"))
    elif "unit_id" not in cadres.table.columns and "unit_name" in cadres.table.columns:
        _check_unit_names(units, frame)
    return units.problems[before:]


def _check_unit_names(units: Parsed, frame: pd.DataFrame) -> None:
    """When the roster names units by name, no two units may share one."""
    first: dict[str, int] = {}
    for row, name in zip(frame["_row"], frame["name"]):
        key = norm(name)
        if key and key in first:
            units.problems.append(Problem(str(units.table.sheet.path), units.table.where(row, "name"),
                                          f"the same name as row {first[key]}: the roster names units by name, so "
                                          "names must differ (or give 单位编号 in both files)", name))
            units.bad |= {row, first[key]}
        first.setdefault(key, row)


# --- cadres --------------------------------------------------------------------------------------


def _parse_cadres(sheet: Sheet, scenario: Scenario, unit_parsers: dict[str, Callable[[object], Any]]) -> Parsed:
    table = tabulate(sheet, CADRE_FILE_COLUMNS, IDENTIFIER_HEADERS)
    _refuse_rows(table.sheet, len(table.rows), "cadres", limits.MAX_CADRES)
    parsers = {**cell_parsers(scenario), "grade": level_parser(scenario), "title": title_parser(scenario)}
    parsed = parse_table(table, CADRE_FILE_COLUMNS, {**parsers, **unit_parsers})
    settle(parsed, scenario)
    where = str(sheet.path)
    if "unit_id" not in table.columns and "unit_name" not in table.columns:
        parsed.problems.append(Problem(where, f"row {table.header_row}", "missing column 单位编号 (unit_id) or "
                                       "单位 (unit): one of them names each cadre's unit"))
    _check_units_agree(parsed)
    _check_ids(parsed)
    return parsed


def _check_units_agree(parsed: Parsed) -> None:
    by_id, by_name = parsed.values.get("unit_id", {}), parsed.values.get("unit_name", {})
    for row in sorted(set(by_id) & set(by_name)):
        if by_id[row] != by_name[row]:
            parsed.problems.append(Problem(str(parsed.table.sheet.path), parsed.table.where(row, "unit_name"),
                                           f"does not match unit id {by_id[row]} in the same row"))
            parsed.bad.add(row)


def _check_ids(parsed: Parsed) -> None:
    """Ids are unique, and none looks like an ID-card number (those must not be used as ids)."""
    ids, source = parsed.values.get("cadre_id", {}), str(parsed.table.sheet.path)
    first: dict[str, int] = {}
    for row, value in ids.items():
        if value in first:
            parsed.problems.append(Problem(source, parsed.table.where(row, "cadre_id"),
                                           f"duplicate id (also in row {first[value]})", value))
            parsed.bad |= {row, first[value]}
        first.setdefault(value, row)
    cards = [row for row, value in ids.items() if _ID_CARD.match(value)]
    if cards:
        shown = ", ".join(map(str, cards[:10])) + (" ..." if len(cards) > 10 else "")
        parsed.problems.append(Problem(source, f"column {parsed.table.columns['cadre_id'][0]}",
                                       f"{len(cards)} id(s) look like ID-card numbers (rows {shown}): use another "
                                       "id, such as the HR system's 工号 or a running number"))
        parsed.bad |= set(cards)


def internal_ids(ids: list[str]) -> tuple[list[int], tuple[str, ...] | None]:
    """Cadre ids for the engine: the file's ids when they are exactly 0..n-1, else 0..n-1 in file order.

    Returns:
        The cadre ids, and the file's ids by cadre id (None when they are the cadre ids).
    """
    if all(re.fullmatch(r"\d+", i) for i in ids) and sorted(int(i) for i in ids) == list(range(len(ids))):
        return [int(i) for i in ids], None
    return list(range(len(ids))), tuple(ids)


def _cadre_frame(parsed: Parsed, rows: list[int], ids: list[int], scenario: Scenario,
                 units: pd.DataFrame) -> pd.DataFrame:
    """The roster's cadre table (``roster.CADRE_COLUMNS``) for ``rows``, empty cells given their defaults."""
    get = parsed.get
    unit = [get("unit_id", r, get("unit_name", r, -1)) for r in rows]
    grade = [get("grade", r, scenario.ladder[0]) for r in rows]
    since = [get("grade_since", r, -1) for r in rows]
    bottom = scenario.ladder[0]
    data = {
        "cadre_id": ids, "birth": [get("birth", r, -1) for r in rows],
        "female": [get("female", r, False) for r in rows], "work_start": [get("work_start", r, -1) for r in rows],
        "grade": grade, "grade_since": since, "unit_id": unit,
        "post_since": [get("post_since", r, s) for r, s in zip(rows, since)],
        "last_promotion": [get("last_promotion", r, -1 if g == bottom else s) for r, g, s in zip(rows, grade, since)],
        "posts_held": [get("posts_held", r, 1) for r in rows],
        "grassroots_months": [get("grassroots_months", r, 0) for r in rows],
        "enterprise": [get("enterprise", r, False) for r in rows], "cohort": [get("cohort", r, "") for r in rows],
        "probation_end": [get("probation_end", r, -1) for r in rows],
        "secondment_end": [get("secondment_end", r, -1) for r in rows],
        "nonleading": [get("nonleading", r, False) for r in rows],
    }
    frame = pd.DataFrame({c: pd.Series(data[c], dtype=t) for c, (t, _) in CADRE_COLUMNS.items()})
    if "probation_end" not in parsed.table.columns:
        frame["probation_end"] = derived_probation(frame, scenario, units)
    return frame


def derived_probation(cadres: pd.DataFrame, scenario: Scenario, units: pd.DataFrame) -> pd.Series:
    """Probation ends when a file does not give them: ``probation.months`` after a promotion into a grade
    whose ``probation_in`` lists the unit's type, if that is after the start date (as the synthetic district)."""
    months, start = scenario.probation.months, scenario.start_month
    types = cadres["unit_id"].map(units.drop_duplicates("unit_id").set_index("unit_id")["type"])
    applies = [g in scenario.grades and t in scenario.grades[g].probation_in for g, t in zip(cadres["grade"], types)]
    end = cadres["grade_since"] + months
    on = np.array(applies, dtype=bool) & (cadres["last_promotion"] >= 0) & (months > 0) & (end > start)
    return pd.Series(np.where(on, end, -1), index=cadres.index, dtype="int64")


# --- loading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A roster read from files, and what the user should know about how it was read."""

    roster: Roster
    notes: list[str]


def load_roster(scenario: Scenario) -> Roster:
    """The start roster of ``scenario``: its files when it names them, else the synthetic district.

    Raises:
        InputError: listing every problem of the files.
    """
    return read_roster(scenario).roster


def read_roster(scenario: Scenario) -> Loaded:
    """As :func:`load_roster`, with notes on dropped and ignored columns and the defaults applied."""
    d = scenario.district
    if d.roster_file is None or d.units_file is None:
        from cadresim.district.synthetic import generate

        return Loaded(generate(scenario), [])
    return read_files(scenario, Path(d.roster_file), Path(d.units_file))


def read_files(scenario: Scenario, roster_path: Path, units_path: Path) -> Loaded:
    """Read, parse and check a roster and a units file against ``scenario``.

    Raises:
        InputError: listing every problem of both files at once.
    """
    sheets, problems = {}, []
    for role, path in (("units", units_path), ("roster", roster_path)):
        try:
            sheets[role] = read_sheet(path)
        except InputError as exc:
            problems += exc.problems
    units, unit_frame, cadres = _parse_both(sheets, scenario, problems)
    order = [str(roster_path), str(units_path)]
    if problems or units is None or cadres is None:
        raise InputError(_in_order(problems, order))
    rows = [row for row, _ in cadres.table.rows]
    ids, user_ids = internal_ids([cadres.values["cadre_id"][r] for r in rows])
    frame = _cadre_frame(cadres, rows, ids, scenario, unit_frame)
    roster = Roster(unit_frame.drop(columns="_row"), frame, scenario.start_month, user_ids,
                    {"roster": file_sha256(roster_path), "units": file_sha256(units_path)})
    problems = _checked_fields(check_roster(roster, scenario, where=_where(units, unit_frame, cadres, rows),
                                            rules=False), cadres)
    if problems:
        raise InputError(_in_order(problems, order))
    return Loaded(roster, _notes(units, cadres, roster, scenario))


def _checked_fields(problems: list[Problem], cadres: Parsed) -> list[Problem]:
    """Leave out problems of fields the file does not give: their defaults only echo another column's."""
    absent = {f for f in CADRE_COLUMNS if f not in cadres.table.columns and f not in ("cadre_id", "unit_id")}
    return [p for p in problems if p.path.rpartition(", column ")[2] not in absent]


def _in_order(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Problems by file (in the order of ``files``), then row (file-level problems first); within a row,
    in the order found."""
    def key(p: Problem) -> tuple[int, int]:
        m = re.match(r"rows? (\d+)", p.path)
        return files.index(p.source) if p.source in files else len(files), int(m.group(1)) if m else 0
    return sorted(problems, key=key)


def _parse_both(sheets: dict[str, Sheet], scenario: Scenario,
                problems: list[Problem]) -> tuple[Parsed | None, pd.DataFrame, Parsed | None]:
    """Parse the units, then the roster against them; add their problems (and consistency problems of
    the rows that parsed) to ``problems``."""
    units, frame, cadres = None, pd.DataFrame(), None
    try:
        if "units" in sheets:
            units, frame = _parse_units(sheets["units"], scenario)
            problems += units.problems + _size_problems(frame, scenario, str(sheets["units"].path))
        if "roster" in sheets:
            parsers = _unit_parsers(units, frame) if units else {k: lambda c: -1 for k in ("unit_id", "unit_name")}
            cadres = _parse_cadres(sheets["roster"], scenario, parsers)
            problems += cadres.problems
            if units is not None:
                problems += _check_unit_keys(units, frame, cadres)
    except InputError as exc:
        problems += exc.problems
    if problems and units is not None and cadres is not None:
        problems += _partial_check(units, frame, cadres, scenario)
    return units, frame, cadres


def _partial_check(units: Parsed, frame: pd.DataFrame, cadres: Parsed, scenario: Scenario) -> list[Problem]:
    """Consistency problems among the rows that parsed (so a first pass shows them too)."""
    if any(c.required and c.field not in cadres.table.columns for c in CADRE_FILE_COLUMNS):
        return []
    good_units = frame[~frame["_row"].isin(units.bad)]
    known = set(good_units["unit_id"])
    rows = [r for r in cadres.good_rows
            if cadres.get("unit_id", r, cadres.get("unit_name", r, -1)) in known]
    if not rows:
        return []
    frame_c = _cadre_frame(cadres, rows, list(range(len(rows))), scenario, good_units)
    roster = Roster(good_units.drop(columns="_row").reset_index(drop=True), frame_c, scenario.start_month)
    found = check_roster(roster, scenario, where=_where(units, good_units, cadres, rows), rules=False)
    return [p for p in _checked_fields(found, cadres) if "holders" not in p.message]  # counts would be partial


def _where(units: Parsed, unit_frame: pd.DataFrame, cadres: Parsed, rows: list[int]) -> Where:
    cadre_headers = {k: h for k, (h, _) in cadres.table.columns.items()}
    cadre_headers["unit_id"] = cadre_headers.get("unit_id", cadre_headers.get("unit_name", "unit_id"))
    return Where(str(cadres.table.sheet.path), str(units.table.sheet.path), rows, list(unit_frame["_row"]),
                 cadre_headers, {k: h for k, (h, _) in units.table.columns.items()})


def _notes(units: Parsed, cadres: Parsed, roster: Roster, scenario: Scenario) -> list[str]:
    """What the user should know about how the files were read (headers and counts only, no values)."""
    notes = []
    for parsed in (cadres, units):
        name = parsed.table.sheet.path.name
        if parsed.table.dropped:
            notes.append(f"{name}: personal identifiers dropped unread: {', '.join(parsed.table.dropped)}")
        if parsed.table.ignored:
            notes.append(f"{name}: columns not used: {', '.join(parsed.table.ignored)}")
    notes += _default_notes(cadres, scenario)
    on_probation = int((roster.cadres["probation_end"] >= 0).sum())
    if on_probation and "probation_end" not in cadres.table.columns:
        notes.append(f"{on_probation} cadre(s) taken to be on probation (promoted less than "
                     f"{scenario.probation.months} months before the start into a grade with probation)")
    breaches = rule_breaches(roster, scenario)
    if breaches:
        notes.append(f"{len(breaches)} cadre(s) entered their grade above its age ceiling: kept as they are (the "
                     "rule applies to promotions from the start date on)")
    return notes + nonleading_notes(roster, scenario)


def _default_notes(cadres: Parsed, scenario: Scenario) -> list[str]:
    table, notes = cadres.table, []
    column = table.columns.get("grassroots_months")
    flags = sum(is_flag(table.cell(cells, "grassroots_months")) for _, cells in table.rows) if column else 0
    if flags:
        notes.append(f"grassroots experience given as 是/否 for {flags} cadre(s): 是 counted as "
                     f"{GRASSROOTS_FLAG_MONTHS} months, 否 as 0 [assumption]")
    for col in CADRE_FILE_COLUMNS:
        if not col.required and col.field not in table.columns and col.field not in ("unit_id", "unit_name",
                                                                                      "nonleading"):
            notes.append(f"no column {col.zh} ({col.en}): {col.empty}")
    rules = [f"grades.{k}.posts_held_below ({g.posts_held_below})" for k, g in scenario.grades.items()
             if (g.posts_held_below or 1) > 1]
    if "posts_held" not in table.columns and rules:
        notes.append(f"so no one meets {', '.join(rules)} on the start date: give {CADRE_FILE_FIELDS['posts_held'].zh} "
                     "if the file can")
    return notes

