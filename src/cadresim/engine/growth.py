"""The grown district: the start roster is the state the model's own processes reach from ``history.start``.

The spin-up starts from a full organization of the ``simple`` generator (everyone in it has left by the
start date) and runs the package's default processes, month by month, under the rules of the time
(``history`` section): before ``interim_rules_from`` division-level promotions need only the age
ceilings; from it, 5 years' work and 2 years' grassroots experience; from ``regulations_from`` every
default rule, with ``waivers_per_year`` exceptional promotions a year throughout. A share
``leadership_from_outside`` of district-leadership vacancies is filled from outside (and no other post).
Recruits' ages follow ``history.recruit_eras``. No count is set: whatever the processes leave on the start date is the roster.

Only the ``district`` and ``history`` sections and the start date enter the spin-up, so no forward lever
changes the roster and every scenario over the same district stays paired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from cadresim import dates
from cadresim.district.merit import merit_z
from cadresim.district.roster import CADRE_COLUMNS, Roster
from cadresim.district.synthetic import generate, unit_table
from cadresim.engine.schedule import ReplicationResult, _clock, processes, setup
from cadresim.processes.intake import ENTRY_KINDS
from cadresim.rules.ages import division_start
from cadresim.scenario.ranks import NonLeading
from cadresim.scenario.schema import (Grade, History, Recruitment, Reshuffle, Rotation, Scenario, Selection,
                                      YouthTalent)
from cadresim.state.replication import Promotion, Replication

#: The spin-up's replication number (its random stream is keyed by the district seed and this).
SPIN_UP_REPLICATION = 0


@dataclass(frozen=True)
class Grown:
    """A grown district: the roster on the start date, the spin-up's fitted merit correlation, and the
    promotions of its last five years (for the entry-age figures).

    Attributes:
        rho: correlation of the spin-up's latent merit with :func:`cadresim.district.merit.merit_z` over
            the roster's cadres.
        entries: entries into a grade (promotions and outside appointments) from five years before the start
            date: month, grade (ladder index), age.
    """

    roster: Roster
    rho: float
    entries: pd.DataFrame


def grow(scenario: Scenario, seed: int) -> Grown:
    """Grow the district of ``scenario`` (its ``district`` and ``history`` sections) on generator ``seed``."""
    eras = era_scenarios(scenario)
    first = eras[0][1]
    simple = first.district.model_copy(update={"generator": "simple", "copies": 1, "seed": seed})
    roster0 = generate(first.model_copy(update={"district": simple}))
    run = setup(first, roster0, seed, SPIN_UP_REPLICATION, record_events=False)
    env = simpy.Environment(initial_time=first.start_month)
    steps = [s for s in processes(run, ReplicationResult(SPIN_UP_REPLICATION)) if s[0] != "snapshots"]
    steps += [("era", [m], 0.05, lambda m, sc=sc: _enter(run, sc)) for m, sc in eras[1:]]
    counter = [0]
    for step in steps:
        env.process(_clock(env, step, counter, run.timings))
    env.run()
    roster = roster_of(run, scenario)
    merit = run.rng.normal("merit", roster.cadres["spin_up_key"].to_numpy(np.int64))
    z = merit_z(roster.cadres, scenario.ladder[0])
    above = (roster.cadres["grade"] != scenario.ladder[0]).to_numpy()
    rho = float(np.corrcoef(merit[above], z[above])[0, 1]) if np.std(z[above]) > 0 else 0.0
    cadres = roster.cadres.drop(columns="spin_up_key")
    return Grown(Roster(roster.units, cadres, roster.start), rho, _entries(run, scenario.start_month))


def _enter(run: Replication, scenario: Scenario) -> None:
    """The rules of a new era apply from this month on."""
    run.scenario = scenario
    run.org.change_rules(scenario)


def era_scenarios(scenario: Scenario) -> list[tuple[int, Scenario]]:
    """The spin-up's scenario in each era, by first month: package defaults except the district, the rules
    of the time, the recruits' ages, the past reshuffles and Youth Talent cohorts, and the waivers."""
    h = scenario.history
    first, last = dates.parse(h.start), scenario.start_month - 1
    changes = {dates.parse(e.start) for e in h.recruit_eras}
    changes |= {dates.parse(h.interim_rules_from), dates.parse(h.regulations_from), dates.parse(h.nonleading_from)}
    months = sorted({first} | {m for m in changes if first < m <= last})
    return [(m, _era(scenario, h, m, first, last)) for m in months]


def _era(scenario: Scenario, h: History, month: int, first: int, last: int) -> Scenario:
    """The spin-up's scenario in force in ``month``."""
    units = {k: u.model_copy(update={"grassroots": k in h.grassroots_types,
                                     "young_member_age": h.young_member_ages.get(k)})
             for k, u in scenario.district.units.items()}
    district = scenario.district.model_copy(update={"units": units, "merit_rho": 0.0, "stream": 0})  # merit: drawn afresh
    base = Scenario(start=dates.fmt(first), end=dates.fmt(last), district=district)
    ages = [e.age for e in sorted(h.recruit_eras, key=lambda e: dates.parse(e.start))
            if dates.parse(e.start) <= month] or [h.recruit_eras[0].age]
    rules = "regulations" if month >= dates.parse(h.regulations_from) else (
        "interim" if month >= dates.parse(h.interim_rules_from) else "early")
    selection = Selection(exceptional={"per_year": h.waivers_per_year, "competes": True},
                          score={"years_in_grade": h.seniority}, outside_fill_mode="always")
    reshuffles = [d for d in h.reshuffles if first <= dates.parse(d) <= last]
    cohorts = {k: c for k, c in h.cohorts.items() if first <= dates.parse(c.start) <= last}
    return base.model_copy(update={
        "grades": _rules_of_the_time(base, rules, h), "selection": selection,
        "rotation": Rotation(internal_rate=h.internal_rotation_rate),
        "recruitment": Recruitment(age=ages[-1], grassroots_share=h.recruit_grassroots_share),
        "reshuffle": Reshuffle(dates=reshuffles), "youth_talent": YouthTalent(cohorts=cohorts),
        "nonleading": NonLeading(enabled=month >= dates.parse(h.nonleading_from))})


def _rules_of_the_time(base: Scenario, era: str, h: History) -> dict[str, Grade]:
    """The default grades, with the division-level rules that did not yet apply switched off, and outside
    appointments to the district leadership at the history's share (the only outside fills of the past)."""
    off: dict[str, None] = {}
    if era != "regulations":
        off = {"years_in_grade_below": None, "posts_held_below": None}
    if era == "early":
        off |= {"years_of_work": None, "grassroots_years": None}
    top, leaders = division_start(base), base.roles.district_leadership
    grades = {}
    for i, key in enumerate(base.ladder):
        outside = h.leadership_from_outside if key == leaders else 0.0
        grades[key] = base.grades[key].model_copy(update=(off if i >= top else {}) | {"outside_fill": outside})
    return grades


def roster_of(run: Replication, scenario: Scenario) -> Roster:
    """The state of a replication as the roster of ``scenario``'s start date (cadre ids renumbered 0..;
    the spin-up's own keys kept in a ``spin_up_key`` column)."""
    org, start = run.org, scenario.start_month
    idx = np.flatnonzero(org.active[: org.n])
    names = np.array(["", *run.scenario.youth_talent.cohorts], dtype=object)
    ladder = np.array(scenario.ladder, dtype=object)
    data = {
        "cadre_id": np.arange(len(idx)), "birth": org.birth[idx], "female": org.female[idx],
        "work_start": org.work_start[idx], "grade": ladder[org.grade[idx]], "grade_since": org.grade_since[idx],
        "unit_id": org.unit_ids[org.unit[idx]], "post_since": org.post_since[idx],
        "last_promotion": org.last_promotion[idx], "posts_held": org.posts_held[idx, org.grade[idx]],
        "grassroots_months": org.grassroots_at(idx, start), "enterprise": org.enterprise[idx],
        "cohort": names[org.cohort[idx] + 1], "probation_end": _after(org.probation_end[idx], start),
        "secondment_end": _after(org.secondment_end[idx], start), "nonleading": org.nonleading[idx]}
    cadres = pd.DataFrame({c: pd.Series(data[c], dtype=t) for c, (t, _) in CADRE_COLUMNS.items()})
    cadres["spin_up_key"] = org.key[idx]
    return Roster(unit_table(scenario).assign(district=0), cadres, start)


def _after(end: np.ndarray, start: int) -> np.ndarray:
    """End months as a roster holds them: -1 for one not after ``start`` (a probation or secondment that
    ends in the start month counts as over, as a department's roster would show it)."""
    return np.where(end > start, end, -1)


def _entries(run: Replication, start: int) -> pd.DataFrame:
    """Entries into a grade above the bottom in the five years before ``start`` (promotions and appointments
    from outside), with the age at entry."""
    org = run.org
    rows = [(p.month, p.grade, (p.month - int(org.birth[p.cadre])) // 12)
            for p in run.promotions if p.month >= start - 60]
    keys = org.key[: org.n]
    outside = np.flatnonzero((keys >> 56) == ENTRY_KINDS["outside"])
    outside = outside[org.grade_since[outside] >= start - 60]
    rows += [(int(org.grade_since[c]), int(org.grade[c]), int((org.grade_since[c] - org.birth[c]) // 12))
             for c in outside]
    return pd.DataFrame(sorted(rows), columns=["month", "grade", "age"], dtype=np.int64)


def promotion_ages(grown: Grown, scenario: Scenario) -> dict[str, float]:
    """Median age at entry into each grade above the bottom, over the five years before the start date."""
    e = grown.entries
    return {key: float(e.loc[e["grade"] == k, "age"].median()) if (e["grade"] == k).any() else float("nan")
            for k, key in enumerate(scenario.ladder) if k > 0}


__all__ = ["Grown", "Promotion", "era_scenarios", "grow", "promotion_ages", "roster_of"]
