"""The district's state on the start date: units with their posts, and cadres.

A roster is the same in every replication; replications differ only in what
happens next. Months are int indices (see ``cadresim.dates``); -1 means "none".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.errors import Problem
from cadresim.scenario import Scenario

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
}

UNIT_COLUMNS = ("unit_id", "name", "type")  # plus posts_<grade> for every grade of the ladder


@dataclass(frozen=True)
class Roster:
    """Units (with ``posts_<grade>`` columns) and cadres, as of ``start`` (a month index)."""

    units: pd.DataFrame
    cadres: pd.DataFrame
    start: int

    def posts(self, grade: str) -> pd.Series:
        """Posts of ``grade`` per unit (0 where the column is absent)."""
        col = f"posts_{grade}"
        return self.units[col] if col in self.units else pd.Series(0, index=self.units.index)


def check_roster(roster: Roster, scenario: Scenario, source: str = "roster") -> list[Problem]:
    """Consistency problems of a roster against a scenario (empty when consistent)."""
    c, problems = roster.cadres, []
    missing = [col for col in CADRE_COLUMNS if col not in c]
    if missing:
        return [Problem(source, "columns", f"missing columns: {', '.join(missing)}")]

    def bad(mask: pd.Series, column: str, message: str) -> None:
        for row in np.flatnonzero(mask.to_numpy())[:20]:
            problems.append(Problem(source, f"row {row + 1}, column {column}", message, c[column].iloc[row]))

    start = roster.start
    bad(c["cadre_id"].duplicated(), "cadre_id", "duplicate id")
    bad(~c["grade"].isin(scenario.ladder), "grade", f"unknown grade; grades are {', '.join(scenario.ladder)}")
    bad(~c["unit_id"].isin(roster.units["unit_id"]), "unit_id", "unknown unit")
    age = (start - c["birth"]) // 12
    bad((age < 16) | (age > 70), "birth", "impossible age on the start date")
    bad(c["work_start"] > start, "work_start", "after the start date")
    bad(c["work_start"] < c["birth"] + 16 * 12, "work_start", "before the age of 16")
    bad(c["grade_since"] < c["work_start"], "grade_since", "before the cadre started work")
    bad(c["grade_since"] > start, "grade_since", "after the start date")
    bad(c["post_since"] < c["grade_since"], "post_since", "before the cadre entered the grade")
    bad(c["grassroots_months"] > (start - c["work_start"]) + 1, "grassroots_months",
        "more grassroots months than months worked")
    bad(c["posts_held"] < 1, "posts_held", "must be at least 1 (the current post)")
    ceiling = c["grade"].map({k: g.age_ceiling for k, g in scenario.grades.items()})
    promoted = c["last_promotion"] >= 0
    age_at_entry = (c["grade_since"] - c["birth"]) // 12
    bad(promoted & ceiling.notna() & (age_at_entry > ceiling.fillna(200)), "grade_since",
        "entered the grade above its age ceiling")
    held = c[c["grade"].map(lambda g: scenario.grades[g].kind == "post_limited" if g in scenario.grades
                            else False)]
    counts = held.groupby(["unit_id", "grade"]).size()
    units = roster.units.set_index("unit_id")
    for (unit, grade), n in counts.items():
        col = f"posts_{grade}"
        cap = int(units.at[unit, col]) if col in units and unit in units.index else 0
        if n > cap:
            problems.append(Problem(source, f"unit {unit}, grade {grade}", f"more holders than posts ({cap})", n))
    return problems


def summary(roster: Roster) -> str:
    """One line describing a roster."""
    return (f"{len(roster.cadres)} cadres in {len(roster.units)} units on {dates.fmt(roster.start)}")
