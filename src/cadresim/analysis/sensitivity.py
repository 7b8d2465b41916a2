"""`cadresim sensitivity` in Python: which scenario keys move a metric most (Morris or Sobol, via SALib).

The design (:mod:`cadresim.analysis.sensitivity_methods`) is turned into sweep points (the factors'
dotted keys set as ``--set`` would, integer keys as integers; rows that name the same point run once)
and run by :func:`cadresim.analysis.sweep.sweep`: the same executors, Dask, resumable atomic folder and
manifest as ``cadresim sweep``. Every point runs the same replications (replication ``i`` draws
``KeyedRandom(seed, i)`` at every point: paired), and the model output of a point is the mean of
the metric over its replications, so replication noise largely cancels between neighbouring points.
What is left is measured: each metric's ``replication_se`` (the median standard error of a point's
mean) and, per factor, ``noise_sd``, the spread of its index over a bootstrap of the replications
(the same replications drawn at every point). An index within two ``noise_sd`` of zero is not told
apart from replication noise (``above_noise`` False). See docs/decision.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cadresim.analysis.levers import check_ranges, is_integer_key, parse_metric_at
from cadresim.analysis.sensitivity_methods import (DUMMY, METHODS, MIN_SAMPLES, MIN_TRAJECTORIES, Factor, analyse,
                                                   design_size, main_index, ranked, sample)
from cadresim.analysis.sweep import sweep
from cadresim.analysis.sweep_design import Design
from cadresim.analysis.sweep_tables import SweepResults
from cadresim.engine.replications import DEFAULT_SEED
from cadresim.errors import InputError, Problem

BOOTSTRAP = 100  # bootstrap draws of the replications for the noise floor
NOISE_SEED = 20160101  # fixed: the noise floor is the same on every rerun
DEFAULT_SIZE = {"morris": 10, "sobol": 64}


@dataclass(frozen=True)
class ParamDesign(Design):
    """A sweep design whose keys come from ``--param`` (so messages name that option)."""

    @property
    def flag(self) -> str:
        return "--param"


@dataclass
class SensitivityResults:
    """A finished sensitivity analysis.

    Attributes:
        indices: one row per metric and factor (the dummy included), ranked within each metric.
        x: the design (one row per SALib sample, the dummy last); ``rows`` maps each to its sweep point.
        sweep: the runs (see :class:`cadresim.analysis.sweep_tables.SweepResults`).
    """

    method: str
    factors: list[Factor]
    metrics: list[str]
    indices: pd.DataFrame
    x: np.ndarray
    rows: list[int]
    sweep: SweepResults
    size: int
    notes: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path | None:
        return self.sweep.folder


def plan(base, params: Mapping[str, tuple[float, float]], metrics: Sequence[str], method: str, size: int,
         replications: int, budget: int | None) -> list[Factor]:
    """The factors, every input checked before anything runs.

    Raises:
        InputError: one problem per bad input (method, keys, range ends, metrics, design size, budget).
    """
    problems: list[Problem] = []
    if method not in METHODS:
        problems.append(Problem("--method", "", f"must be one of {', '.join(METHODS)}", method))
    if not params:
        problems.append(Problem("--param", "", "give at least one KEY=low,high"))
    if not metrics:
        problems.append(Problem("--metric", "", "give at least one metric@YYYY-MM"))
    problems += _collect(lambda: check_ranges(base, params, "--param"))
    for m in metrics:
        problems += _collect(lambda: parse_metric_at(m, base))
    problems += _size_problems(method, size, len(params), replications, budget)
    if problems:
        raise InputError(problems)
    return [Factor(k, lo, hi, is_integer_key(base, k, lo, hi)) for k, (lo, hi) in params.items()]


def _collect(check: Callable[[], object]) -> list[Problem]:
    try:
        check()
    except InputError as exc:
        return list(exc.problems)
    return []


def _size_problems(method: str, size: int, factors: int, replications: int, budget: int | None) -> list[Problem]:
    if method not in METHODS:
        return []
    least, option = (MIN_TRAJECTORIES, "--trajectories") if method == "morris" else (MIN_SAMPLES, "--samples")
    if size < least:
        return [Problem(option, "", f"{method} needs at least {least} for intervals on its indices", size)]
    runs = design_size(method, factors, size) * replications
    if budget is not None and runs > budget:
        return [Problem("--budget", "", f"too small for {method} with {factors} parameter(s): its design needs up "
                        f"to {runs} runs ({design_size(method, factors, size)} points x {replications} "
                        "replications); raise --budget or lower the design size or replications", budget)]
    return []


def design_points(factors: list[Factor], x: np.ndarray, method: str, size: int, seed: int) -> tuple[ParamDesign,
                                                                                                   list[int]]:
    """The distinct sweep points of the design (the dummy dropped) and, per design row, its point."""
    points: dict[tuple, int] = {}
    rows = []
    for row in x:
        point = tuple(int(row[j]) if f.integer else float(row[j]) for j, f in enumerate(factors))
        rows.append(points.setdefault(point, len(points)))
    keys = tuple(f.name for f in factors)
    spec = {"method": method, "size": size, "seed": seed,
            "ranges": {f.name: [f.low, f.high] for f in factors}, "integer": [f.name for f in factors if f.integer]}
    return ParamDesign(method, keys, tuple(dict(zip(keys, p)) for p in points), spec), rows


def sensitivity(base, params: Mapping[str, tuple[float, float]], metrics: Sequence[str], *, method: str = "morris",
                size: int | None = None, replications: int = 10, seed: int = DEFAULT_SEED, design_seed: int = 0,
                budget: int | None = None, jobs: int = 1, executor: Executor | None = None,
                output: str | Path | None = None, on_progress: Callable[[int, int], None] | None = None,
                retry_errors: bool = False) -> SensitivityResults:
    """Global sensitivity of metrics to scenario keys, over their ranges.

    Args:
        base: the scenario the keys are set in.
        params: dotted key -> (low, high); a key whose value is an integer takes integers.
        metrics: ``metric@YYYY-MM`` outputs, each the mean over the replications of a point.
        method: ``morris`` (screening: mu*, sigma) or ``sobol`` (first-order and total indices).
        size: Morris trajectories (default 10) or Sobol base samples (default 64; a power of 2).
        replications: runs of each design point, paired across points.
        design_seed: seed of SALib's design and of its bootstrap intervals.
        budget: refuse a design needing more runs than this.
        output: a folder (the sweep folder of the runs, plus the indices): resumable.

    Raises:
        InputError: bad input (nothing is run), or ``output`` holds another analysis.
    """
    size = size or DEFAULT_SIZE.get(method, 10)
    factors = plan(base, params, list(metrics), method, size, replications, budget)
    x = sample(factors, method, size, design_seed)
    design, rows = design_points(factors, x, method, size, design_seed)
    runs = sweep(base, design=design, replications=replications, seed=seed, jobs=jobs, executor=executor,
                 output=output, on_progress=on_progress, retry_errors=retry_errors)
    frames = [metric_indices(runs.table, m, factors, method, x, rows, replications, design_seed) for m in metrics]
    notes = [f"{runs.failed} run(s) failed; their points' means leave them out"] if runs.failed else []
    return SensitivityResults(method, factors, list(metrics), pd.concat(frames, ignore_index=True), x, rows, runs,
                              size, notes)


def metric_indices(table: pd.DataFrame, metric: str, factors: list[Factor], method: str, x: np.ndarray,
                   rows: list[int], replications: int, seed: int) -> pd.DataFrame:
    """One metric's indices, ranked, with its replication standard error and each index's noise floor."""
    values = _by_point(table, metric, replications)
    means = np.nanmean(values, axis=1)
    indices = analyse(factors, method, x, means[rows], seed)
    noise = _noise_sd(values, factors, method, x, rows, seed)
    main = main_index(method)
    indices["noise_sd"] = noise
    indices["above_noise"] = (indices[main] > 2 * indices["noise_sd"]) & (indices["factor"] != DUMMY)
    se = np.nanstd(values, axis=1, ddof=1) / np.sqrt(np.isfinite(values).sum(axis=1).clip(min=1))
    indices.insert(0, "metric", metric)
    indices["replication_se"] = float(np.nanmedian(se)) if np.isfinite(se).any() else np.nan
    return ranked(indices, method)


def _by_point(table: pd.DataFrame, metric: str, replications: int) -> np.ndarray:
    """The metric's value per point (rows) and replication (columns); NaN where a run failed."""
    points = int(table["run_id"].max()) + 1 if len(table) else 0
    out = np.full((points, replications), np.nan)
    if metric in table.columns:
        out[table["run_id"].to_numpy(), table["replication"].to_numpy()] = table[metric].to_numpy(dtype=float)
    return out


def _noise_sd(values: np.ndarray, factors: list[Factor], method: str, x: np.ndarray, rows: list[int],
              seed: int) -> np.ndarray:
    """The spread of each factor's main index over a bootstrap of the replications (the same replications
    drawn at every point, so the pairing is kept): how much of an index replication noise alone can make."""
    rng = np.random.default_rng(NOISE_SEED)
    reps = values.shape[1]
    if reps < 2:
        return np.full(len(factors) + 1, np.nan)
    draws = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, reps, reps)
        means = np.nanmean(values[:, pick], axis=1)
        draws.append(analyse(factors, method, x, means[rows], seed, resamples=2)[main_index(method)].to_numpy())
    return np.nanstd(np.array(draws), axis=0, ddof=1)


def statement(res: SensitivityResults, metric: str, top: int = 3) -> str:
    """A short ranked statement: which keys move the metric most, and which are within the noise."""
    rows = res.indices[res.indices["metric"] == metric]
    main = main_index(res.method)
    strong = rows[rows["above_noise"]]
    if strong.empty:
        return f"{metric}: no parameter moves it beyond the replication noise over these ranges"
    named = [f"{r['factor']} ({main} {r[main]:.3g} ± {r[main + '_conf']:.2g})" for _, r in strong.head(top).iterrows()]
    weak = [r["factor"] for _, r in rows.iterrows() if not r["above_noise"] and r["factor"] != DUMMY]
    tail = f"; within the replication noise: {', '.join(weak)}" if weak else ""
    return f"{metric}: most influential {' > '.join(named)}{tail}"
