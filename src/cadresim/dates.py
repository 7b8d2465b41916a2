"""Year-month arithmetic: the simulation clock counts whole months.

A date is stored as an ``int`` month index ``year * 12 + (month - 1)``, so that
subtraction gives months and ``// 12`` gives completed years.
"""

from __future__ import annotations

import re

_YM = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month(year: int, mon: int) -> int:
    """Month index of ``year``-``mon``."""
    if not 1 <= mon <= 12:
        raise ValueError(f'"month" must be 1..12, got {mon}.')
    return year * 12 + mon - 1


def parse(text: str) -> int:
    """Parse ``"YYYY-MM"`` into a month index.

    Raises:
        ValueError: when ``text`` is not a year-month.
    """
    m = _YM.match(str(text))
    if not m:
        raise ValueError(f"expected a year-month like 2014-03, got {text!r}")
    return month(int(m.group(1)), int(m.group(2)))


def fmt(index: int) -> str:
    """Format a month index as ``"YYYY-MM"``."""
    year, mon0 = divmod(int(index), 12)
    return f"{year:04d}-{mon0 + 1:02d}"


def calendar_month(index: int) -> int:
    """Calendar month (1..12) of a month index."""
    return int(index) % 12 + 1


def year_of(index: int) -> int:
    """Calendar year of a month index."""
    return int(index) // 12
