"""Replications: run them (in-process or in a process pool), then reduce them to tables.

Replication ``i`` draws from ``KeyedRandom(seed, i)`` whatever the job count, and
results are gathered in replication order, so the same seed gives the same bytes
for any ``jobs``.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import pandas as pd

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


def run_scenario(scenario: Scenario, replications: int = 20, seed: int = DEFAULT_SEED, jobs: int = 1,
                 record_events: bool = True, roster: Roster | None = None,
                 on_done: Callable[[int], None] | None = None, executor: Executor | None = None) -> RunResults:
    """Run ``replications`` replications of ``scenario`` and gather the tables.

    Args:
        roster: the start roster (default: the scenario's roster files, else its synthetic district).
        jobs: worker processes (1: in this process).
        on_done: called with the replication number as each one finishes (for progress bars).
        executor: a concurrent.futures executor to use instead of a new process pool.
    """
    if replications < 1:
        raise ValueError('"replications" must be >= 1.')
    if roster is None:
        from cadresim.io.roster_read import load_roster

        roster = load_roster(scenario)
    tasks = ((scenario, roster, seed, i, record_events) for i in range(replications))
    results = _map(tasks, replications, jobs, on_done, executor)
    res = gather(scenario, seed, results, roster.units)
    res.roster_ids, res.roster_digests = roster.ids, dict(roster.digests)
    return res


def _one(args: tuple) -> ReplicationResult:
    return simulate(*args)


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
        frames = [pd.DataFrame(rows(r), columns=list(cols)).assign(replication=r.replication) for r in results]
        df = pd.concat(frames, ignore_index=True)
        return df[["replication", *cols]]

    per_rep = table(lambda r: r.metrics, MetricRow._fields)
    events = None
    if results and results[0].events is not None:
        events = pd.concat([r.events.assign(replication=r.replication) for r in results], ignore_index=True)
        events = events[["replication", *[c for c in events.columns if c != "replication"]]]
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
