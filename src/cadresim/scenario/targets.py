"""Targets (pure): ``metric@YYYY-MM op number`` read into a :class:`Target`, and checked against the
dates at which a scenario takes its metrics.

The grammar is one line: a metric name, ``@``, a month, one of ``>=``, ``>``, ``<=``, ``<``, and a number,
e.g. ``post80_section_eligible_strict@2016-12 >= 10``. ``report.targets`` lists such lines, and
``cadresim target --goal`` takes one. Whether the metric name is known is checked above this layer
(:func:`cadresim.analysis.targets.check_target_metrics`), where the metrics are.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cadresim import dates
from cadresim.errors import Problem

OPERATORS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, ">": operator.gt, "<=": operator.le,
                                                        "<": operator.lt}
EXAMPLE = "post80_section_eligible_strict@2016-12 >= 10"
_GRAMMAR = re.compile(r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*@\s*(?P<date>\d{4}-\d{1,2})\s*"
                      r"(?P<op>>=|<=|>|<)\s*(?P<number>\S+)\s*$")


@dataclass(frozen=True)
class Target:
    """A threshold on one metric at one date.

    Attributes:
        metric: the metric's name, e.g. ``post80_section_eligible_strict``.
        date: the month, written ``YYYY-MM``.
        op: ``>=``, ``>``, ``<=`` or ``<``.
        threshold: the number compared with.
    """

    metric: str
    date: str
    op: str
    threshold: float

    @property
    def column(self) -> str:
        """The ``metric@date`` column of the sweep tables."""
        return f"{self.metric}@{self.date}"

    @property
    def rises(self) -> bool:
        """Whether a larger metric value meets the target (``>=``, ``>``)."""
        return self.op in (">=", ">")

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target (a missing value, NaN, does not)."""
        return not math.isnan(value) and OPERATORS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.metric}@{self.date} {self.op} {self.threshold:g}"


def parse_target(text: str) -> Target:
    """``metric@YYYY-MM op number`` as a :class:`Target`.

    Raises:
        ValueError: the text does not follow the grammar (the message says how it should read).
    """
    match = _GRAMMAR.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected metric@YYYY-MM op number with op one of >=, >, <=, <, e.g. {EXAMPLE}")
    try:
        month = dates.parse(match["date"])
    except ValueError as exc:
        raise ValueError(f"not a month: {match['date']} ({exc})") from None
    try:
        number = float(match["number"])
    except ValueError:
        raise ValueError(f"the threshold must be a number, e.g. {EXAMPLE}") from None
    if not math.isfinite(number):
        raise ValueError("the threshold must be a finite number")
    return Target(match["metric"], dates.fmt(month), match["op"], number)


def metric_dates(start_month: int, reshuffle_months: list[int], snapshots: list[str]) -> list[str]:
    """The months a scenario takes its metrics at: the start, each reshuffle and each extra snapshot."""
    months = {start_month, *reshuffle_months, *(dates.parse(d) for d in snapshots)}
    return [dates.fmt(m) for m in sorted(months)]


def check_targets(texts: list[str], known_dates: list[str], path: str = "report.targets") -> Iterator[Problem]:
    """A problem (source left blank) for each target that does not parse or names a date without metrics."""
    for i, text in enumerate(texts):
        where = f"{path}[{i}]"
        try:
            target = parse_target(text)
        except ValueError as exc:
            yield Problem("", where, str(exc), text)
            continue
        if target.date not in known_dates:
            yield Problem("", where, f"no metrics are taken at {target.date}; the scenario's metric dates are "
                          f"{', '.join(known_dates)} (add it to snapshots to take them there)", text)
