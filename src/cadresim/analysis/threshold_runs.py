"""`cadresim target` in Python: the target search of :mod:`cadresim.analysis.threshold` run on a scenario.

Each lattice point is a scenario with the lever set (``--set`` semantics); its replications run on the
sweep machinery's executors (:func:`cadresim.engine.fanout.fan_out`: this process, a process pool, or a
Dask cluster), replication ``i`` drawing ``KeyedRandom(seed, i)`` at every point. Given a folder, every
finished run is saved as ``runs/<k>-<replication>.json`` as it completes (``k`` the lattice index), so a
search interrupted (even by kill -9) and rerun with the same arguments remakes no finished run and ends
with the same answer; ``design.json`` fixes the search at its first start and ``manifest.json`` is
written last. See docs/decision.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from cadresim.analysis.levers import check_ranges, is_integer_key, parse_goal
from cadresim.analysis.sweep_runs import RunSpec, guarded, roster_for, run_task
from cadresim.analysis.sweep_store import MemoryStore, open_folder
from cadresim.analysis.threshold import GRID_POINTS, Goal, Lattice, SearchResult, full_budget, minimum_budget, search
from cadresim.engine.fanout import describe_executor, fan_out
from cadresim.engine.replications import DEFAULT_SEED
from cadresim.errors import InputError, Problem
from cadresim.measures.kinds import bounds
from cadresim.scenario.loader import scenario_hash, with_overrides
from cadresim.scenario.schema import Scenario


@dataclass
class TargetSearch:
    """A finished search on a scenario: the pure result and how it was made."""

    base: Scenario
    key: str
    result: SearchResult
    replications: int
    seed: int
    budget: int
    folder: Path | None = None
    reused: int = 0
    executor: str = ""


def plan(base: Scenario, key: str, low: float, high: float, goal: str, probability: float | None,
         replications: int, budget: int | None, tolerance: float | None) -> tuple[Lattice, Goal]:
    """The lattice and goal, every input checked before anything runs.

    Raises:
        InputError: one problem per bad input (key, range ends, goal, probability, budget, tolerance).
    """
    problems: list[Problem] = []
    for check in (lambda: check_ranges(base, {key: (low, high)}, "--vary"), lambda: parse_goal(goal, base)):
        try:
            check()
        except InputError as exc:
            problems += exc.problems
    if probability is not None and not 0 < probability < 1:
        problems.append(Problem("--probability", "", "must lie strictly between 0 and 1", probability))
    if tolerance is not None and not 0 < tolerance < high - low:
        problems.append(Problem("--tolerance", "", f"must be above 0 and below the range's width {high - low:g}",
                                tolerance))
    if problems:
        raise InputError(problems)
    lattice = Lattice.of(low, high, is_integer_key(base, key, low, high), tolerance)
    target = parse_goal(goal, base)
    need = minimum_budget(replications, lattice)
    if budget is not None and budget < need:
        raise InputError([Problem("--budget", "", f"too small: the coarse grid alone needs {need} runs "
                                  f"({need // replications} points x {replications} replications)", budget)])
    return lattice, Goal(target, probability, bounds(target.metric))


def target_search(base: Scenario, key: str, low: float, high: float, goal: str, *, probability: float | None = None,
                  replications: int = 20, budget: int | None = None, tolerance: float | None = None,
                  seed: int = DEFAULT_SEED, jobs: int = 1, executor: Executor | None = None,
                  output: str | Path | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> TargetSearch:
    """The smallest (or largest) value of ``key`` in ``low..high`` meeting ``goal``.

    Args:
        base: the scenario the lever is set in.
        key: a dotted scenario key (integer keys are searched over integers).
        goal: ``metric@YYYY-MM op number``, met in mean, or with ``probability`` in that share of futures.
        budget: the most runs (points x replications); default: enough for the whole search.
        tolerance: for a float key, the width the bracket is narrowed to (default: a 64th of the range).
        output: a folder: finished runs are saved as they complete and a rerun resumes.
        on_progress: called with (runs done, runs at most) after each run.

    Raises:
        InputError: bad input (nothing is run), or ``output`` holds another search.
    """
    lattice, aim = plan(base, key, low, high, goal, probability, replications, budget, tolerance)
    roster_for(with_overrides(base, {key: lattice.value(0)}))  # a bad district is reported before anything runs
    header = {"scenario": base.name, "scenario_hash": scenario_hash(base), "seed": seed,
              "replications": replications,
              "design": {"kind": "target", "keys": [key], "points": [], "range": [low, high],
                         "steps": lattice.steps, "goal": goal, "probability": probability, "grid": GRID_POINTS}}
    store = open_folder(Path(output), header, base) if output is not None else MemoryStore()
    reused = len(store.finished())
    evaluate = _evaluator(base, key, lattice, aim, replications, seed, jobs, executor, store, on_progress)
    result = search(evaluate, lattice, aim, replications, budget)
    return TargetSearch(base, key, result, replications, seed, budget or full_budget(replications, lattice), Path(output) if output else None,
                        reused, describe_executor(executor, jobs))


def _evaluator(base: Scenario, key: str, lattice: Lattice, goal: Goal, replications: int, seed: int, jobs: int,
               executor: Executor | None, store, on_progress) -> Callable[[Sequence[int]], dict[int, np.ndarray]]:
    column = goal.target.column
    counter = [len(store.finished())]
    most = max(full_budget(replications, lattice), counter[0])

    def step(record) -> None:
        store.save(record)
        counter[0] += 1
        if on_progress:
            on_progress(counter[0], most)

    def evaluate(ks: Sequence[int]) -> dict[int, np.ndarray]:
        done = store.finished()
        specs = [RunSpec(k, r, seed, with_overrides(base, {key: lattice.value(k)}))
                 for k in ks for r in range(replications) if (k, r) not in done]
        fan_out(partial(guarded, run_task), specs, step, jobs, executor, len(specs))
        records = {(r.run_id, r.replication): r for r in store.records() if r.run_id in set(ks)}
        return {k: np.array([records[(k, r)].metrics.get(column, np.nan) for r in range(replications)])
                for k in ks}
    return evaluate
