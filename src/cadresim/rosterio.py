"""A district's own roster: read and check it from CSV or Excel files; write it, and empty templates.

A roster is two tables: cadres (one row per person) and units (one row per unit, with its posts per
grade). Headers may be the English keys or Chinese, including the older forms of 2014 HR files
(:data:`CADRE_FILE_COLUMNS`); dates may take the forms those files use (2014-03, 2014.03, 2014年3月,
201403, Excel dates). Everything wrong is reported at once, each problem with its file, its row as
the spreadsheet numbers it, its column as the user wrote it, the value and what is allowed.

Privacy: columns of names, ID-card numbers and contact details are recognised and dropped unread,
and other unrecognised columns are ignored, so none of them reaches the roster. Dates are kept to
the month. The file's own cadre ids stay in memory (``Roster.ids``), for ``--keep-ids``; outputs carry
pseudonyms (:mod:`cadresim.privacy`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.errors import InputError, Problem
from cadresim.roster import CADRE_COLUMNS, Roster, Where, check_roster, rule_breaches
from cadresim.scenario import Scenario

#: months of grassroots experience assumed for 是 in a yes/no column ("two years or more") [assumption]
GRASSROOTS_FLAG_MONTHS = 24
#: rows searched for the header row (HR files often put a title above it)
HEADER_SEARCH_ROWS = 10
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
NONE_WORDS = ("无", "none", "-", "—")  # an explicit "never" in an optional date column
TRUE_WORDS = ("是", "有", "y", "yes", "true", "1", "√", "✓")
FALSE_WORDS = ("否", "无", "n", "no", "false", "0", "×", "✗")
_TEXT_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:\s*[-./]?\s*(\d{1,2})\s*日?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)年)?(?:(\d+)个?月)?$")
_ID_CARD = re.compile(r"^\d{17}[\dXx]$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 73050  # 2099-12-31


# --- the documented columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A documented column of a roster or units file.

    Attributes:
        field: the internal field it fills.
        zh: the header written in templates and exports (Chinese).
        en: the header written with English headers.
        kind: how cells are read (see ``_parsers``).
        required: the column must be present.
        meaning: what it holds (English).
        meaning_zh: what it holds (Chinese).
        example: an example value.
        aliases: further headers accepted, most precise first (older forms, variants).
        empty: what an empty cell, or an absent optional column, means (English).
        empty_zh: the same in Chinese.
    """

    field: str
    zh: str
    en: str
    kind: str
    required: bool
    meaning: str
    meaning_zh: str
    example: str
    aliases: tuple[str, ...] = ()
    empty: str = ""
    empty_zh: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


def _col(field_: str, zh: str, kind: str, required: bool, meaning: str, meaning_zh: str, example: str,
         aliases: tuple[str, ...] = (), empty: tuple[str, str] = ("", ""), en: str | None = None) -> Column:
    return Column(field_, zh, en or field_, kind, required, meaning, meaning_zh, example, aliases, *empty)


#: columns of the roster (cadres) file, in the order templates and exports write them
CADRE_FILE_COLUMNS = (
    _col("cadre_id", "人员编号", "id", True, "the cadre's id, unique in the file: the HR system's 工号, or 1, 2, "
         "3...; never an ID-card number", "人员编号，本表内唯一：可用人事系统工号或顺序号，不得使用身份证号", "A0017",
         ("工号", "编号", "干部编号", "人员代码", "id")),
    _col("birth", "出生年月", "month", True, "birth month", "出生年月", "1975-03",
         ("出生日期", "出生年月日", "出生时间", "birth_month", "date_of_birth")),
    _col("female", "性别", "sex", True, "sex: 男 or 女 (M or F)", "性别：男 或 女", "女", ("gender",), en="sex"),
    _col("work_start", "参加工作时间", "month", True, "month the cadre started work (before the civil service "
         "included)", "参加工作时间（含进入机关前的工作经历）", "1997-07", ("参加工作年月", "参加工作日期")),
    _col("grade", "现职务层次", "grade", True, "grade on the start date: a grade key of the scenario or its "
         "Chinese name (科员, 副科, 正科, 副处, 正处, 副局; 正处级 and so on also accepted)",
         "现职务层次：科员、副科、正科、副处、正处、副局（也可写 正处级 等）", "正科",
         ("现任职级", "职务层次", "现职级", "职级", "现职务级别")),
    _col("grade_since", "任现职务层次时间", "month", True, "month the cadre entered the grade",
         "任现职务层次（职级）的时间", "2011-06", ("任现职级时间", "任现级别时间", "任现职务层次日期", "任职级时间")),
    _col("unit_id", "单位编号", "unit_id", False, "the unit: its 单位编号 in the units file (this column or 单位 "
         "is required; with both, they must agree)", "所在单位的单位编号（与单位表一致；本列与“单位”至少填一列）", "3",
         ("单位代码",)),
    _col("unit_name", "单位", "unit_name", False, "the unit: its name in the units file", "所在单位名称（与单位表一致）",
         "区发展改革委", ("工作单位", "所在单位", "单位名称", "unit_name"), en="unit"),
    _col("post_since", "任现职时间", "month", False, "month the cadre took the current post", "任现职（现岗位）的时间",
         "2012-09", ("任现岗位时间", "任现职务时间"), ("the month the cadre entered the grade", "同任现职务层次时间")),
    _col("last_promotion", "最近晋升时间", "month_or_none", False, "month of the last promotion",
         "最近一次晋升的时间", "2011-06", ("上次晋升时间",),
         ("the month the cadre entered the grade (none for the bottom grade); 无 or none: never promoted",
          "同任现职务层次时间（最低层次为无）；填 无 表示从未晋升")),
    _col("posts_held", "本层次任职岗位数", "count", False, "distinct posts held in the current grade, the current "
         "one included (the rule of two section-chief posts counts these)",
         "在现职务层次担任过的不同岗位数（含现岗位；“两个科长岗位”按此计）", "2",
         ("现职务层次任职岗位数", "现层次岗位数"), ("1: the current post only", "1，即仅现岗位")),
    _col("grassroots_months", "基层工作经历(月)", "grassroots", True,
         f"months of grassroots experience on the start date; or 是/否 (yes/no): 是 counts as "
         f"{GRASSROOTS_FLAG_MONTHS} months [assumption]",
         f"截至起始日期的基层工作经历月数；也可填 是/否（“是”按 {GRASSROOTS_FLAG_MONTHS} 个月计）", "36",
         ("基层工作经历月数", "基层工作月数", "基层工作经历", "是否具有两年以上基层工作经历", "两年以上基层工作经历",
          "是否有两年以上基层工作经历", "grassroots")),
    _col("enterprise", "企业工作经历", "flag", False, "has enterprise experience: 是 or 否 (yes or no)",
         "是否有企业工作经历：是 或 否", "否", ("是否有企业工作经历", "企业经历"), ("否 (no)", "否")),
    _col("cohort", "青年英才批次", "text", False, "Youth Talent (青年英才) cohort, by its name in the scenario "
         "(c1 ...)", "所在青年英才批次（与情景文件中的名称一致，如 c1）", "c1", ("青年英才", "youth_talent"),
         ("not a member", "非青年英才")),
    _col("probation_end", "试用期满时间", "month", False, "month probation ends, for cadres on probation on the "
         "start date", "试用期满时间（起始日期仍在试用期内者填写）", "2014-09", ("试用期截止时间", "试用期到期时间"),
         ("not on probation; an absent column: on probation for probation.months after a promotion into a "
          "grade with probation", "不在试用期；缺此列时：晋升到有试用期的职务层次后 probation.months 个月内视为试用期")),
    _col("secondment_end", "挂职结束时间", "month", False, "month a secondment (挂职) running on the start date "
         "ends", "挂职结束时间（起始日期正在挂职者填写）", "2014-09", ("挂职期满时间",), ("not seconded", "未挂职")),
)

CADRE_FILE_FIELDS = {c.field: c for c in CADRE_FILE_COLUMNS}

#: headers of personal identifiers: recognised and dropped unread (never in the roster or any output)
IDENTIFIER_HEADERS = ("姓名", "名字", "name", "full_name", "身份证号", "身份证号码", "公民身份号码", "身份证",
                      "id_card", "id_number", "national_id", "手机", "手机号码", "联系电话", "电话", "phone",
                      "家庭住址", "住址", "address", "email", "邮箱", "电子邮箱")

#: unit type names accepted besides a type's key and name_zh
TYPE_ALIASES = {"bureau": ("委办局", "委办局机关", "委办", "局"),
                "street_town": ("街镇", "街道", "镇", "街道办事处", "乡镇"),
                "district_leadership": ("区领导", "四套班子")}
#: the bottom grade's posts are its establishment (编制)
ESTABLISHMENT_ALIASES = ("编制", "编制数", "核定编制")


def unit_file_columns(scenario: Scenario) -> tuple[Column, ...]:
    """Columns of the units file: id, name, type and the posts of every grade of the ladder."""
    fixed = (
        _col("unit_id", "单位编号", "count", False, "unit id: a whole number, unique in the file",
             "单位编号：整数，本表内唯一", "3", ("单位代码", "编号", "id"),
             ("numbered 0, 1, 2 ... in file order", "按行顺序编号 0、1、2……")),
        _col("name", "单位名称", "text", True, "unit name", "单位名称", "区发展改革委", ("单位", "名称", "unit")),
        _col("type", "单位类型", "type", True, f"unit type: a type of the scenario ({', '.join(scenario.district.units)}) "
             "or its Chinese name (委办局, 街镇 or 街道 or 镇, 区领导)", "单位类型：委办局、街镇（街道、镇）、区领导",
             "委办局", ("类型", "unit_type")),
        _col("district", "所属区", "count", False, "district number (0, 1, 2 ...) when the file holds several "
             "districts of a city, each selecting within itself; city-level unit types leave it empty",
             "所属区编号：文件包含全市多个区时填写 0、1、2……（各区分别选拔）；市级单位不填", "0", ("区编号", "district_id"),
             ("0: a single district", "0，即只有一个区")),
    )
    return fixed + tuple(_posts_column(scenario, g) for g in scenario.ladder)


def _posts_column(scenario: Scenario, grade: str) -> Column:
    zh = scenario.grades[grade].name_zh or grade
    bottom = grade == scenario.ladder[0]
    aliases = (f"{zh}级职数", zh, f"{zh}级", *(ESTABLISHMENT_ALIASES if bottom else ()))
    what = " (the establishment, 编制)" if bottom else ""
    return _col(f"posts_{grade}", f"{zh}职数", "count", False, f"posts of {grade} ({zh}) in the unit{what}",
                f"本单位{zh}职数" + ("（编制数）" if bottom else ""), "2", aliases, ("0", "0"))


# --- cells ---------------------------------------------------------------------------------------


def _norm(text: object) -> str:
    """A header or word as compared: NFKC (full-width to half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _text(cell: object) -> str | None:
    """A cell as text (None when empty); whole numbers lose their ``.0``."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%Y-%m-%d")
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    return text or None


def parse_month(cell: object) -> int:
    """A date cell of an HR file as a month index (the day is dropped).

    Accepts 2014-03, 2014.03, 2014.3, 2014/03, 2014年3月, 201403, full dates in those forms, Excel
    dates and Excel serial numbers.

    Raises:
        ValueError: saying what is allowed.
    """
    if isinstance(cell, (dt.datetime, dt.date)):
        return dates.month(cell.year, cell.month)
    if isinstance(cell, bool):
        raise ValueError("not a date")
    if isinstance(cell, (int, float)):
        return _numeric_month(float(cell))
    return _text_month(_text(cell) or "")


def _text_month(text: str) -> int:
    text = _TIME.sub("", text)
    m = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if not m:
        hint = " (a year alone: give the month too)" if re.fullmatch(r"\d{4}(年)?", text) else ""
        raise ValueError(f"not a year and month{hint}; write it like 2014-03, 2014.03 or 2014年3月")
    if re.fullmatch(r"\d{4}\.1", text):
        raise ValueError(f"{text} is ambiguous (January, or October shortened by Excel from {text}0): write "
                         f"{text[:4]}-01 or {text[:4]}-10")
    year, mon = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else 1
    return _checked(year, mon, day)


def _numeric_month(value: float) -> int:
    if 1900 <= value < 2101 and not value.is_integer():
        return _decimal_month(value)
    if value.is_integer() and 190001 <= value <= 210012:
        return _text_month(str(int(value)))
    if value.is_integer() and 19000101 <= value <= 21001231:
        return _text_month(str(int(value)))
    if 1900 <= value <= 2100:
        raise ValueError("a year alone: give the month too, like 2014-03")
    if 1 <= value <= _LAST_SERIAL:
        day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return dates.month(day.year, day.month)
    raise ValueError("not a date; write it like 2014-03")


def _decimal_month(value: float) -> int:
    """A number like 1975.03 typed into a numeric cell: year.month (1975.1 is ambiguous)."""
    year, frac = f"{value:.2f}".split(".")
    if frac == "10":
        raise ValueError(f"the number {value:g} is ambiguous (January or October): write {year}-01 or {year}-10, "
                         "or format the column as text")
    mon = int(frac[0]) if frac[1] == "0" else int(frac)
    return _checked(int(year), mon, 1)


def _checked(year: int, mon: int, day: int) -> int:
    if not 1900 <= year <= 2100:
        raise ValueError("the year must be between 1900 and 2100")
    try:
        dt.date(year, mon, day)
    except ValueError:
        raise ValueError("no such month or day") from None
    return dates.month(year, mon)


def parse_sex(cell: object) -> bool:
    """True for a woman: 女/女性/F/female; 男/男性/M/male is False."""
    word = _norm(_text(cell) or "")
    if word in ("女", "女性", "f", "female"):
        return True
    if word in ("男", "男性", "m", "male"):
        return False
    raise ValueError("sex must be 男 or 女 (M or F)")


def parse_flag(cell: object) -> bool:
    """是/否, yes/no, 1/0, √/×; a number of months counts as yes when above 0."""
    word = _norm(_text(cell) or "")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if re.fullmatch(r"\d+", word):
        return int(word) > 0
    raise ValueError("must be 是 or 否 (yes or no)")


def parse_count(cell: object) -> int:
    """A whole number >= 0."""
    text = _text(cell) or ""
    if not re.fullmatch(r"\d+", text):
        raise ValueError("must be a whole number, 0 or more")
    return int(text)


def parse_grassroots(cell: object) -> int:
    """Months of grassroots experience: a number of months, 3年6个月-style durations, or 是/否.

    是 (yes: "two years or more") counts as ``GRASSROOTS_FLAG_MONTHS`` months [assumption]; 否 as 0.
    """
    text = _norm(_text(cell) or "")
    if re.fullmatch(r"\d+", text):
        return int(text)
    m = _DURATION.match(text)
    if text and m and (m.group(1) or m.group(2)):
        return round(12 * float(m.group(1) or 0)) + int(m.group(2) or 0)
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return GRASSROOTS_FLAG_MONTHS if text in TRUE_WORDS else 0
    raise ValueError(f"must be months (a whole number, or like 3年6个月) or 是/否 (是 counts as "
                     f"{GRASSROOTS_FLAG_MONTHS} months)")


def _is_flag(cell: object) -> bool:
    """Whether a grassroots cell is a yes/no rather than a number of months."""
    text = _norm(_text(cell) or "")
    return text in TRUE_WORDS + FALSE_WORDS and not text.isdigit()


def _lookup(table: dict[str, Any], what: str, allowed: Iterable[str]) -> Callable[[object], Any]:
    """A parser that looks a cell up in ``table`` (keys normalized)."""
    keys = {_norm(k): v for k, v in table.items()}
    shown = ", ".join(dict.fromkeys(allowed))

    def parse(cell: object) -> Any:
        word = _norm(_text(cell) or "")
        if word not in keys:
            raise ValueError(f"unknown {what}; {what}s are {shown}")
        return keys[word]
    return parse


def grade_names(scenario: Scenario) -> dict[str, str]:
    """Every accepted spelling of each grade: its key, its Chinese name, and that name with 级."""
    out: dict[str, str] = {}
    for key in scenario.ladder:
        zh = scenario.grades[key].name_zh
        out.update({key: key, **({zh: key, f"{zh}级": key} if zh else {})})
    return out


def type_names(scenario: Scenario) -> dict[str, str]:
    """Every accepted spelling of each unit type: its key, its Chinese name and TYPE_ALIASES."""
    out: dict[str, str] = {}
    for key, utype in scenario.district.units.items():
        out.update({a: key for a in TYPE_ALIASES.get(key, ())})
        out.update({key: key, **({utype.name_zh: key} if utype.name_zh else {})})
    return out


# --- reading tables ------------------------------------------------------------------------------


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
    names = {_norm(h): (c.field, rank) for c in spec for rank, h in enumerate(c.headers)}
    header_row, header = _find_header(sheet, names)
    if header is None:
        expected = ", ".join(c.zh for c in spec if c.required)
        raise InputError([Problem(str(sheet.path), "", f"no header row found in the first {HEADER_SEARCH_ROWS} "
                                  f"rows: expected columns such as {expected}")])
    table = Table(sheet, {}, [], header_row)
    private = {_norm(h) for h in identifiers}
    best: dict[str, tuple[int, str, int]] = {}
    for pos, cell in enumerate(header):
        key = _norm(cell) if cell is not None else ""
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
                  and any(_text(cells[p]) for p in used if p < len(cells))]
    return table


def _find_header(sheet: Sheet, names: dict[str, tuple[str, int]]) -> tuple[int, list[object] | None]:
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        if sum(1 for c in cells if c is not None and _norm(c) in names) >= 2:
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
        if _text(cell) is None:
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


def _parse(table: Table, spec: Iterable[Column], parsers: dict[str, Callable[[object], Any]]) -> Parsed:
    spec = tuple(spec)
    problems, bad = _missing_columns(table, spec), set()
    values = {c.field: _parse_column(table, c.field, parsers[c.kind], c.required, problems, bad) for c in spec}
    if not table.rows:
        problems.append(Problem(str(table.sheet.path), f"row {table.header_row + 1}", "no data rows below the "
                                "header"))
    return Parsed(table, values, problems, bad)


def _base_parsers(scenario: Scenario) -> dict[str, Callable[[object], Any]]:
    grades, types = grade_names(scenario), type_names(scenario)
    return {"month": parse_month, "month_or_none": _month_or_none, "sex": parse_sex, "flag": parse_flag,
            "count": parse_count, "grassroots": parse_grassroots, "text": lambda c: _text(c) or "",
            "id": lambda c: _text(c) or "",
            "grade": _lookup(grades, "grade", [*scenario.ladder, *grades]),
            "type": _lookup(types, "unit type", [*scenario.district.units, *types])}


def _month_or_none(cell: object) -> int:
    return -1 if _norm(_text(cell) or "") in NONE_WORDS else parse_month(cell)


# --- units ---------------------------------------------------------------------------------------


def _parse_units(sheet: Sheet, scenario: Scenario) -> tuple[Parsed, pd.DataFrame]:
    spec = unit_file_columns(scenario)
    parsed = _parse(tabulate(sheet, spec), spec, _base_parsers(scenario))
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


def _unit_parsers(units: Parsed, frame: pd.DataFrame) -> dict[str, Callable[[object], Any]]:
    """Parsers of the roster's unit columns: by unit id, or by unit name.

    Every unit row counts, its own problems aside (they are reported in the units file, and the cadres
    of such a unit are left out of the consistency checks).
    """
    ids = {str(u): int(u) for u in frame["unit_id"]}
    shown = [f"{u} ({n})" for u, n in zip(frame["unit_id"], frame["name"])]
    by_id = _lookup(ids, "unit id", shown[:5] + (["..."] if len(shown) > 5 else []))
    names: dict[str, list[int]] = {}
    for unit, name in zip(frame["unit_id"], frame["name"]):
        names.setdefault(_norm(name), []).append(int(unit))
    file = units.table.sheet.path.name

    def by_name(cell: object) -> int:
        found = names.get(_norm(_text(cell) or ""), [])
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
        key = _norm(name)
        if key and key in first:
            units.problems.append(Problem(str(units.table.sheet.path), units.table.where(row, "name"),
                                          f"the same name as row {first[key]}: the roster names units by name, so "
                                          "names must differ (or give 单位编号 in both files)", name))
            units.bad |= {row, first[key]}
        first.setdefault(key, row)


# --- cadres --------------------------------------------------------------------------------------


def _parse_cadres(sheet: Sheet, scenario: Scenario, unit_parsers: dict[str, Callable[[object], Any]]) -> Parsed:
    table = tabulate(sheet, CADRE_FILE_COLUMNS, IDENTIFIER_HEADERS)
    parsed = _parse(table, CADRE_FILE_COLUMNS, {**_base_parsers(scenario), **unit_parsers})
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
        from cadresim.district import generate

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
                    {"roster": _sha256(roster_path), "units": _sha256(units_path)})
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
        m = re.match(r"row (\d+)", p.path)
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
            problems += units.problems
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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    return notes


def _default_notes(cadres: Parsed, scenario: Scenario) -> list[str]:
    table, notes = cadres.table, []
    column = table.columns.get("grassroots_months")
    flags = sum(_is_flag(table.cell(cells, "grassroots_months")) for _, cells in table.rows) if column else 0
    if flags:
        notes.append(f"grassroots experience given as 是/否 for {flags} cadre(s): 是 counted as "
                     f"{GRASSROOTS_FLAG_MONTHS} months, 否 as 0 [assumption]")
    for col in CADRE_FILE_COLUMNS:
        if not col.required and col.field not in table.columns and col.field not in ("unit_id", "unit_name"):
            notes.append(f"no column {col.zh} ({col.en}): {col.empty}")
    rules = [f"grades.{k}.posts_held_below ({g.posts_held_below})" for k, g in scenario.grades.items()
             if (g.posts_held_below or 1) > 1]
    if "posts_held" not in table.columns and rules:
        notes.append(f"so no one meets {', '.join(rules)} on the start date: give {CADRE_FILE_FIELDS['posts_held'].zh} "
                     "if the file can")
    return notes


# --- writing -------------------------------------------------------------------------------------


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
                     _ym(r.work_start), _grade_label(scenario, r.grade, zh), _ym(r.grade_since), int(r.unit_id),
                     names.get(r.unit_id, ""), _ym(r.post_since), _ym(r.last_promotion) or never, int(r.posts_held),
                     int(r.grassroots_months), _flag(r.enterprise, zh), r.cohort, _ym(r.probation_end),
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


def write_table(path: Path, headers: list[str], rows: list[list[object]],
                notes: tuple[list[str], list[list[str]]] | None = None) -> Path:
    """Write a CSV (UTF-8 with BOM, so Excel opens Chinese text) or an .xlsx with a second sheet of notes."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _write_xlsx(path, headers, rows, notes)
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
        for values in [notes[0], *notes[1], [], [DATE_FORMS]]:
            info.append(values)
        for cell in info[1]:
            cell.font = Font(bold=True)
    book.save(path)
    return path


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
                                   + [[], [DATE_FORMS]]))
    return written


def scenario_text(name: str, extends: str | None, roster: str, units: str, about: str) -> str:
    """A scenario file naming the roster and units files (relative to its own folder)."""
    lines = [f"# {about}", f"name: {name}"]
    lines.append(f"extends: {extends}" if extends else "# extends: baseline.yaml   # optional: the scenario whose "
                 "policy to run (a path relative to this file)")
    lines += ["district:", f"  roster_file: {roster}", f"  units_file: {units}", ""]
    return "\n".join(lines)


# --- start-date figures --------------------------------------------------------------------------

#: the start-date figures of MODEL.md section 6: (metric, index in docgen.CALIBRATION_TARGETS, format)
FIGURES = (("post80_division_level", 0, "{:.0f}"), ("division_level_grassroots_share", 1, "{:.0%}"),
           ("post70_division_head_share", 2, "{:.0%}"), ("division_level_mean_age", 3, "{:.1f}"),
           ("post80_section_eligible", 4, "{:.0f}"))


def start_figures(scenario: Scenario, roster: Roster) -> dict[str, float]:
    """The outcome metrics at the start date, as the engine computes them (no random draw enters them)."""
    from cadresim import metrics
    from cadresim.model import setup

    run = setup(scenario, roster, 0, 0, False)
    return metrics.snapshot_metrics(run, scenario.start_month, False)


def cohort_figures(scenario: Scenario, roster: Roster) -> dict[str, tuple[int, int]]:
    """Per Youth Talent cohort in the roster: members, and how many are seconded on the start date."""
    c, out = roster.cadres, {}
    for name in scenario.youth_talent.cohorts:
        members = c[c["cohort"] == name]
        if len(members):
            out[name] = (len(members), int((members["secondment_end"] > roster.start).sum()))
    return out
