"""The bench (后备干部): who on the start roster is ready for the next leading grade, and what each still lacks.

Deterministic, no simulation. The candidates are the ones selection considers for a post of the grade
(:func:`cadresim.processes.selection.candidates`): everyone at the level below (both tracks when
``nonleading.opens_next_level``, leading holders only otherwise), then the holders of the grade's own
non-leading rank, who may take one of its leading posts under the age ceiling and probation alone. Each is
judged by :mod:`cadresim.rules.eligibility` on the pool :meth:`Organization.pool` gives, so "eligible now"
is the simulator's own verdict. Projections assume nothing changes but time: months in the grade below,
of work, and of grassroots experience (while the cadre accrues it: in a grassroots unit, or seconded until
the secondment ends) keep growing, a probation ends, the cadre ages; posts held stay as they are. What time
alone cannot give (another leading post below, grassroots months beyond those being accrued) is "what a move
would fix". See docs/bench.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.district.roster import Roster
from cadresim.errors import InputError, Problem
from cadresim.rules import eligibility
from cadresim.rules.ages import division_start
from cadresim.rules.spans import months
from cadresim.scenario.schema import Grade, Scenario
from cadresim.state.organization import NONE, Organization

#: A month after every projection: "never, if nothing else changes".
NEVER = 10**9
#: The two sections of the list: candidates from the level below, and the grade's own non-leading holders.
UP, SAME_LEVEL = "up", "same_level"
#: The rules a holder of the grade's own non-leading rank must meet to take one of its leading posts.
SAME_LEVEL_OFF = {"years_in_grade_below": None, "years_of_work": None, "grassroots_years": None,
                  "posts_held_below": None}


@dataclass(frozen=True)
class Bench:
    """The bench for one grade on the roster's start date.

    Attributes:
        grade: the grade key candidates are listed for.
        start: the start date (month index).
        at: the month of "eligible by" (month index).
        table: one row per candidate (see :func:`bench_table`).
    """

    grade: str
    start: int
    at: int
    table: pd.DataFrame


def default_grade(scenario: Scenario) -> str:
    """The lowest division-level grade (副处), else the second grade of the ladder."""
    g = division_start(scenario)
    return scenario.ladder[g if g < len(scenario.ladder) else min(1, len(scenario.ladder) - 1)]


def default_at(scenario: Scenario) -> int:
    """The first reshuffle on or after the start date, else a year after it."""
    later = sorted(m for m in (dates.parse(d) for d in scenario.reshuffle.dates) if m >= scenario.start_month)
    return later[0] if later else scenario.start_month + 12


def check_options(scenario: Scenario, grade: str, at: str | None) -> int:
    """The ``--at`` month after checking ``--grade`` and ``--at`` (every problem at once).

    Raises:
        InputError: the grade is not one above the ladder's bottom, or ``at`` is not a year-month on or
            after the start date.
    """
    problems, month = [], default_at(scenario)
    if grade not in scenario.ladder[1:]:
        problems.append(Problem("--grade", "", "not a grade anyone is promoted into; grades are "
                                + ", ".join(f"{k} ({scenario.grades[k].name_zh})" for k in scenario.ladder[1:]),
                                grade))
    if at is not None:
        try:
            month = dates.parse(at)
        except ValueError:
            problems.append(Problem("--at", "", "expected a year-month such as 2016-12", at))
        else:
            if month < scenario.start_month:
                problems.append(Problem("--at", "", f"before the start date {scenario.start}: give a later month",
                                        at))
    if problems:
        raise InputError(problems)
    return month


def candidates(org: Organization, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Who selection considers for grade ``g`` (as :func:`cadresim.processes.selection.candidates` and
    ``review`` do) and which of them are the grade's own non-leading holders."""
    s = org.scenario
    if s.grades[s.ladder[g]].kind == "rate_based":
        below, same = org.members(g - 1), np.zeros(0, dtype=np.int64)
    else:
        below = org.at_level(g - 1) if s.nonleading.opens_next_level else org.members(g - 1)
        same = org.nonleading_at(g)
    idx = np.concatenate([below, same]).astype(np.int64)
    return idx, np.arange(len(idx)) >= len(below)


def bench(scenario: Scenario, roster: Roster, grade: str | None = None, at: int | None = None) -> Bench:
    """The bench for ``grade`` (default :func:`default_grade`) on ``roster``'s start date, projected to ``at``
    (default :func:`default_at`)."""
    grade = grade or default_grade(scenario)
    at = default_at(scenario) if at is None else at
    org = Organization(scenario, roster)
    g, now = scenario.ladder.index(grade), scenario.start_month
    idx, same = candidates(org, g)
    rules = scenario.grades[grade]
    parts = [bench_table(org, idx[same == flag], _rules_for(rules, flag), now, at).assign(
        section=SAME_LEVEL if flag else UP) for flag in (False, True)]
    table = pd.concat(parts, ignore_index=True) if len(idx) else parts[0]
    return Bench(grade, now, at, table)


def _rules_for(rules: Grade, same_level: bool) -> Grade:
    """The grade's rules, or for its own non-leading holders the age ceiling and probation alone (as
    :func:`cadresim.rules.eligibility.eligible_same_level`)."""
    return rules.model_copy(update=SAME_LEVEL_OFF) if same_level else rules


def bench_table(org: Organization, idx: np.ndarray, rules: Grade, now: int, at: int) -> pd.DataFrame:
    """One row per cadre ``idx``: who, where, eligible now, each rule failed, and the projections.

    Columns: ``cadre_id`` (the roster's), ``unit_id``, ``unit``, ``level`` (grade key of their level),
    ``track``, ``birth_decade``, ``eligible_now``, ``failed`` (rule keys, ";"-joined), ``grade_below_met``,
    ``work_met``, ``grassroots_met``, ``probation_end`` (months; -1: nothing to wait for), ``posts_short``,
    ``grassroots_short`` (what a move would fix), ``last_year`` (last year under the age ceiling; -1: none),
    ``eligible_from`` (month; -1: not on time alone), ``eligible_by_at``.
    """
    pool = org.pool(idx, now)
    fails = eligibility.failures(rules, pool, now)
    proj = projections(org, idx, rules, pool, now)
    last = proj.pop("last_ok")
    ready = proj.pop("ready")
    on_time = (ready < NEVER) & (ready <= last)
    failed = [";".join(r for r, f in fails.items() if f[i]) for i in range(len(idx))]
    unit = org.unit[idx]
    return pd.DataFrame({
        "cadre_id": org.key[idx], "unit_id": org.unit_ids[unit], "unit": [org.unit_names[u] for u in unit],
        "level": [org.scenario.ladder[k] for k in org.grade[idx]],
        "track": np.where(org.nonleading[idx], "nonleading", "leading"),
        "birth_decade": (org.birth[idx] // 12) // 10 * 10,
        "eligible_now": eligibility.eligible(rules, pool, now), "failed": failed,
        **{k: np.where(v >= NEVER, NONE, v) for k, v in proj.items() if k.endswith(("_met", "_end"))},
        "posts_short": proj["posts_short"], "grassroots_short": proj["grassroots_short"],
        "last_year": np.where(last >= NEVER, NONE, last // 12),
        "eligible_from": np.where(on_time, ready, NONE),
        "eligible_by_at": on_time & (ready <= at) & (at <= last),
        "over_ceiling_by_at": at > last,
    })


def projections(org: Organization, idx: np.ndarray, rules: Grade, pool: eligibility.Pool,
                now: int) -> dict[str, np.ndarray]:
    """For each rule in force, the month it is met if only time passes (-1: met now; NEVER: not by time
    alone), what a move would fix, the last month under the age ceiling and the month all rules are met."""
    n = len(idx)
    later = np.full(n, NONE, dtype=np.int64)

    def due(month: np.ndarray) -> np.ndarray:
        return np.where(month > now, month, NONE)

    out = {"grade_below_met": later.copy(), "work_met": later.copy(), "grassroots_met": later.copy(),
           "probation_end": due(pool.probation_end), "posts_short": np.zeros(n, dtype=np.int64),
           "grassroots_short": np.zeros(n, dtype=np.int64)}
    if rules.years_in_grade_below is not None:
        out["grade_below_met"] = due(pool.grade_since + months(rules.years_in_grade_below))
    if rules.years_of_work is not None:
        out["work_met"] = due(pool.work_start + months(rules.years_of_work))
    if rules.grassroots_years is not None:
        out["grassroots_met"], out["grassroots_short"] = grassroots_projection(
            org, idx, months(rules.grassroots_years) - pool.grassroots_months, now)
    if rules.posts_held_below is not None:
        out["posts_short"] = np.maximum(rules.posts_held_below - pool.posts_held, 0)
    out["last_ok"] = np.full(n, NEVER, dtype=np.int64) if rules.age_ceiling is None else \
        pool.birth + 12 * (rules.age_ceiling + 1) - 1
    waits = np.vstack([np.full(n, now), out["grade_below_met"], out["work_met"], out["grassroots_met"],
                       out["probation_end"]])
    move = (out["posts_short"] > 0) | (out["grassroots_short"] > 0)
    out["ready"] = np.where(move, NEVER, waits.max(axis=0))
    return out


def grassroots_projection(org: Organization, idx: np.ndarray, short: np.ndarray,
                          now: int) -> tuple[np.ndarray, np.ndarray]:
    """When the grassroots months still ``short`` are met by accrual alone (-1: met now; NEVER: not by
    accrual), and how many a move must still bring. A cadre accrues in a grassroots unit without end, and
    while seconded until the secondment ends."""
    short = np.maximum(short, 0)
    accruing = org.grassroots_since[idx] >= 0
    home = np.array([org.is_grassroots_unit(int(u)) for u in org.unit[idx]], dtype=bool)
    room = np.where(home, NEVER, np.maximum(org.secondment_end[idx] - now, 0))
    room = np.where(accruing, room, 0)
    met = np.where(short == 0, NONE, np.where(short <= room, now + short, NEVER))
    return met, np.where(short <= room, 0, short - room)


#: The counts of a summary, in order.
COUNTS = ("candidates", "eligible_now", "eligible_by_at", "needs_post", "needs_grassroots", "ages_out")


def summaries(table: pd.DataFrame, by_unit: bool = False) -> pd.DataFrame:
    """Counts per birth decade (and per unit when ``by_unit``), with a total row: ``by`` ("birth_decade",
    "unit" or "all"), ``group`` and :data:`COUNTS`."""
    t = table.assign(candidates=1, needs_post=table["posts_short"] > 0,
                     needs_grassroots=table["grassroots_short"] > 0, ages_out=table["over_ceiling_by_at"])
    cols = list(COUNTS)
    parts = [t[cols].sum().to_frame().T.assign(by="all", group="all")]
    parts.append(t.groupby("birth_decade")[cols].sum().reset_index().rename(columns={"birth_decade": "group"})
                 .assign(by="birth_decade"))
    if by_unit:
        parts.append(t.groupby(["unit_id", "unit"])[cols].sum().reset_index()
                     .assign(group=lambda d: d["unit"].astype(str)).drop(columns=["unit_id", "unit"])
                     .assign(by="unit"))
    out = pd.concat(parts, ignore_index=True)[["by", "group", *cols]]
    out[cols] = out[cols].astype(np.int64)
    return out


def headline(summary: pd.DataFrame, at: int) -> str:
    """The totals in one line: "eligible now: 9; eligible by 2016-12 on time alone: 11; ..."."""
    row = summary[summary["by"] == "all"].iloc[0]
    return (f"candidates: {row['candidates']}; eligible now: {row['eligible_now']}; eligible by {dates.fmt(at)} on "
            f"time alone: {row['eligible_by_at']}; needing another leading post below: {row['needs_post']}; "
            f"needing more grassroots months than they are accruing: {row['needs_grassroots']}; over the age "
            f"ceiling by {dates.fmt(at)}: {row['ages_out']}")
