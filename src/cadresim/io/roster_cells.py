"""Reading one cell of a roster or units file: dates, sex, yes/no flags, counts, grassroots months, names.

Dates may take the forms 2014 HR files use (2014-03, 2014.03, 2014年3月, 201403, Excel dates and
serial numbers); they are kept to the month. Each parser raises ``ValueError`` saying what is
allowed; :mod:`cadresim.io.roster_sheets` reports it with the cell's file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Callable, Iterable

from cadresim import dates, limits
from cadresim.scenario.schema import Scenario

#: months of grassroots experience assumed for 是 in a yes/no column ("two years or more") [assumption]
GRASSROOTS_FLAG_MONTHS = 24
NONE_WORDS = ("无", "none", "-", "—")  # an explicit "never" in an optional date column
TRUE_WORDS = ("是", "有", "y", "yes", "true", "1", "√", "✓")
FALSE_WORDS = ("否", "无", "n", "no", "false", "0", "×", "✗")
_TEXT_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:\s*[-./]?\s*(\d{1,2})\s*日?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)年)?(?:(\d+)个?月)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 73050  # 2099-12-31
_SERIAL_TEXT = re.compile(r"^\d{5}(\.\d+)?$")  # an Excel serial number saved as text in a CSV: 10000 is 1927-05-18
_MAX_DIGITS = 15  # whole numbers in cells: beyond 15 digits Excel itself loses them, and int64 overflows

#: unit type names accepted besides a type's key and name_zh
TYPE_ALIASES = {"bureau": ("委办局", "委办局机关", "委办", "局"),
                "street_town": ("街镇", "街道", "镇", "街道办事处", "乡镇"),
                "district_leadership": ("区领导", "四套班子")}


def norm(text: object) -> str:
    """A header or word as compared: NFKC (full-width to half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def cell_text(cell: object) -> str | None:
    """A cell as text (None when empty); whole numbers lose their ``.0``."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%Y-%m-%d")
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    return text or None


def parse_month(cell: object, serials: bool = False) -> int:
    """A date cell of an HR file as a month index (the day is dropped).

    Accepts 2014-03, 2014.03, 2014.3, 2014/03, 2014年3月, 201403, full dates in those forms, Excel
    dates and Excel serial numbers (also as text). A 5-digit text that could also be a year and a
    one-digit month (19753) is read as a serial number only with ``serials`` (a column of serial
    numbers, see :func:`serial_column`), else refused as ambiguous.

    Raises:
        ValueError: saying what is allowed.
    """
    if isinstance(cell, (dt.datetime, dt.date)):
        return dates.month(cell.year, cell.month)
    if isinstance(cell, bool):
        raise ValueError("not a date")
    if isinstance(cell, (int, float)):
        return _numeric_month(float(cell))
    return _text_month(cell_text(cell) or "", serials)


def _text_month(text: str, serials: bool = False) -> int:
    text = _TIME.sub("", text)
    if _SERIAL_TEXT.match(text):
        return _serial_text_month(text, serials)
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


def _serial_text_month(text: str, serials: bool) -> int:
    """An Excel serial number saved as text (27468: 1975-03-15); one that could also be a year and a
    month written without its 0 (19753: 1954-01-29 or 1975-3) only in a column of serials."""
    whole = text.split(".")[0]
    if not serials and 1900 <= int(whole[:4]) <= 2100 and whole[4] != "0":
        day = _EXCEL_EPOCH + dt.timedelta(days=int(whole))
        raise ValueError(f"{text} is ambiguous (the Excel date {day:%Y-%m-%d}, or {whole[:4]}-0{whole[4]}): write "
                         "the date like 2014-03")
    return _numeric_month(float(text))


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
    word = norm(cell_text(cell) or "")
    if word in ("女", "女性", "f", "female"):
        return True
    if word in ("男", "男性", "m", "male"):
        return False
    raise ValueError("sex must be 男 or 女 (M or F)")


def parse_flag(cell: object) -> bool:
    """是/否, yes/no, 1/0, √/×; a number of months counts as yes when above 0."""
    word = norm(cell_text(cell) or "")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if re.fullmatch(r"\d+", word):
        return int(word) > 0
    raise ValueError("must be 是 or 否 (yes or no)")


def parse_count(cell: object) -> int:
    """A whole number >= 0 (of at most 15 digits)."""
    text = cell_text(cell) or ""
    if not re.fullmatch(r"\d+", text):
        raise ValueError("must be a whole number, 0 or more")
    return _whole(text)


def parse_posts(cell: object) -> int:
    """A number of posts of one grade in one unit: a whole number from 0 to ``limits.MAX_POSTS_PER_UNIT``."""
    posts = parse_count(cell)
    if posts > limits.MAX_POSTS_PER_UNIT:
        raise ValueError(f"at most {limits.MAX_POSTS_PER_UNIT:,} posts of a grade in one unit (a documented limit, "
                         "see docs/limits.md)")
    return posts


def _whole(digits: str) -> int:
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise ValueError(f"a whole number of at most {_MAX_DIGITS} digits")
    return int(digits)


def parse_grassroots(cell: object) -> int:
    """Months of grassroots experience: a number of months, 3年6个月-style durations, or 是/否.

    是 (yes: "two years or more") counts as ``GRASSROOTS_FLAG_MONTHS`` months [assumption]; 否 as 0.
    """
    text = norm(cell_text(cell) or "")
    if re.fullmatch(r"\d+", text):
        return _whole(text)
    m = _DURATION.match(text)
    if text and m and (m.group(1) or m.group(2)):
        if len(text) > _MAX_DIGITS:
            raise ValueError(f"a duration of at most {_MAX_DIGITS} characters, like 3年6个月")
        return round(12 * float(m.group(1) or 0)) + int(m.group(2) or 0)
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return GRASSROOTS_FLAG_MONTHS if text in TRUE_WORDS else 0
    raise ValueError(f"must be months (a whole number, or like 3年6个月) or 是/否 (是 counts as "
                     f"{GRASSROOTS_FLAG_MONTHS} months)")


def is_flag(cell: object) -> bool:
    """Whether a grassroots cell is a yes/no rather than a number of months."""
    text = norm(cell_text(cell) or "")
    return text in TRUE_WORDS + FALSE_WORDS and not text.isdigit()


def lookup(table: dict[str, Any], what: str, allowed: Iterable[str]) -> Callable[[object], Any]:
    """A parser that looks a cell up in ``table`` (keys normalized)."""
    keys = {norm(k): v for k, v in table.items()}
    shown = ", ".join(dict.fromkeys(allowed))

    def parse(cell: object) -> Any:
        word = norm(cell_text(cell) or "")
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



def cell_parsers(scenario: Scenario) -> dict[str, Callable[[object], Any]]:
    """The parser of each kind of column (``Column.kind``); the roster's unit columns add their own."""
    grades, types = grade_names(scenario), type_names(scenario)
    return {"month": parse_month, "month_or_none": parse_month_or_none, "sex": parse_sex, "flag": parse_flag,
            "count": parse_count, "posts": parse_posts, "grassroots": parse_grassroots, "text": lambda c: cell_text(c) or "",
            "id": lambda c: cell_text(c) or "",
            "grade": lookup(grades, "grade", [*scenario.ladder, *grades]),
            "type": lookup(types, "unit type", [*scenario.district.units, *types])}


def parse_month_or_none(cell: object, serials: bool = False) -> int:
    """A date cell, or -1 for an explicit "never" (无, none, -)."""
    return -1 if norm(cell_text(cell) or "") in NONE_WORDS else parse_month(cell, serials)


def serial_column(cells: Iterable[object]) -> bool:
    """Whether a date column holds Excel serial numbers as text: more than half of its filled cells."""
    texts = [t for t in (cell_text(c) if isinstance(c, str) else None for c in cells) if t]
    return bool(texts) and 2 * sum(bool(_SERIAL_TEXT.match(_TIME.sub("", t))) for t in texts) > len(texts)


#: date parsers for a column of Excel serial numbers (see :func:`serial_column`), by column kind
SERIAL_PARSERS: dict[str, Callable[[object], Any]] = {
    "month": lambda cell: parse_month(cell, serials=True),
    "month_or_none": lambda cell: parse_month_or_none(cell, serials=True),
}
