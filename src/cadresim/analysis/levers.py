"""Levers: the scenario keys that `cadresim sensitivity` and `cadresim target` vary, read and checked.

A lever is a dotted scenario key (as ``--set`` and ``cadresim sweep`` take them) with a range. Both ends
of the range are validated through the scenario schema before anything runs, and a key whose value in
the base scenario is an integer (a cohort size, an age) takes integer values. A goal (``M@DATE op x``)
is read by the targets grammar and checked against the metrics and the scenario's metric dates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from cadresim import dates
from cadresim.analysis.sweep_design import parse_ranges
from cadresim.analysis.targets import metric_problem
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import with_overrides
from cadresim.scenario.schema import Scenario
from cadresim.scenario.targets import Target, metric_dates, parse_target

VARY_EXAMPLE = "youth_talent.cohorts.c2.size=20..80"
PARAM_EXAMPLE = "selection.assessment_noise=0.1,0.5"


def parse_params(items: Iterable[str], flag: str = "--param") -> dict[str, tuple[float, float]]:
    """``KEY=low,high`` items (``--param``) as ranges, as ``cadresim sweep --range`` reads them.

    Raises:
        InputError: naming ``--param KEY`` for each malformed item.
    """
    try:
        return parse_ranges(items)
    except InputError as exc:
        raise InputError([_renamed(p, flag) for p in exc.problems]) from None


def _renamed(p: Problem, flag: str) -> Problem:
    message = p.message.replace("rotation.cross_unit_rate=0.05,0.2", PARAM_EXAMPLE).replace("KEY=v1,v2,...", "KEY=low,high")
    return Problem(p.source.replace("--range", flag, 1), p.path, message, p.value)


def parse_vary(item: str, flag: str = "--vary") -> tuple[str, float, float]:
    """``KEY=low..high`` (``--vary``) as (key, low, high).

    Raises:
        InputError: the item does not read KEY=low..high with two numbers low < high.
    """
    key, sep, text = item.partition("=")
    low_text, dots, high_text = text.partition("..")
    bounds = [_number(low_text), _number(high_text)] if sep and dots else [None, None]
    if not key.strip() or None in bounds or not bounds[0] < bounds[1]:
        raise InputError([Problem(flag, "", f"expected KEY=low..high with two numbers low < high, e.g. "
                                  f"{VARY_EXAMPLE}", item)])
    return key.strip(), bounds[0], bounds[1]


def _number(text: str) -> int | float | None:
    try:
        value = yaml.safe_load(text.strip())
    except yaml.YAMLError:
        return None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return value if ok else None


def is_integer_key(base: Scenario, key: str, low: float, high: float) -> bool:
    """Whether a key takes integers: its value in ``base`` is an integer (or, absent there, both ends are)."""
    current: Any = base.model_dump(mode="json")
    for part in key.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    if current is None:
        return all(isinstance(b, int) for b in (low, high))
    return isinstance(current, int) and not isinstance(current, bool)


def check_ranges(base: Scenario, ranges: Mapping[str, tuple[float, float]], flag: str) -> None:
    """Both ends of each range through the scenario schema (an unknown key, a value out of bounds).

    Raises:
        InputError: one problem per key and end that the scenario refuses, naming ``flag KEY``.
    """
    problems: dict[str, Problem] = {}
    for key, (low, high) in ranges.items():
        for end, value in (("low", low), ("high", high)):
            try:
                with_overrides(base, {key: value})
            except InputError as exc:
                for p in exc.problems:
                    where = "" if p.path == key else p.path
                    shown = Problem(f"{flag} {key}", where, f"{p.message} (the {end} end of the range)", p.value)
                    problems.setdefault(f"{key}|{where}|{p.message}", shown)
    if problems:
        raise InputError(list(problems.values()))


def parse_goal(text: str, base: Scenario, flag: str = "--goal") -> Target:
    """A goal ``M@DATE op x`` naming a metric cadresim computes at a date the scenario takes metrics at.

    Raises:
        InputError: bad syntax, an unknown metric, or a date without metrics.
    """
    try:
        goal = parse_target(text)
    except ValueError as exc:
        raise InputError([Problem(flag, "", str(exc), text)]) from None
    problems = _where_problems(goal.metric, goal.date, base, flag, text)
    if problems:
        raise InputError(problems)
    return goal


def parse_metric_at(text: str, base: Scenario, flag: str = "--metric") -> tuple[str, str]:
    """``metric@YYYY-MM`` as (metric, date), checked as :func:`parse_goal` checks a goal.

    Raises:
        InputError: bad syntax, an unknown metric, or a date without metrics.
    """
    metric, at, when = text.partition("@")
    try:
        date = dates.fmt(dates.parse(when.strip())) if at else None
    except ValueError:
        date = None
    if date is None or not metric.strip():
        raise InputError([Problem(flag, "", "expected metric@YYYY-MM, e.g. post80_section_eligible_strict@2016-12",
                                  text)])
    problems = _where_problems(metric.strip(), date, base, flag, text)
    if problems:
        raise InputError(problems)
    return metric.strip(), date


def _where_problems(metric: str, date: str, base: Scenario, flag: str, text: str) -> list[Problem]:
    problems = [metric_problem(metric, flag, "", text)]
    known = metric_dates(base.start_month, base.reshuffle_months, base.snapshots)
    if date not in known:
        problems.append(Problem(flag, "", f"no metrics are taken at {date}; the scenario's metric dates are "
                                f"{', '.join(known)}", text))
    return [p for p in problems if p is not None]
