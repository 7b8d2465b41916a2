"""Replications: run them (in-process or in a process pool), then reduce them to tables.

Replication ``i`` draws from ``KeyedRandom(seed, i)`` whatever the job count, and
results are gathered in replication order, so the same seed gives the same bytes
for any ``jobs``.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from cadresim.engine.districts import Start
from cadresim.engine.districts import start as start_districts
from cadresim.engine.fanout import fan_out
from cadresim.engine.schedule import ReplicationResult, simulate
from cadresim.measures.kinds import bounds
from cadresim.measures.rows import AgeRow, EligibilityRow, MetricRow, PoolRow, StockRow
from cadresim.measures.teams import MEASURES, aggregate
from cadresim.district.roster import Roster
from cadresim.scenario.schema import Scenario
from cadresim.stats import mean_ci, nested_mean_ci

DEFAULT_SEED = 20140221  # the date of the speech; fixed so two runs of the same command agree
SUMMARY_COLUMNS = ("metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n")
#: summary.csv's further columns for a run over several districts.
NESTED_COLUMNS = ("n_districts", "between_share")


@dataclass
class RunResults:
    """All replications of one scenario, as tidy tables."""

    scenario: Scenario
    seed: int
    replications: int
    summary: pd.DataFrame
    per_replication: pd.DataFrame
    timeseries: pd.DataFrame
    eligibility: pd.DataFrame
    ages: pd.DataFrame
    pool: pd.DataFrame
    teams: pd.DataFrame
    events: pd.DataFrame | None
    warnings: list[str] = field(default_factory=list)
    simpy_events: int = 0
    roster_ids: tuple[str, ...] | None = None  # the roster file's own cadre ids (memory only: --keep-ids)
    roster_digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of the roster files, by role
    districts: list[dict] = field(default_factory=list)  # per district: its index, generator seed and digest
    tried: int = 0  # seeds the rejection tried to find the grown districts (0: a roster of its own)


#: Replications per district by default: over an ensemble of districts, and on one roster.
ENSEMBLE_REPLICATIONS, ONE_ROSTER_REPLICATIONS = 4, 20


def default_replications(n_districts: int) -> int:
    """Replications per district when none are asked for."""
    return ENSEMBLE_REPLICATIONS if n_districts > 1 else ONE_ROSTER_REPLICATIONS


def run_scenario(scenario: Scenario, replications: int | None = None, seed: int = DEFAULT_SEED, jobs: int = 1,
                 record_events: bool = True, roster: Roster | None = None,
                 on_done: Callable[[int], None] | None = None, executor: Executor | None = None,
                 districts: Start | None = None) -> RunResults:
    """Run ``replications`` replications of ``scenario`` in each of its districts and gather the tables.

    Replication ``i`` of district ``d`` is numbered ``d * replications + i`` in the results and draws from
    ``KeyedRandom(seed, i, stream of d)``: the same numbers in every scenario over the same districts.

    Args:
        replications: per district (default: 4 over an ensemble of districts, 20 on one roster).
        roster: the start roster (default: the ensemble of grown districts, else the scenario's roster files
            or synthetic district).
        jobs: worker processes (1: in this process).
        on_done: called with the replication number as each one finishes (for progress bars).
        executor: a concurrent.futures executor to use instead of a new process pool.
        districts: the districts, when the caller has them already (:func:`cadresim.engine.districts.start`).
    """
    start = districts or start_districts(scenario, roster, jobs, executor)
    per = replications or default_replications(len(start.districts))
    if per < 1:
        raise ValueError('"replications" must be >= 1.')
    tasks = ((scenario, d.roster, seed, i, record_events, d.stream, d.index, d.index * per + i)
             for d in start.districts for i in range(per))
    total = per * len(start.districts)
    results = _map(tasks, total, jobs, on_done, executor)
    res = gather(scenario, seed, results, start.districts[0].roster.units)
    res.districts = [d.label() for d in start.districts]
    res.tried = start.tried
    first = start.districts[0].roster
    res.roster_ids, res.roster_digests = first.ids, dict(first.digests)
    return res


def _one(args: tuple) -> ReplicationResult:
    scenario, roster, seed, i, record_events, stream, district, number = args
    result = simulate(scenario, roster, seed, i, record_events, stream)
    result.replication, result.district = number, district
    return result


def _map(tasks: Iterable[tuple], replications: int, jobs: int, on_done: Callable[[int], None] | None,
         executor: Executor | None) -> list[ReplicationResult]:
    """Every replication's result, in replication order whatever order they complete in."""
    done = on_done or (lambda i: None)
    results: dict[int, ReplicationResult] = {}

    def keep(result: ReplicationResult) -> None:
        results[result.replication] = result
        done(result.replication)

    fan_out(_one, tasks, keep, jobs, executor, replications)
    return [results[i] for i in range(replications)]


def gather(scenario: Scenario, seed: int, results: list[ReplicationResult], units: pd.DataFrame) -> RunResults:
    """Tables from replication results (in replication order)."""
    def table(rows: Callable[[ReplicationResult], list], cols: tuple[str, ...] | list[str]) -> pd.DataFrame:
        frames = [pd.DataFrame(rows(r), columns=list(cols)).assign(replication=r.replication, district=r.district)
                  for r in results]
        df = pd.concat(frames, ignore_index=True)
        return df[["replication", "district", *cols]]

    per_rep = table(lambda r: r.metrics, MetricRow._fields)
    events = None
    if results and results[0].events is not None:
        events = pd.concat([r.events.assign(replication=r.replication, district=r.district) for r in results],
                           ignore_index=True)
        events = events[["replication", "district", *[c for c in events.columns if c not in ("replication", "district")]]]
    warnings = sorted({w for r in results for w in r.warnings})
    return RunResults(
        scenario, seed, len(results), summarize(per_rep), per_rep,
        table(lambda r: r.stocks, StockRow._fields),
        table(lambda r: r.eligibility, EligibilityRow._fields),
        table(lambda r: r.ages, AgeRow._fields),
        table(lambda r: r.pool, PoolRow._fields),
        aggregate(table(lambda r: r.teams, ["date", "unit_id", *MEASURES]), units, scenario),
        events, warnings, sum(r.simpy_events for r in results))


def summarize(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and the 95% CI of the mean for each metric and date, within the metric's range
    (:func:`cadresim.stats.mean_ci` with :func:`cadresim.measures.kinds.bounds`).

    Replications of more than one district (a ``district`` column with two values or more) get the
    nested interval across districts (:func:`cadresim.stats.nested_mean_ci`) and two more columns,
    ``n_districts`` and ``between_share``; one district keeps the table as it was.
    """
    nested = "district" in per_rep.columns and per_rep["district"].nunique() > 1
    rows = []
    for (metric, date), g in per_rep.groupby(["metric", "date"], sort=False):
        values = g["value"].to_numpy()
        cells = nested_mean_ci(values, g["district"].to_numpy(), bounds(metric)) if nested else \
            mean_ci(values, bounds(metric))
        rows.append((metric, date, *cells))
    return pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, *(NESTED_COLUMNS if nested else ())])
