"""Realized rates against the parameters that set them: rotation, secondment, probation, exits, recruitment.

Each replication's event log is replayed from the start roster (``engine.replay``) to learn what
each rate applies to: the holders who may rotate each April, the months each cadre spends in each
grade, the vacant staff posts each July. The realized rates are then compared with the scenario's
parameters (``comparison``): rotation shares by the mean over replications within 4 standard errors,
probation failures and other exits as binomial shares within 4 binomial standard errors, and the
counts that no draw decides (secondments a year and their length, recruits per staff gap) exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.district.roster import Roster
from cadresim.engine.replay import Replayer
from cadresim.engine.schedule import simulate
from cadresim.scenario.schema import Scenario
from cadresim.validation.comparison import Z, Check, binomial, exact, statistical
from cadresim.validation.theory import monthly_exit_probability


@dataclass
class Tally:
    """What one replication's log says about the rates, summed over the run.

    Attributes:
        rotation_pool: holders who could rotate by the rates, summed over the rotation months.
        moved: rotation moves by kind ("cross", "internal") in those months.
        at_risk: months spent in each grade (ladder order) exposed to other exits.
        other_exits: other exits from each grade.
        secondments: yearly secondments started in each secondment month.
        secondment_months: length of each yearly secondment that ended within the run.
        probation: (failed, ended) probations.
        intakes: (vacant bottom-grade posts just before the intake, recruits) of each recruitment month.
    """

    rotation_pool: int = 0
    moved: dict[str, int] = field(default_factory=lambda: {"cross": 0, "internal": 0})
    at_risk: np.ndarray = field(default_factory=lambda: np.zeros(0))
    other_exits: np.ndarray = field(default_factory=lambda: np.zeros(0))
    secondments: list[int] = field(default_factory=list)
    secondment_months: list[int] = field(default_factory=list)
    probation: tuple[int, int] = (0, 0)
    intakes: list[tuple[int, int]] = field(default_factory=list)


def rotation_step_begun(e) -> bool:
    """Whether event ``e`` comes from the rotation step of its month or a later step (exits, ends of
    probation and secondment, and the seating and placement that follow them come earlier)."""
    if e.event == "exit":
        return e.detail not in ("age", "other")
    if e.event == "to_nonleading":
        return not e.detail.startswith("age")
    if e.event == "vacancy_filled":
        return e.detail not in ("return", "placement", "nonleading")
    return e.event not in ("vacancy_opened", "probation_pass", "probation_fail", "secondment_end", "placement")


def tally(scenario: Scenario, roster: Roster, events: pd.DataFrame) -> Tally:
    """Replay one replication month by month, noting what each rate applies to when it applies."""
    ladder = scenario.ladder
    t = Tally(at_risk=np.zeros(len(ladder)), other_exits=np.zeros(len(ladder)))
    r = Replayer(scenario, roster)
    by_month = dict(iter(events.groupby("month", sort=True)))
    for m in range(scenario.start_month, scenario.end_month + 1):
        t.at_risk += r.stock()
        rotating = dates.calendar_month(m) == scenario.rotation.month
        recruiting = intake_month(scenario, m)
        rows = by_month.get(m, events.iloc[:0])
        for e in rows.itertuples(index=False):
            if rotating and rotation_step_begun(e):
                t.rotation_pool += r.rotation_pool(m)
                rotating = False
            if recruiting and e.event == "recruitment":
                t.intakes.append((r.vacant_posts(0), int((rows["event"] == "recruitment").sum())))
                recruiting = False
            r.apply(e)
        t.rotation_pool += r.rotation_pool(m) if rotating else 0
        t.intakes += [(r.vacant_posts(0), 0)] if recruiting else []
    count_events(scenario, events, t)
    return t


def intake_month(scenario: Scenario, m: int) -> bool:
    """Whether recruitment fills the bottom grade's vacant posts (``intake: gaps``) in month ``m``."""
    rec = scenario.recruitment
    return rec.intake == "gaps" and (rec.months == "immediate" or dates.calendar_month(m) in rec.months)


def count_events(scenario: Scenario, ev: pd.DataFrame, t: Tally) -> None:
    """The numerators, read from the log: moves, exits, secondments, probation outcomes."""
    ladder = scenario.ladder
    rotating = ev["month"].map(dates.calendar_month) == scenario.rotation.month
    for kind in t.moved:
        t.moved[kind] = int(((ev["event"] == "rotation") & (ev["detail"] == kind) & rotating).sum())
    exits = ev[ev["event"] == "exit"]
    t.other_exits = exits[exits["detail"] == "other"]["grade"].value_counts().reindex(ladder, fill_value=0).to_numpy()
    t.at_risk -= exits[exits["detail"] == "age"]["grade"].value_counts().reindex(ladder, fill_value=0).to_numpy()
    t.probation = (int((ev["event"] == "probation_fail").sum()),
                   int(ev["event"].isin(["probation_fail", "probation_pass"]).sum()))
    yearly = yearly_secondments(scenario, ev)
    t.secondments = yearly.groupby("month").size().tolist()
    ends = ev[ev["event"] == "secondment_end"][["cadre_id", "month"]]
    done = yearly.merge(ends, on="cadre_id", suffixes=("", "_end"))
    done = done[done["month_end"] > done["month"]].groupby(["cadre_id", "month"])["month_end"].min()
    t.secondment_months = (done - done.index.get_level_values("month")).tolist()


def yearly_secondments(scenario: Scenario, ev: pd.DataFrame) -> pd.DataFrame:
    """Starts of the yearly secondment (not a Youth Talent cohort's): cadre_id and month."""
    starts = ev[(ev["event"] == "secondment_start")
                & (ev["month"].map(dates.calendar_month) == scenario.secondment.month)][["cadre_id", "month"]]
    joins = ev[ev["event"] == "youth_talent_join"][["cadre_id", "month"]].assign(joined=True)
    starts = starts.merge(joins, on=["cadre_id", "month"], how="left")
    return starts[starts["joined"].isna()][["cadre_id", "month"]]


def tallies(scenario: Scenario, roster: Roster, replications: int, seed: int) -> list[Tally]:
    """The tally of each of ``replications`` replications."""
    return [tally(scenario, roster, simulate(scenario, roster, seed, i).events) for i in range(replications)]


def rate_checks(scenario: Scenario, counted: list[Tally], name: str | None = None) -> list[Check]:
    """Every realized rate of ``counted`` (tallies of runs of some scenario) against the parameters of
    ``scenario``: pass the scenario that ran to check it, another to see the checks fail."""
    group = f"realized rates, {name or scenario.name}"
    return (rotation_checks(scenario, counted, group) + exit_checks(scenario, counted, group)
            + probation_checks(scenario, counted, group) + secondment_checks(scenario, counted, group)
            + recruitment_checks(scenario, counted, group))


def rotation_checks(scenario: Scenario, counted: list[Tally], group: str) -> list[Check]:
    """Share of the holders who could rotate that moved across units, and within their unit."""
    r = scenario.rotation
    out = []
    for kind, rate, label in (("cross", r.cross_unit_rate, "across units"),
                              ("internal", r.internal_rate, "within their unit")):
        shares = [t.moved[kind] / t.rotation_pool for t in counted if t.rotation_pool]
        out.append(statistical(group, f"rotation: share of holders {r.min_years_in_post:g}+ years in post "
                               f"who moved {label} each {_month_name(r.month)} "
                               f"({sum(t.rotation_pool for t in counted) / len(counted):.0f} a replication)",
                               rate, shares))
    return out


def exit_checks(scenario: Scenario, counted: list[Tally], group: str) -> list[Check]:
    """Yearly rate of other exits from each grade against its hazard (binomial over months at risk)."""
    out = []
    at_risk = sum(t.at_risk for t in counted)
    exits = sum(t.other_exits for t in counted)
    for j, g in enumerate(scenario.ladder):
        rate = scenario.grades[g].exit_rate
        n = int(at_risk[j])
        if not n or rate in (0.0, 1.0):
            continue
        q = float(monthly_exit_probability(rate))
        share = binomial(group, f"other exits from {g}", q, int(exits[j]), n)
        out.append(Check(group, f"{share.check}: yearly rate, from months at risk", rate,
                         _yearly(share.simulated), share.tolerance * 12 * (1 - q) ** 11))
    return out


def probation_checks(scenario: Scenario, counted: list[Tally], group: str) -> list[Check]:
    """Share of ended probations that failed."""
    failed = sum(t.probation[0] for t in counted)
    ended = sum(t.probation[1] for t in counted)
    if not ended:
        return []
    return [binomial(group, "probation: share of ended probations that failed", scenario.probation.fail_rate,
                     failed, ended)]


def secondment_checks(scenario: Scenario, counted: list[Tally], group: str) -> list[Check]:
    """Yearly secondments: the count each year, and their length (both set, no draw)."""
    sec = scenario.secondment
    years = [n for t in counted for n in t.secondments]
    lengths = [n for t in counted for n in t.secondment_months]
    off_count = sum(n != sec.count for n in years)
    off_length = sum(n != sec.months for n in lengths)
    return [exact(group, f"secondment: years (of {len(years)}) in which the number seconded was not "
                  f"{sec.count}", 0, off_count),
            exact(group, f"secondment: secondments (of {len(lengths)} ended) that did not last "
                  f"{sec.months} months", 0, off_length)]


def recruitment_checks(scenario: Scenario, counted: list[Tally], group: str) -> list[Check]:
    """Recruitment fills every vacant bottom-grade post it finds (``intake: gaps``)."""
    if scenario.recruitment.intake != "gaps":
        return []
    intakes = [i for t in counted for i in t.intakes]
    recruits = sum(n for _, n in intakes)
    return [exact(group, f"recruitment: intakes (of {len(intakes)}, {recruits:,} recruits) whose recruits "
                  f"differ from the vacant {scenario.ladder[0]} posts", 0, sum(g != n for g, n in intakes))]


def _yearly(monthly: float) -> float:
    """A yearly probability from a monthly one."""
    return 1.0 - (1.0 - monthly) ** 12


def _month_name(calendar_month: int) -> str:
    return ["January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"][calendar_month - 1]


__all__ = ["Z", "Tally", "tally", "tallies", "rate_checks"]
