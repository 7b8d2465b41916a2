"""The district's state on the start date: units with their posts, and cadres.

A roster is the same in every replication; replications differ only in what
happens next. Months are int indices (see ``cadresim.dates``); -1 means "none".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.errors import Problem
from cadresim.rules.ages import LEGAL_WORKING_AGE, leave_months
from cadresim.scenario.schema import Scenario

#: cadre columns: name -> (dtype, meaning)
CADRE_COLUMNS: dict[str, tuple[str, str]] = {
    "cadre_id": ("int64", "stable id, 0..n-1 (keys the cadre's random draws)"),
    "birth": ("int64", "birth month"),
    "female": ("bool", "sex is female"),
    "work_start": ("int64", "month work started (before hiring included)"),
    "grade": ("object", "grade key"),
    "grade_since": ("int64", "month the cadre entered the grade"),
    "unit_id": ("int64", "unit"),
    "post_since": ("int64", "month the cadre took the current post"),
    "last_promotion": ("int64", "month of the last promotion (-1: never promoted)"),
    "posts_held": ("int64", "distinct posts held in the current grade, the current one included"),
    "grassroots_months": ("int64", "months of grassroots experience on the start date"),
    "enterprise": ("bool", "has enterprise experience"),
    "cohort": ("object", "Youth Talent cohort name, '' for none"),
    "probation_end": ("int64", "month probation ends (-1: not on probation)"),
    "secondment_end": ("int64", "month a secondment ends (-1: not seconded)"),
    "nonleading": ("bool", "holds the non-leading rank of the grade's level (非领导职务: 主任科员 at section, ...), "
                           "not a leading post; posts_held then counts leading posts at the level (may be 0)"),
}

#: cadre columns holding a month index
MONTH_COLUMNS = ("birth", "work_start", "grade_since", "post_since", "last_promotion", "probation_end",
                 "secondment_end")
UNIT_COLUMNS = ("unit_id", "name", "type")  # plus posts_<grade> for every grade of the ladder
#: The oldest age anyone on a roster can plausibly be on the start date.
OLDEST_ROSTER_AGE = 70


@dataclass(frozen=True)
class Roster:
    """Units (with ``posts_<grade>`` columns) and cadres, as of ``start`` (a month index).

    Attributes:
        ids: the roster file's own cadre ids (工号), indexed by ``cadre_id``; kept in memory only, for
            ``--keep-ids``. None when the cadre ids are the file's ids (or the roster is synthetic).
        digests: SHA-256 of the files the roster was read from, by role ("roster", "units"); empty for
            the synthetic district.
    """

    units: pd.DataFrame
    cadres: pd.DataFrame
    start: int
    ids: tuple[str, ...] | None = None
    digests: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A roster without a ``nonleading`` column (one written before the column existed) has no
        non-leading holders."""
        if "nonleading" not in self.cadres:
            object.__setattr__(self, "cadres", self.cadres.assign(nonleading=False))

    def posts(self, grade: str) -> pd.Series:
        """Posts of ``grade`` per unit (0 where the column is absent)."""
        col = f"posts_{grade}"
        return self.units[col] if col in self.units else pd.Series(0, index=self.units.index)


@dataclass(frozen=True)
class Where:
    """How problems name a roster's rows and columns.

    The defaults suit an in-memory roster (rows by position from 1, internal column names); a roster
    read from files names the file, the row as the user sees it and the header as they wrote it.
    """

    cadres: str = "roster"
    units: str = "roster"
    cadre_rows: Sequence[int] | None = None
    unit_rows: Sequence[int] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    unit_headers: Mapping[str, str] = field(default_factory=dict)

    def cadre(self, i: int, column: str) -> str:
        """Row and column of cadre row ``i`` (a position)."""
        row = self.cadre_rows[i] if self.cadre_rows is not None else i + 1
        return f"row {row}, column {self.headers.get(column, column)}"

    def unit(self, i: int, column: str) -> str:
        """Row and column of unit row ``i`` (a position)."""
        row = self.unit_rows[i] if self.unit_rows is not None else i + 1
        return f"row {row}, column {self.unit_headers.get(column, column)}"


def check_roster(roster: Roster, scenario: Scenario, source: str = "roster", where: Where | None = None,
                 rules: bool = True) -> list[Problem]:
    """Consistency problems of a roster against a scenario (empty when consistent).

    Args:
        source: the name problems give the roster (when ``where`` is None).
        where: how problems name files, rows and columns.
        rules: also report histories that break the scenario's rules (see :func:`rule_breaches`).
    """
    where = where or Where(source, source)
    missing = [col for col in CADRE_COLUMNS if col not in roster.cadres]
    if missing:
        return [Problem(where.cadres, "columns", f"missing columns: {', '.join(missing)}")]
    problems = [*_unit_problems(roster, scenario, where), *_cadre_problems(roster, scenario, where),
                *_holder_problems(roster, scenario, where)]
    return problems + (rule_breaches(roster, scenario, where) if rules else [])


def _flag(where: Where, frame: pd.DataFrame, mask: pd.Series, column: str, message: str,
          units: bool = False) -> list[Problem]:
    """One problem per row of ``frame`` where ``mask`` holds."""
    name, locate = (where.units, where.unit) if units else (where.cadres, where.cadre)
    return [Problem(name, locate(i, column), message, _shown(frame[column].iloc[i], column))
            for i in np.flatnonzero(mask.to_numpy())]


def _shown(value: object, column: str) -> object:
    """A value as the user wrote it: months as YYYY-MM."""
    if column in MONTH_COLUMNS and int(value) >= 0:
        return dates.fmt(int(value))
    return value.item() if isinstance(value, np.generic) else value


def _unit_problems(roster: Roster, scenario: Scenario, where: Where) -> list[Problem]:
    u, out = roster.units, []
    types = list(scenario.district.units)
    out += _flag(where, u, u["unit_id"].duplicated(keep=False), "unit_id", "duplicate unit id", units=True)
    out += _flag(where, u, ~u["type"].isin(types), "type", f"unknown unit type; types are {', '.join(types)}",
                 units=True)
    for grade in scenario.ladder:
        posts = roster.posts(grade)
        col = f"posts_{grade}"
        out += _flag(where, u, posts < 0, col, "posts must be 0 or more", units=True)
        if scenario.grades[grade].kind == "rate_based":
            out += _flag(where, u, posts > 0, col, "a rate_based grade has no posts: leave it 0", units=True)
    return out


def _cadre_problems(roster: Roster, scenario: Scenario, where: Where) -> list[Problem]:
    c, start, out = roster.cadres, roster.start, []

    def bad(mask: pd.Series, column: str, message: str) -> None:
        out.extend(_flag(where, c, mask, column, message))

    bad(c["cadre_id"].duplicated(keep=False), "cadre_id", "duplicate id")
    bad(~c["grade"].isin(scenario.ladder), "grade", f"unknown grade; grades are {', '.join(scenario.ladder)}")
    bad(~c["unit_id"].isin(roster.units["unit_id"]), "unit_id", "unknown unit")
    age, young, old = (start - c["birth"]) // 12, LEGAL_WORKING_AGE, OLDEST_ROSTER_AGE
    bad((age < young) | (age > old), "birth", f"impossible age on the start date {dates.fmt(start)} ({young} to {old})")
    bad(_left_before(roster, scenario) & age.between(young, old), "birth", "past the leaving or retirement age of "
        f"the grade before the start date {dates.fmt(start)}")
    bad(c["work_start"] > start, "work_start", "after the start date")
    bad(c["work_start"] < c["birth"] + 12 * young, "work_start", f"before the age of {young}")
    bad(c["grade_since"] < c["work_start"], "grade_since", "before the cadre started work")
    bad(c["grade_since"] > start, "grade_since", "after the start date")
    bad(c["post_since"] < c["grade_since"], "post_since", "before the cadre entered the grade")
    bad(c["post_since"] > start, "post_since", "after the start date")
    bad((c["last_promotion"] >= 0) & ((c["last_promotion"] > start) | (c["last_promotion"] < c["work_start"])),
        "last_promotion", "must fall between starting work and the start date")
    bad(c["grassroots_months"] < 0, "grassroots_months", "must be 0 or more")
    bad(c["grassroots_months"] > (start - c["work_start"]) + 1, "grassroots_months",
        "more grassroots months than months worked")
    bad((c["posts_held"] < 1) & ~c["nonleading"], "posts_held", "must be at least 1 (the current post)")
    bad(c["posts_held"] < 0, "posts_held", "must be 0 or more")
    ranked = [scenario.ladder[k] for k in scenario.rank_indices()]
    titles = ", ".join(f"{k} ({scenario.nonleading.ranks[k].name_zh})" for k in ranked) or "none"
    bad(c["nonleading"] & c["grade"].isin(scenario.ladder) & ~c["grade"].isin(ranked), "grade",
        f"no non-leading rank at this grade; the levels with one are: {titles}")
    for column in ("probation_end", "secondment_end"):
        bad((c[column] >= 0) & (c[column] <= start), column,
            "must be after the start date (leave it empty when it is over)")
    out += _cohort_problems(c, scenario, where)
    return out


def _left_before(roster: Roster, scenario: Scenario) -> pd.Series:
    """Cadres who reached their leaving or retirement age before the start month (they should be gone)."""
    c = roster.cadres
    known = c["grade"].isin(scenario.ladder).to_numpy()
    grade = np.array([scenario.grade_index(g) if ok else 0 for g, ok in zip(c["grade"], known)], dtype=np.int64)
    leave = leave_months(scenario, c["birth"].to_numpy(np.int64), grade, c["female"].to_numpy(bool),
                         c["nonleading"].to_numpy(bool))
    return pd.Series(known & (leave < roster.start), index=c.index)


def _cohort_problems(c: pd.DataFrame, scenario: Scenario, where: Where) -> list[Problem]:
    cohorts = scenario.youth_talent.cohorts
    named = c["cohort"] != ""
    out = _flag(where, c, named & ~c["cohort"].isin(list(cohorts)), "cohort",
                f"unknown Youth Talent cohort; cohorts are {', '.join(cohorts) or 'none'}")
    later = [k for k, v in cohorts.items() if dates.parse(v.start) > scenario.start_month]
    return out + _flag(where, c, c["cohort"].isin(later), "cohort", "this cohort starts after the start date: "
                       "its members are chosen during the run (leave it empty)")


def _holder_problems(roster: Roster, scenario: Scenario, where: Where) -> list[Problem]:
    """Units with more holders of a post-limited grade than posts."""
    c, problems = roster.cadres, []
    limited = [g for g in scenario.ladder if scenario.grades[g].kind == "post_limited"]
    counts = c[c["grade"].isin(limited) & ~c["nonleading"]].groupby(["unit_id", "grade"]).size()
    units = roster.units.reset_index(drop=True)
    position = {u: i for i, u in enumerate(units["unit_id"])}
    for (unit, grade), n in counts.items():
        if unit not in position:
            continue  # reported as an unknown unit
        i, col = position[unit], f"posts_{grade}"
        cap = int(units.at[i, col]) if col in units else 0
        if n > cap:
            name = f"{grade} ({scenario.grades[grade].name_zh})" if scenario.grades[grade].name_zh else grade
            problems.append(Problem(where.units, where.unit(i, col), f"{n} holders of {name} in the roster for "
                                    f"{cap} post(s) in unit {units.at[i, 'name']}", cap))
    return problems


def rule_breaches(roster: Roster, scenario: Scenario, where: Where | None = None) -> list[Problem]:
    """Histories that break the scenario's rules: cadres who entered their grade above its age ceiling.

    A synthetic roster must have none. In a real roster they are facts, not errors: the rules apply to
    promotions from the start date on.
    """
    where, c = where or Where(), roster.cadres
    ceiling = c["grade"].map({k: g.age_ceiling for k, g in scenario.grades.items()})
    promoted = (c["last_promotion"] >= 0) & ~c["nonleading"]  # a non-leading rank has no age ceiling
    age_at_entry = (c["grade_since"] - c["birth"]) // 12
    return _flag(where, c, promoted & ceiling.notna() & (age_at_entry > ceiling.fillna(200)), "grade_since",
                 "entered the grade above its age ceiling")


def summary(roster: Roster) -> str:
    """One line describing a roster."""
    return (f"{len(roster.cadres)} cadres in {len(roster.units)} units on {dates.fmt(roster.start)}")


def nonleading_notes(roster: Roster, scenario: Scenario) -> list[str]:
    """Units whose non-leading holders on the start date are over their 职数 (``nonleading.quota``) or beyond
    the staff establishment: facts of a real roster (common in 2014), kept as they are. A first line says
    what that means, then one line per such unit with its counts."""
    c = roster.cadres[roster.cadres["nonleading"]]
    if c.empty:
        return []
    held, per_unit = c.groupby(["unit_id", "grade"]).size(), c.groupby("unit_id").size()
    staff = roster.cadres[(roster.cadres["grade"] == scenario.ladder[0]) & ~roster.cadres["nonleading"]]
    in_staff = staff.groupby("unit_id").size()
    lines = []
    for i, unit in enumerate(roster.units["unit_id"]):
        found = []
        for what, grades, share, base, of in _quota_groups(roster, scenario, i):
            n, cap = int(sum(held.get((unit, g), 0) for g in grades)), int(np.floor(share * base + 1e-9))
            if n > cap:
                found.append(f"{n} {what} ({'/'.join(_rank_zh(scenario, grades))}) for a 职数 of {cap} "
                             f"({share:g} x {base} {of})")
        seats, n = int(roster.posts(scenario.ladder[0]).iloc[i]), int(per_unit.get(unit, 0))
        s = int(in_staff.get(unit, 0))
        if n and n + s > seats:
            found.append(f"{s} staff and {n} non-leading holders for an establishment of {seats}")
        if found:
            lines.append(f"  {roster.units['name'].iloc[i]} (unit {unit}): {'; '.join(found)}")
    head = (f"{len(lines)} unit(s) with non-leading holders over their 职数 or beyond the staff establishment on the "
            "start date: kept as they are (no one is appointed to a rank there until under its 职数; holders beyond "
            "the establishment have no staff post)")
    return [head, *lines] if lines else []


def _quota_groups(roster: Roster, scenario: Scenario, i: int) -> list[tuple[str, list[str], float, int, str]]:
    """The two groups of ranks of a unit (row ``i``): what, grades, quota share, base posts, base named."""
    division = {scenario.ladder[k] for k in scenario.role_indices("division_level")}
    ranked = [scenario.ladder[k] for k in scenario.rank_indices()]
    quota = scenario.nonleading.quota
    staff = int(roster.posts(scenario.ladder[0]).iloc[i])
    leading = int(sum(roster.posts(g).iloc[i] for g in division))
    return [("section-level", [g for g in ranked if g not in division], quota.section_level, staff, "staff posts"),
            ("division-level", [g for g in ranked if g in division], quota.division_level, leading,
             "division-level leading posts")]


def _rank_zh(scenario: Scenario, grades: list[str]) -> list[str]:
    return [scenario.nonleading.ranks[g].name_zh or g for g in grades]
