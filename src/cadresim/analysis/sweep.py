"""Parameter sweeps: every point of a design, every replication, one tidy table.

A sweep is pure steps around one impure one:

1. a **design** (:mod:`cadresim.analysis.sweep_design`): :func:`full_grid` or :func:`latin_hypercube`
   expands the swept keys (the scenario format's own dotted keys, as ``--set`` takes them) into
   points, each a ``{key: value}`` mapping, checked against the base scenario (:func:`check_design`);
2. **tasks**: one per point and replication, carrying the point's validated scenario (:func:`tasks`);
3. **runs** (:mod:`cadresim.analysis.sweep_runs`): each task runs in a worker of the executor
   passed in (none: this process; a process pool; a Dask client's executor; see
   :mod:`cadresim.engine.fanout`) and comes back reduced to its metrics (a :class:`RunRecord`);
4. the **tables** (:mod:`cadresim.analysis.sweep_tables`): the records sorted by (run_id,
   replication) give one row per run and one per point, metric and date.

Common random numbers: replication ``i`` of every point draws from ``KeyedRandom(seed, i)`` and
starts from the same roster, so neighbouring points are paired. Given an output folder
(:mod:`cadresim.analysis.sweep_store`), every finished run is saved as it completes, so an
interrupted sweep rerun with the same arguments skips the finished runs and ends with the same
table. A run that raises is recorded with its error (metrics NaN) and the sweep goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from cadresim.analysis.sweep_design import Design, full_grid
from cadresim.analysis.sweep_runs import RunSpec, TaskFn, district_key, districts_for, guarded, roster_for, run_task
from cadresim.analysis.sweep_store import MemoryStore, open_folder, write_sweep
from cadresim.analysis.sweep_tables import ERROR_COLUMN, ID_COLUMNS, SweepResults, build_table, summarize
from cadresim.engine.fanout import describe_executor, fan_out
from cadresim.engine.replications import DEFAULT_SEED
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import scenario_hash, with_overrides
from cadresim.scenario.schema import Scenario


def check_design(base: Scenario, design: Design) -> None:
    """Validate every point's scenario; nothing runs unless all are valid.

    Raises:
        InputError: each distinct problem once, naming the option and key (``--grid KEY``).
    """
    problems: dict[str, Problem] = {}
    for key in design.keys:
        if key in (*ID_COLUMNS, ERROR_COLUMN):
            problems[key] = Problem(f"{design.flag} {key}", "", "not a scenario key")
    for point in design.points:
        try:
            with_overrides(base, point)
        except InputError as exc:
            for p in exc.problems:
                blamed = _blame(p, point, design.flag)
                problems.setdefault(str(blamed), blamed)
    if problems:
        raise InputError(list(problems.values()))


def _blame(p: Problem, point: Mapping[str, Any], flag: str) -> Problem:
    """The problem restated against the swept key it concerns."""
    for key in point:
        if p.path == key:
            return Problem(f"{flag} {key}", "", p.message, p.value)
        if p.path.startswith((key + ".", key + "[")) or key.startswith(p.path + "."):
            return Problem(f"{flag} {key}", p.path, p.message, p.value)
    where = ", ".join(f"{k}={v}" for k, v in point.items())
    return Problem(f"{flag} (at {where})", p.path, p.message, p.value)


def tasks(base: Scenario, design: Design, replications: int, seed: int,
          skip: set[tuple[int, int]]) -> Iterator[RunSpec]:
    """The runs still to make, point by point, each point's scenario built once."""
    for run_id, point in enumerate(design.points):
        todo = [r for r in range(replications) if (run_id, r) not in skip]
        if todo:
            scenario = with_overrides(base, point)
            yield from (RunSpec(run_id, r, seed, scenario) for r in todo)


def sweep(base: Scenario, grid: Mapping[str, Sequence[Any]] | None = None, *, design: Design | None = None,
          replications: int = 20, seed: int = DEFAULT_SEED, jobs: int = 1, executor: Executor | None = None,
          output: str | Path | None = None, on_progress: Callable[[int, int], None] | None = None,
          retry_errors: bool = False, task_fn: TaskFn = run_task) -> SweepResults:
    """Run every point of a design for ``replications`` replications and gather one tidy table.

    Args:
        base: the scenario every point starts from.
        grid: dotted key -> values, for a full grid (or give ``design``, e.g. :func:`latin_hypercube`).
        replications: runs per point; replication ``i`` draws the same streams at every point.
        seed: the random seed of every run.
        jobs: worker processes for a new process pool (1: runs in this process), when no ``executor``.
        executor: any ``concurrent.futures.Executor`` (a Dask client's ``get_executor()``); left open.
        output: a sweep folder: every finished run is saved there as it completes, a rerun with the
            same arguments resumes, and the tables, the base scenario and a manifest are written there.
        on_progress: called with (runs done, runs in all) at the start and after each run.
        retry_errors: on resuming, run again the runs that failed.
        task_fn: makes one run (default :func:`run_task`); must be picklable for a pool.

    Raises:
        InputError: a point's scenario is invalid, or ``output`` holds another sweep; nothing is run.
    """
    if replications < 1:
        raise ValueError('"replications" must be >= 1.')
    if grid is not None and design is not None:
        raise ValueError('give "grid" or "design", not both.')
    design = design if design is not None else full_grid(grid or {})
    check_design(base, design)
    _check_districts(base, design)
    header = sweep_header(base, design, replications, seed)
    store = open_folder(Path(output), header, base) if output is not None else MemoryStore()
    started = datetime.now(timezone.utc)
    skip = store.finished(retry_errors)
    total = len(design.points) * replications
    progress = _Counter(total, len(skip), on_progress)
    fan_out(partial(guarded, task_fn), tasks(base, design, replications, seed, skip),
            lambda r: (store.save(r), progress.step()), jobs, executor, total - len(skip))
    records = store.records()
    table = build_table(design, records)
    warnings = sorted({w for r in records for w in r.warnings})
    res = SweepResults(base, design, seed, replications, table, summarize(table, design, len(districts_for(base))),
                       Path(output) if output is not None else None, len(skip), warnings)
    if output is not None:
        write_sweep(res, describe_executor(executor, jobs), started)
    return res


def sweep_header(base: Scenario, design: Design, replications: int, seed: int) -> dict[str, Any]:
    """What fixes a sweep's runs: checked when a folder is resumed."""
    return {"scenario": base.name, "scenario_hash": scenario_hash(base), "seed": seed,
            "replications": replications, "design": design.to_json()}


def _check_districts(base: Scenario, design: Design) -> None:
    """Build each distinct start roster once here, so a bad district is reported before anything runs
    (and a sequential sweep, or a forked pool, finds it cached)."""
    seen = set()
    for point in design.points:
        scenario = with_overrides(base, point)
        if (key := district_key(scenario)) not in seen:
            seen.add(key)
            roster_for(scenario)


class _Counter:
    def __init__(self, total: int, done: int, report: Callable[[int, int], None] | None) -> None:
        self.total, self.done, self.report = total, done, report or (lambda done, total: None)
        self.report(done, total)

    def step(self) -> None:
        self.done += 1
        self.report(self.done, self.total)
