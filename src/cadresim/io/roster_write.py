"""Writing a district's roster as files: exports of a roster, empty templates, the explanation sheets.

Writes CSV (UTF-8 with BOM, so Excel opens Chinese text) or .xlsx with a second sheet explaining
every column in Chinese and English (:mod:`cadresim.io.roster_columns`), and the scenario file naming
the two files. Exports carry the file's own cadre ids when the roster has them (``Roster.ids``). Text
that a spreadsheet would take as a formula is escaped (:mod:`cadresim.io.spreadsheet_escape`); reading
undoes it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

import pandas as pd

from cadresim import dates
from cadresim.errors import InputError, Problem
from cadresim.district.roster import Roster
from cadresim.io.roster_columns import CADRE_FILE_COLUMNS, Column, unit_file_columns
from cadresim.io.roster_sheets import EXCEL_SUFFIXES
from cadresim.io.roster_titles import LEADING_TITLES
from cadresim.io.spreadsheet_escape import escape_cell, escape_rows
from cadresim.scenario.schema import Scenario


def cadre_rows(roster: Roster, scenario: Scenario, lang: str) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the roster file for ``roster`` (dates as YYYY-MM)."""
    c, ladder = roster.cadres.sort_values("cadre_id"), scenario.ladder
    names = dict(zip(roster.units["unit_id"], roster.units["name"]))
    zh = lang == "zh"
    rows = []
    for r in c.itertuples(index=False):
        cid = roster.ids[r.cadre_id] if roster.ids is not None else r.cadre_id
        never = "" if r.grade == ladder[0] else ("无" if zh else "none")
        rows.append([cid, _ym(r.birth), ("女" if r.female else "男") if zh else ("F" if r.female else "M"),
                     _ym(r.work_start), _grade_label(scenario, r.grade, zh),
                     _title(scenario, r.grade, r.nonleading, zh), _flag(r.nonleading, zh), _ym(r.grade_since),
                     int(r.unit_id), names.get(r.unit_id, ""), _ym(r.post_since), _ym(r.last_promotion) or never,
                     int(r.posts_held), int(r.grassroots_months), _flag(r.enterprise, zh), r.cohort, _ym(r.probation_end),
                     _ym(r.secondment_end)])
    return _headers(CADRE_FILE_COLUMNS, lang), rows


def unit_rows(roster: Roster, scenario: Scenario, lang: str) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the units file for ``roster``."""
    types = {k: (u.name_zh if lang == "zh" and u.name_zh else k) for k, u in scenario.district.units.items()}
    posts = [f"posts_{g}" for g in scenario.ladder]
    units = roster.units.sort_values("unit_id")
    group = units["district"] if "district" in units else pd.Series(0, index=units.index)
    rows = [[int(u.unit_id), u.name, types.get(u.type, u.type), "" if g < 0 else int(g),
             *(int(getattr(u, p)) for p in posts)] for u, g in zip(units.itertuples(index=False), group)]
    return _headers(unit_file_columns(scenario), lang), rows


def _headers(spec: Iterable[Column], lang: str) -> list[str]:
    return [c.zh if lang == "zh" else c.en for c in spec]


def _ym(month: int) -> str:
    return dates.fmt(month) if month >= 0 else ""


def _flag(value: bool, zh: bool) -> str:
    return ("是" if value else "否") if zh else ("yes" if value else "no")


def _grade_label(scenario: Scenario, grade: str, zh: bool) -> str:
    return (scenario.grades[grade].name_zh or grade) if zh else grade


def _title(scenario: Scenario, grade: str, nonleading: bool, zh: bool) -> str:
    """The 职务 written for a cadre: the rank's name for a non-leading holder, else empty (the file does not
    know a leading holder's title)."""
    rank = scenario.nonleading.ranks.get(grade) if nonleading else None
    if rank is None:
        return ""
    return (rank.name_zh if zh else rank.name) or rank.name_zh or rank.name


def explanation_rows(spec: Iterable[Column]) -> tuple[list[str], list[list[str]]]:
    """A table explaining each column in both languages."""
    headers = ["列名 column", "英文列名 English header", "必填 required", "含义", "meaning", "空白或缺列时",
               "if empty or absent", "示例 example", "也接受的列名 also accepted"]
    rows = [[c.zh, c.en, "是 yes" if c.required else "否 no", c.meaning_zh, c.meaning, c.empty_zh, c.empty,
             c.example, ", ".join(c.aliases)] for c in spec]
    return headers, rows


#: accepted date forms, for the explanation sheets
DATE_FORMS = ("日期 dates: 2014-03, 2014.03, 2014.3, 2014/03, 2014年3月, 201403, or an Excel date (the day is not "
              "used); 1975.1 is ambiguous (January, or 1975.10 shortened by Excel): write 1975-01 or 1975.01 "
              "(日期可写作 2014-03、2014.03、2014年3月、201403 或 Excel 日期；1975.1 有歧义，请写 1975-01 或 1975.01)")
#: the 职务 read by default, for the explanation sheets
TITLE_FORMS = ("职务 titles: the non-leading ranks of the scenario (副主任科员, 主任科员, 副调研员, 调研员 by default); 科员, "
               "办事员 (staff); leading titles " + ", ".join(t for t in LEADING_TITLES if not t.isascii()) + " and any "
               "title ending in one (党组书记); map any other in the scenario, e.g. nonleading.roster_titles: "
               "{站务主管: leading} (职务：默认识别非领导职务、科员、办事员及上列领导职务；其他职务名称请在情景文件 "
               "nonleading.roster_titles 中对照为 leading 或 nonleading)")


def write_table(path: Path, headers: list[str], rows: list[list[object]],
                notes: tuple[list[str], list[list[str]]] | None = None) -> Path:
    """Write a CSV (UTF-8 with BOM, so Excel opens Chinese text) or an .xlsx with a second sheet of notes.

    Text cells a spreadsheet would take as formulas are escaped (:func:`escape_cell`).
    """
    headers, rows = [escape_cell(h) for h in headers], escape_rows(rows)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _write_xlsx(path, headers, rows, notes and (notes[0], escape_rows(notes[1])))
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, headers: list[str], rows: list[list[object]],
                notes: tuple[list[str], list[list[str]]] | None) -> Path:
    try:
        import openpyxl
        from openpyxl.styles import Font
    except ImportError:
        raise InputError([Problem(str(path), "", "writing .xlsx needs openpyxl: pip install 'cadresim[excel]', "
                                  "or use --format csv")]) from None
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    for values in [headers, *rows]:
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):  # dates and ids stay text, as written
        for cell in column:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    if notes:
        info = book.create_sheet("说明 columns")
        for values in [notes[0], *notes[1], [], [DATE_FORMS], [TITLE_FORMS]]:
            info.append(values)
        for cell in info[1]:
            cell.font = Font(bold=True)
    for ws in book.worksheets:
        _text_stays_text(ws)
    book.save(path)
    return path


def _text_stays_text(sheet) -> None:
    """Type every text cell as a string, so that openpyxl never writes one as a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def export_roster(roster: Roster, scenario: Scenario, folder: Path, fmt: str = "csv",
                  lang: str = "zh") -> tuple[Path, Path]:
    """Write ``roster`` as a roster file and a units file in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    cadres = write_table(folder / f"roster.{fmt}", *cadre_rows(roster, scenario, lang),
                         explanation_rows(CADRE_FILE_COLUMNS))
    units = write_table(folder / f"units.{fmt}", *unit_rows(roster, scenario, lang),
                        explanation_rows(unit_file_columns(scenario)))
    return cadres, units


def write_template(scenario: Scenario, folder: Path, fmt: str = "csv", lang: str = "zh") -> list[Path]:
    """Empty roster and units files, and a table explaining every column in both languages."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_table(folder / f"roster.{fmt}", _headers(CADRE_FILE_COLUMNS, lang), [],
                           explanation_rows(CADRE_FILE_COLUMNS)),
               write_table(folder / f"units.{fmt}", _headers(unit_file_columns(scenario), lang), [],
                           explanation_rows(unit_file_columns(scenario)))]
    if fmt == "csv":
        headers, rows = explanation_rows(CADRE_FILE_COLUMNS)
        unit_rows_ = explanation_rows(unit_file_columns(scenario))[1]
        written.append(write_table(folder / "columns.csv", ["文件 file", *headers],
                                   [["roster", *r] for r in rows] + [["units", *r] for r in unit_rows_]
                                   + [[], [DATE_FORMS], [TITLE_FORMS]]))
    return written


def scenario_text(name: str, extends: str | None, roster: str, units: str, about: str,
                  suggest: str | None = None, stream: int = 0) -> str:
    """A scenario file naming the roster and units files (relative to its own folder).

    Args:
        extends: the scenario it extends (a path relative to its folder), if any.
        suggest: without ``extends``, a scenario to offer in a commented-out ``extends:`` line (a path
            relative to its folder, so that the line works when uncommented).
        stream: the random stream of the grown district the roster was exported from (0: none), so that a run
            on the files equals that district's runs.
    """
    lines = [f"# {about}", f"name: {name}"]
    if extends:
        lines.append(f"extends: {extends}")
    elif suggest:
        lines.append(f"# extends: {suggest}   # optional: the scenario whose policy to run (a path relative to "
                     "this file)")
    else:
        lines.append("# optional: to run another scenario's policy on this roster, add a line extends: <that "
                     "scenario file, as a path relative to this file>")
    lines += ["district:", f"  roster_file: {roster}", f"  units_file: {units}"]
    lines += [f"  stream: {stream}  # the grown district's random stream: runs here equal its runs"] if stream else []
    lines += [""]
    return "\n".join(lines)
