"""One replication as a SimPy model: processes wake in the months they act and apply their step.

Within a month, steps run in the order of docs/model.md (exits; ends of probation
and secondment; rotation; the reshuffle; selection; recruitment; snapshots). Each step
is a process scheduled at month + a phase offset, so the order never depends on the
order in which processes were started.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import simpy

from cadresim import dates
from cadresim.district.merit import conditional_merit, merit_z
from cadresim.district.roster import Roster
from cadresim.errors import InvariantError
from cadresim.measures import metrics
from cadresim.measures.rows import AgeRow, EligibilityRow, MetricRow, PoolRow, StockRow
from cadresim.measures.teams import TeamTracker
from cadresim.processes.exits import due_to_leave, exits, monthly_hazards
from cadresim.processes.intake import lateral_hires, recruitment
from cadresim.processes.nonleading import nonleading_review
from cadresim.processes.probation import probation_ends
from cadresim.processes.reshuffle import reshuffle
from cadresim.processes.rotation import rotation
from cadresim.processes.secondment import secondment_ends, secondments
from cadresim.processes.selection import selection_round
from cadresim.processes.youth_talent import after_secondment, join_cohort, youth_talent_start
from cadresim.rng import KeyedRandom
from cadresim.scenario.schema import Scenario
from cadresim.state.events import EventLog
from cadresim.state.organization import Organization
from cadresim.state.replication import Replication

PHASE = {"start": 0.0, "exits": 0.1, "ends": 0.2, "rotation": 0.3, "reshuffle": 0.4, "nonleading": 0.45,
         "selection": 0.5,
         "recruitment": 0.6, "snapshot": 0.7}


@dataclass
class ReplicationResult:
    """What one replication leaves behind, reduced to rows (``measures.rows``) and tables.

    Attributes:
        metrics: outcome metrics at the metric dates.
        stocks: stocks by grade and birth decade at every snapshot (quarter ends and extra dates).
        ages: stocks by grade, sex and age at the metric dates.
        eligibility: the eligibility attribution at the metric dates.
        pool: candidates and eligible candidates at every snapshot.
        teams: per unit and reshuffle: date, unit_id and ``measures.teams.MEASURES``.
        events: the event log (None when not recorded); event_counts: events by kind.
        simpy_events: process wake-ups; timings: seconds per step (eligibility within selection).
        final: the end-of-run roster essentials, by column (see :func:`final_state`).
    """

    replication: int
    district: int = 0
    metrics: list[MetricRow] = field(default_factory=list)
    stocks: list[StockRow] = field(default_factory=list)
    ages: list[AgeRow] = field(default_factory=list)
    eligibility: list[EligibilityRow] = field(default_factory=list)
    pool: list[PoolRow] = field(default_factory=list)
    teams: list[dict] = field(default_factory=list)
    events: pd.DataFrame | None = None
    event_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    simpy_events: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    final: dict[str, np.ndarray] = field(default_factory=dict)


def simulate(scenario: Scenario, roster: Roster, seed: int, replication: int,
             record_events: bool = True, stream: int = 0) -> ReplicationResult:
    """Run one replication from ``roster`` through ``scenario.end`` (``stream``: the district's random
    stream, see :class:`cadresim.rng.KeyedRandom`)."""
    run = setup(scenario, roster, seed, replication, record_events, stream)
    env = simpy.Environment(initial_time=scenario.start_month)
    result = ReplicationResult(replication)
    counter = [0]
    for proc in processes(run, result):
        env.process(_clock(env, proc, counter, run.timings))
    env.run()
    check_invariants(run, len(roster.cadres))
    result.simpy_events = counter[0]
    result.warnings = run.warnings
    result.event_counts = dict(run.log.counts)
    if record_events:
        t0 = time.perf_counter()
        result.events = run.log.table(scenario.ladder, run.org.unit_ids, run.org.key)
        run.timings["events_table"] = time.perf_counter() - t0
    result.timings = dict(run.timings)
    result.final = final_state(run)
    if run.teams is not None:
        result.teams = [{**row, "unit_id": int(run.org.unit_ids[row.pop("unit")])} for row in run.teams.rows]
    return result


def setup(scenario: Scenario, roster: Roster, seed: int, replication: int, record_events: bool,
          stream: int = 0) -> Replication:
    """State, draws and log for one replication; roster cohort members get their mentoring."""
    org = Organization(scenario, roster)
    run = Replication(scenario, org, KeyedRandom(seed, replication, stream), EventLog(record_events))
    team_grades = scenario.role_indices("division_level")
    if team_grades:
        run.teams = TeamTracker(len(org.unit_ids), team_grades)
    idx = np.arange(org.n)
    noise = run.rng.normal("merit", org.key[idx])
    rho = scenario.district.merit_rho
    merit = conditional_merit(noise, merit_z(roster.cadres.sort_values("cadre_id"), scenario.ladder[0]), rho) if rho else noise
    org.set_draws(idx, merit, run.rng.exponential("exit", org.key[idx]))
    for p in org.vacancies():
        org.open_chain(int(p))
        run.open_vacancy(int(p), scenario.start_month, "start")
    for k, cohort in enumerate(scenario.youth_talent.cohorts.values()):
        start = dates.parse(cohort.start)
        for c in np.flatnonzero(org.cohort[: org.n] == k):
            join_cohort(run, int(c), k, start, promoted=bool(org.last_promotion[c] >= start))
    return run


Step = tuple[str, Iterable[int], float, Callable[[int], None]]  # name, months, phase, action


def _clock(env: simpy.Environment, step: Step, counter: list[int], timings: dict[str, float]) -> Iterator[simpy.Event]:
    """A process that wakes at each of its months (plus its phase) and applies its step (timed)."""
    name, months, phase, act = step
    for m in months:
        yield env.timeout(m + phase - env.now)
        counter[0] += 1
        t0 = time.perf_counter()
        act(m)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0


def processes(run: Replication, result: ReplicationResult) -> list[Step]:
    """Every process of the model with the months it acts in."""
    s = run.scenario
    months = range(s.start_month, s.end_month + 1)
    hazards = monthly_hazards(run)
    extra = extra_snapshots(s)
    steps: list[Step] = [
        ("snapshots", [s.start_month], PHASE["start"], lambda m: take_snapshot(run, result, m, metrics_too=True)),
        ("exits", months, PHASE["exits"], lambda m: exits(run, m, hazards)),
        ("probation_secondment_ends", months, PHASE["ends"], lambda m: month_ends(run, m)),
        ("rotation", in_months(months, [s.rotation.month]), PHASE["rotation"], lambda m: rotation(run, m)),
        ("secondment", in_months(months, [s.secondment.month]), PHASE["rotation"] + 0.01,
         lambda m: secondments(run, m)),
        ("reshuffle", sorted(set(s.reshuffle_months)), PHASE["reshuffle"],
         lambda m: (reshuffle(run, m), take_snapshot(run, result, m, True, True))),
        ("nonleading", in_months(months, [s.nonleading.review_month]), PHASE["nonleading"],
         lambda m: nonleading_review(run, m)),
        ("selection", round_months(s, months), PHASE["selection"], lambda m: selection_round(run, m)),
        ("recruitment", in_months(months, s.recruitment.months), PHASE["recruitment"],
         lambda m: (recruitment(run, m), lateral_hires(run, m))),
        ("snapshots", snapshot_schedule(s), PHASE["snapshot"],
         lambda m: take_snapshot(run, result, m, metrics_too=m in extra)),
    ]
    return steps + youth_talent_steps(run)


def in_months(months: range, calendar: Iterable[int] | str) -> list[int]:
    """The months of ``months`` in the calendar months ``calendar`` (all of them for "immediate")."""
    if calendar == "immediate":
        return list(months)
    return [m for m in months if dates.calendar_month(m) in calendar]


def round_months(s: Scenario, months: range) -> list[int]:
    """Months of the ordinary selection rounds: the round months and the rate-based reviews, less the
    reshuffles (which hold their own round)."""
    reshuffles = set(s.reshuffle_months)
    rounds = [m for m in in_months(months, s.selection.rounds) if m not in reshuffles]
    if s.selection.rounds == "immediate":
        return rounds
    reviews = {m for m in months for g in s.grades.values()
               if g.kind == "rate_based" and dates.calendar_month(m) == g.review_month}
    return sorted(set(rounds) | (reviews - reshuffles))


def youth_talent_steps(run: Replication) -> list[Step]:
    """The start of each Youth Talent cohort that starts within the run."""
    s, steps = run.scenario, []
    for name, cohort in s.youth_talent.cohorts.items():
        m = dates.parse(cohort.start)
        if s.start_month <= m <= s.end_month:
            steps.append(("youth_talent", [m], PHASE["rotation"] + 0.02,
                          lambda m, name=name: youth_talent_start(run, name, m)))
    return steps


def month_ends(run: Replication, now: int) -> None:
    """Probations and secondments ending this month (a Youth Talent member may then move post)."""
    probation_ends(run, now)
    secondment_ends(run, now, then=after_secondment)


def extra_snapshots(s: Scenario) -> set[int]:
    """The scenario's extra snapshot months (metrics are taken there too)."""
    return {dates.parse(d) for d in s.snapshots}


def snapshot_schedule(s: Scenario) -> list[int]:
    """Quarter ends (for the stock time series) and the extra snapshot dates."""
    quarters = [m for m in range(s.start_month + 1, s.end_month + 1) if dates.calendar_month(m) % 3 == 0]
    return sorted(set(quarters) | extra_snapshots(s))


def take_snapshot(run: Replication, result: ReplicationResult, now: int, metrics_too: bool,
                  after_reshuffle: bool = False) -> None:
    """Record stocks; at metric dates also the metrics, the eligibility attribution and the ages."""
    if not after_reshuffle:
        result.stocks += metrics.stock_rows(run, now)
        result.pool += metrics.pool_rows(run, now)
    if metrics_too:
        d = dates.fmt(now)
        result.metrics += [MetricRow(k, d, v) for k, v in metrics.snapshot_metrics(run, now, after_reshuffle).items()]
        result.eligibility += metrics.eligibility_rows(run, now)
        result.ages += metrics.age_rows(run, now)


def check_invariants(run: Replication, start_headcount: int) -> None:
    """No post with two holders, no cadre in two posts, headcount conserved."""
    org = run.org
    n = org.n
    seated = np.flatnonzero(org.active[:n] & (org.post[:n] >= 0))
    if len(np.unique(org.post[seated])) != len(seated):
        raise InvariantError("two cadres hold the same post")
    if np.any(org.holder[org.post[seated]] != seated):
        raise InvariantError("a post's holder does not hold it")
    held = np.flatnonzero(org.holder >= 0)
    if np.any(org.post[org.holder[held]] != held) or not np.all(org.active[org.holder[held]]):
        raise InvariantError("a post is held by a cadre who is elsewhere or gone")
    expected = np.where(org.nonleading[seated], 0, org.grade[seated])  # a non-leading rank sits in a staff post
    if np.any(expected != org.post_grade[org.post[seated]]):
        raise InvariantError("a cadre holds a post of another grade")
    if int(org.active[:n].sum()) != start_headcount + run.entries - run.exits:
        raise InvariantError("headcount not conserved")


def final_state(run: Replication) -> dict[str, np.ndarray]:
    """The end-of-run roster essentials (for replay checks and tests); grassroots months at the close
    of the run (the start of the month after the last)."""
    org = run.org
    idx = np.flatnonzero(org.active[:org.n])
    return {"key": org.key[idx].copy(), "grade": org.grade[idx].copy(), "unit": org.unit[idx].copy(),
            "nonleading": org.nonleading[idx].copy(),
            "post": org.post[idx].copy(), "birth": org.birth[idx].copy(), "female": org.female[idx].copy(),
            "leave_month": due_to_leave(run, idx), "grade_since": org.grade_since[idx].copy(),
            "post_since": org.post_since[idx].copy(), "posts_held": org.posts_held[idx, org.grade[idx]],
            "grassroots_months": org.grassroots_at(idx, run.scenario.end_month + 1)}
