"""Parameter sweeps: every point of a design, every replication, one tidy table.

A sweep is pure steps around one impure one:

1. a **design**: :func:`full_grid` or :func:`latin_hypercube` expands the swept keys (the scenario
   format's own dotted keys, as ``--set`` takes them) into points, each a ``{key: value}`` mapping;
2. **tasks**: one per point and replication, carrying the point's validated scenario;
3. **runs**: each task runs in a worker of the executor passed in (none: this process; a process
   pool; a Dask client's executor) and comes back reduced to its metrics (a :class:`RunRecord`);
4. the **tables**: the records sorted by (run_id, replication) give one row per run
   (:func:`build_table`) and one per point, metric and date (:func:`summarize`).

Common random numbers: replication ``i`` of every point draws from ``KeyedRandom(seed, i)`` and
starts from the same roster, so neighbouring points are paired. Given an output folder, every
finished run is saved as it completes (``runs/<run_id>-<replication>.json``, written atomically), so
an interrupted sweep rerun with the same arguments skips the finished runs and ends with the same
table. A run that raises is recorded with its error (metrics NaN) and the sweep goes on.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cadresim import dates
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import scenario_hash, to_yaml, with_overrides
from cadresim.measures.metrics import HEADLINE
from cadresim.engine.schedule import simulate
from cadresim.district.roster import Roster
from cadresim.engine.replications import DEFAULT_SEED
from cadresim.scenario.schema import DEFAULT_LADDER, Scenario
from cadresim.stats import mean_ci

ID_COLUMNS = ("run_id", "replication", "seed")
ERROR_COLUMN = "error"
SUMMARY_COLUMNS = ("metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n")
DESIGN_FILE, BASE_FILE, MANIFEST = "design.json", "scenario.base.yaml", "manifest.json"
RUNS_DIR = "runs"
MAX_ROSTERS = 4  # start rosters a worker keeps (one per distinct district of the sweep)
GRID_EXAMPLE = "rotation.cross_unit_rate=0.05,0.1,0.2"
RANGE_EXAMPLE = "rotation.cross_unit_rate=0.05,0.2"


# --- designs (pure) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes:
        kind: ``"grid"`` (full factorial) or ``"lhs"`` (Latin hypercube).
        keys: the swept dotted keys, in the order given.
        points: one ``{key: value}`` mapping per point; the point's index is its ``run_id``.
        spec: what produced the points (the grid's values, or the ranges, samples and seed).
    """

    kind: str
    keys: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def flag(self) -> str:
        """The command-line option that sets these keys (used in messages)."""
        return "--grid" if self.kind == "grid" else "--range"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (the design file of a sweep folder)."""
        return {"kind": self.kind, "keys": list(self.keys), "spec": self.spec, "points": list(self.points)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Design:
        return cls(data["kind"], tuple(data["keys"]), tuple(data["points"]), dict(data["spec"]))


def full_grid(grid: Mapping[str, Sequence[Any]]) -> Design:
    """Every combination of the values, the first key varying slowest.

    Args:
        grid: dotted key -> the values to try (scalars: numbers, strings, booleans, None).

    Raises:
        InputError: an empty grid, a key without values, or a value that is not a scalar.
    """
    if not grid:
        raise InputError([Problem("--grid", "", f"give at least one key and its values, e.g. {GRID_EXAMPLE}")])
    values = {key: [_scalar(v, "--grid", key) for v in _values(vals, key)] for key, vals in grid.items()}
    keys = tuple(values)
    points = tuple(dict(zip(keys, combo)) for combo in itertools.product(*values.values()))
    return Design("grid", keys, points, {"grid": values})


def latin_hypercube(ranges: Mapping[str, tuple[float, float]], samples: int, seed: int = 0,
                    base: Scenario | None = None) -> Design:
    """``samples`` points spread over the ranges by a Latin hypercube (scipy.stats.qmc).

    A key is integer-valued when its value in ``base`` is an integer (or, absent there, when both
    bounds are integers): it is drawn evenly over ``low..high`` inclusive (the floor of a stratified
    draw over ``[low, high + 1)``). Other keys are drawn over ``[low, high)``.

    Raises:
        InputError: no ranges, a bound that is not a number, ``low >= high``, or ``samples < 1``.
    """
    problems = [Problem(f"--range {k}", "", f"expected low < high, e.g. {RANGE_EXAMPLE}", list(r))
                for k, r in ranges.items() if not _is_range(r)]
    if not ranges:
        problems.append(Problem("--range", "", f"give at least one range, e.g. {RANGE_EXAMPLE}"))
    if samples < 1:
        problems.append(Problem("--samples", "", "must be at least 1", samples))
    if problems:
        raise InputError(problems)
    keys = tuple(ranges)
    integer = [_is_integer(base, k, ranges[k]) for k in keys]
    u = _lhs_sampler(len(keys), seed).random(samples)
    points = tuple({k: _scale(float(u[i, j]), *ranges[k], integer[j]) for j, k in enumerate(keys)}
                   for i in range(samples))
    spec = {"ranges": {k: [_scalar(v, "--range", k) for v in ranges[k]] for k in keys}, "samples": samples,
            "seed": seed, "integer": [k for k, i in zip(keys, integer) if i]}
    return Design("lhs", keys, points, spec)


def parse_grid(items: Iterable[str]) -> dict[str, list[Any]]:
    """``KEY=v1,v2,...`` strings (``--grid``) as a grid; each value is read as a YAML scalar (0.1: a
    float, 40: an integer, true: a boolean, null: none).

    Raises:
        InputError: naming ``--grid KEY`` for each malformed item.
    """
    grid: dict[str, list[Any]] = {}
    problems = []
    for item in items:
        key, values, problem = _split_item(item, "--grid", GRID_EXAMPLE, grid)
        if problem is None:
            parsed = [_yaml_value(v, "--grid", key) for v in values]
            problem = next((p for p in parsed if isinstance(p, Problem)), None)
            grid[key] = parsed
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return grid


def parse_ranges(items: Iterable[str]) -> dict[str, tuple[float, float]]:
    """``KEY=low,high`` strings (``--range``) as ranges.

    Raises:
        InputError: naming ``--range KEY`` for each malformed item.
    """
    ranges: dict[str, tuple[float, float]] = {}
    problems = []
    for item in items:
        key, values, problem = _split_item(item, "--range", RANGE_EXAMPLE, ranges)
        if problem is None:
            bounds = [_yaml_value(v, "--range", key) for v in values]
            if len(bounds) != 2 or not _is_range(bounds):
                problem = Problem(f"--range {key}", "", f"expected two numbers low < high, e.g. {RANGE_EXAMPLE}",
                                  ",".join(values))
            else:
                ranges[key] = (bounds[0], bounds[1])
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return ranges


def _split_item(item: str, flag: str, example: str, seen: Mapping[str, Any]) -> tuple[str, list[str], Problem | None]:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key or not text.strip():
        return key, [], Problem(flag, "", f"expected KEY=v1,v2,..., e.g. {example}", item)
    if key in seen:
        return key, [], Problem(f"{flag} {key}", "", "this key is given twice; list all its values once")
    return key, [v.strip() for v in text.split(",")], None


def _yaml_value(text: str, flag: str, key: str) -> Any:
    """A YAML scalar, or a Problem."""
    if not text:
        return Problem(f"{flag} {key}", "", "an empty value (write null for none)")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    if isinstance(value, (dict, list)):
        return Problem(f"{flag} {key}", "", "each value must be a number, a word, true/false or null", text)
    return value if not hasattr(value, "isoformat") else text  # a YAML date stays as written


def _values(values: Any, key: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError([Problem(f"--grid {key}", "", "expected a list of values", values)])
    values = list(values)
    if not values:
        raise InputError([Problem(f"--grid {key}", "", "give at least one value")])
    return values


def _scalar(value: Any, flag: str, key: str) -> Any:
    """A plain Python scalar (numpy scalars unwrapped), or an InputError."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InputError([Problem(f"{flag} {key}", "", "each value must be a number, a string, a boolean or None",
                              value)])


def _is_range(bounds: Sequence[Any]) -> bool:
    if len(bounds) != 2:
        return False
    low, high = (b.item() if isinstance(b, np.generic) else b for b in bounds)
    numbers = all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in (low, high))
    return numbers and low < high


def _is_integer(base: Scenario | None, key: str, bounds: tuple[float, float]) -> bool:
    current = _lookup(base.model_dump(mode="json"), key) if base is not None else None
    if isinstance(current, (bool, float)) or (current is not None and not isinstance(current, int)):
        return False
    return current is not None or all(isinstance(b, (int, np.integer)) for b in bounds)


def _lookup(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _scale(u: float, low: float, high: float, integer: bool) -> int | float:
    if integer:
        return int(min(math.floor(low + u * (high - low + 1)), high))
    return float(low + u * (high - low))


def _lhs_sampler(d: int, seed: int):
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    try:
        return qmc.LatinHypercube(d=d, rng=rng)
    except TypeError:  # scipy < 1.15 calls it seed
        return qmc.LatinHypercube(d=d, seed=rng)


# --- checking a design against the base scenario -------------------------------------------------


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


# --- one run, in a worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    """One run to make: a point's scenario and a replication."""

    run_id: int
    replication: int
    seed: int
    scenario: Scenario


@dataclass(frozen=True)
class RunRecord:
    """What one run leaves behind: its metrics (``metric@date`` -> value) or its error."""

    run_id: int
    replication: int
    seed: int
    metrics: dict[str, float]
    error: str = ""
    warnings: tuple[str, ...] = ()
    traceback: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "replication": self.replication, "seed": self.seed, "metrics": self.metrics,
                "error": self.error, "warnings": list(self.warnings), "traceback": self.traceback}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        return cls(int(data["run_id"]), int(data["replication"]), int(data["seed"]),
                   {k: float(v) for k, v in data["metrics"].items()}, data.get("error", ""),
                   tuple(data.get("warnings", ())), data.get("traceback", ""))


TaskFn = Callable[[RunSpec], RunRecord]


def metric_column(metric: str, date: str) -> str:
    """The table column of a metric at a snapshot date: ``post80_division_level@2016-12``."""
    return f"{metric}@{date}"


def split_column(column: str) -> tuple[str, str]:
    """``metric@date`` -> (metric, date)."""
    metric, _, date = column.rpartition("@")
    return metric, date


def run_task(spec: RunSpec) -> RunRecord:
    """Simulate one run and reduce it to its metrics (this runs in the worker)."""
    result = simulate(spec.scenario, roster_for(spec.scenario), spec.seed, spec.replication, record_events=False)
    values = {metric_column(m, d): float(v) for m, d, v in result.metrics}
    return RunRecord(spec.run_id, spec.replication, spec.seed, values, "", tuple(result.warnings))


def guarded(task_fn: TaskFn, spec: RunSpec) -> RunRecord:
    """``task_fn(spec)``, or a record of its error: a failing run never stops the sweep."""
    try:
        return task_fn(spec)
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, not raised
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return RunRecord(spec.run_id, spec.replication, spec.seed, {}, text or type(exc).__name__,
                         traceback=traceback.format_exc())


_ROSTERS: OrderedDict[str, Roster] = OrderedDict()  # per process: a cache, never a source of randomness


def roster_for(scenario: Scenario) -> Roster:
    """The start roster of ``scenario``, built once per distinct district in each process."""
    key = district_key(scenario)
    if key not in _ROSTERS:
        _ROSTERS[key] = _load_roster(scenario)
        while len(_ROSTERS) > MAX_ROSTERS:
            _ROSTERS.popitem(last=False)
    _ROSTERS.move_to_end(key)
    return _ROSTERS[key]


def district_key(scenario: Scenario) -> str:
    """What the start roster depends on: the calibrated district only on its ``district`` section and
    the start and end (as :func:`cadresim.district.synthetic.generate` builds it); anything else on the whole
    scenario."""
    d = scenario.district
    if d.generator == "calibrated" and scenario.ladder == DEFAULT_LADDER and getattr(d, "roster_file", None) is None:
        data = {"start": scenario.start, "end": scenario.end, "district": d.model_dump(mode="json")}
        return "district:" + json.dumps(data, sort_keys=True)
    return "scenario:" + scenario_hash(scenario)


def _load_roster(scenario: Scenario) -> Roster:
    try:
        from cadresim.io.roster_read import load_roster
    except ImportError:  # a tree without roster files: the synthetic district only
        from cadresim.district.synthetic import generate as load_roster
    return load_roster(scenario)


# --- where finished runs live -------------------------------------------------------------------------


class MemoryStore:
    """Finished runs kept in memory (a sweep without an output folder: not resumable)."""

    def __init__(self) -> None:
        self._records: dict[tuple[int, int], RunRecord] = {}

    def finished(self, retry_errors: bool = False) -> set[tuple[int, int]]:
        return {k for k, r in self._records.items() if not (retry_errors and r.error)}

    def save(self, record: RunRecord) -> None:
        self._records[(record.run_id, record.replication)] = record

    def records(self) -> list[RunRecord]:
        return list(self._records.values())


class FolderStore:
    """Finished runs as ``runs/<run_id>-<replication>.json`` in a sweep folder, each written atomically.

    A file that cannot be read (a write cut short by a crash) counts as not finished.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS_DIR
        self.runs.mkdir(parents=True, exist_ok=True)

    def finished(self, retry_errors: bool = False) -> set[tuple[int, int]]:
        return {(r.run_id, r.replication) for r in self.records() if not (retry_errors and r.error)}

    def save(self, record: RunRecord) -> None:
        write_atomic(self.runs / f"{record.run_id}-{record.replication}.json", json.dumps(record.to_json()))

    def records(self) -> list[RunRecord]:
        out = []
        for path in sorted(self.runs.glob("*.json")):
            try:
                out.append(RunRecord.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return out


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def open_folder(folder: Path, header: dict[str, Any], base: Scenario) -> FolderStore:
    """Start a sweep folder, or check that an existing one holds the same sweep.

    Raises:
        InputError: the folder holds another sweep (each difference named), or is not a sweep folder.
    """
    folder = Path(folder)
    design_file = folder / DESIGN_FILE
    if design_file.is_file():
        _check_same(json.loads(design_file.read_text(encoding="utf-8")), header, design_file)
    elif folder.exists() and any(folder.iterdir()):
        raise InputError([Problem(str(folder), "", f"exists and is not a sweep folder (no {DESIGN_FILE}); "
                                  "choose another output folder with -o")])
    else:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / BASE_FILE, to_yaml(base))
        write_atomic(design_file, json.dumps(header, indent=1, ensure_ascii=False))
    return FolderStore(folder)


HEADER_CHECKS = {"scenario_hash": "the base scenario (its simulated content)", "seed": "the seed",
                 "replications": "the replications", "design": "the design"}


def _check_same(saved: Mapping[str, Any], header: Mapping[str, Any], design_file: Path) -> None:
    problems = []
    for key, what in HEADER_CHECKS.items():
        if _normal(saved.get(key)) != _normal(header[key]):
            shown = _describe(saved.get(key), header[key]) if key != "scenario_hash" else ""
            problems.append(Problem(str(design_file), key, f"this folder holds a sweep started with other {what}"
                                    f"{shown}; rerun with the same arguments to resume it, or choose another "
                                    "output folder with -o (or delete this one) to start afresh"))
    if problems:
        raise InputError(problems)


def _describe(saved: Any, asked: Any) -> str:
    if isinstance(saved, dict):
        return f" (started: {saved.get('kind')} over {', '.join(saved.get('keys', []))}, "\
               f"{len(saved.get('points', []))} points; asked: {asked['kind']} over {', '.join(asked['keys'])}, " \
               f"{len(asked['points'])} points)"
    return f" (started: {saved}; asked: {asked})"


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --- running the tasks -------------------------------------------------------------------------------


def tasks(base: Scenario, design: Design, replications: int, seed: int,
          skip: set[tuple[int, int]]) -> Iterator[RunSpec]:
    """The runs still to make, point by point, each point's scenario built once."""
    for run_id, point in enumerate(design.points):
        todo = [r for r in range(replications) if (run_id, r) not in skip]
        if todo:
            scenario = with_overrides(base, point)
            yield from (RunSpec(run_id, r, seed, scenario) for r in todo)


def execute(specs: Iterator[RunSpec], on_record: Callable[[RunRecord], None], task_fn: TaskFn = run_task,
            jobs: int = 1, executor: Executor | None = None, total: int = 0) -> None:
    """Run every spec and hand each record to ``on_record`` as it completes.

    With no ``executor`` and ``jobs`` <= 1 the runs are made here, in order; otherwise in
    ``executor`` (left open) or in a new process pool of ``jobs`` workers (shut down at the end).
    At most a few tasks per worker are in flight, so memory does not grow with the sweep.
    """
    if executor is None and jobs <= 1:
        for spec in specs:
            on_record(guarded(task_fn, spec))
        return
    own = executor is None
    workers = min(jobs, os.cpu_count() or 1, max(total, 1)) if own else _workers(executor, jobs)
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    try:
        _pump(pool, specs, on_record, task_fn, window=4 * workers)
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _pump(pool: Executor, specs: Iterator[RunSpec], on_record: Callable[[RunRecord], None], task_fn: TaskFn,
          window: int) -> None:
    pending: set[Future] = set()
    try:
        for spec in itertools.islice(specs, window):
            pending.add(pool.submit(guarded, task_fn, spec))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_record(future.result())
                pending.update(pool.submit(guarded, task_fn, s) for s in itertools.islice(specs, 1))
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def _workers(executor: Executor, jobs: int) -> int:
    """How many runs ``executor`` can make at once (a guess where it does not say)."""
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a guess only
            return max(jobs, 4)
    return max(getattr(executor, "_max_workers", 0) or 0, jobs, 1)


def describe_executor(executor: Executor | None, jobs: int) -> str:
    """For the manifest: how the runs were made."""
    if executor is None:
        return "sequential" if jobs <= 1 else f"process pool ({jobs} workers)"
    kind = type(executor)
    return f"{kind.__module__.split('.')[0]}.{kind.__name__}"


# --- tables (pure) ------------------------------------------------------------------------------------


def build_table(design: Design, records: Iterable[RunRecord]) -> pd.DataFrame:
    """One row per run, sorted by (run_id, replication): run_id, replication, seed, every swept key
    (named by its dotted key), every metric at every snapshot (``metric@date``), and ``error``
    (empty when the run succeeded; its metrics are NaN when it failed)."""
    rows = sorted(records, key=lambda r: (r.run_id, r.replication))
    ids = pd.DataFrame({"run_id": [r.run_id for r in rows], "replication": [r.replication for r in rows],
                        "seed": [r.seed for r in rows]}, dtype="int64")
    params = pd.DataFrame([design.points[r.run_id] for r in rows], columns=list(design.keys))
    params = params.apply(_one_type) if len(params.columns) else params
    columns = metric_order({c for r in rows for c in r.metrics})
    values = pd.DataFrame([[r.metrics.get(c, np.nan) for c in columns] for r in rows], columns=columns,
                          dtype="float64")
    errors = pd.DataFrame({ERROR_COLUMN: pd.Series([r.error for r in rows], dtype=str)})
    return pd.concat([ids, params, values, errors], axis=1)


def _one_type(column: pd.Series) -> pd.Series:
    """A swept column mixing kinds of value (say 5 and "none") becomes text, so Parquet can hold it."""
    kinds = {type(v) for v in column if v is not None and not (isinstance(v, float) and math.isnan(v))}
    if column.dtype == object and len(kinds) > 1:
        return column.map(lambda v: v if v is None else str(v))
    return column


def metric_order(columns: Iterable[str]) -> list[str]:
    """Metric columns: headline metrics first (in their order), then the rest by name; dates in order."""
    def key(column: str) -> tuple:
        metric, date = split_column(column)
        rank = HEADLINE.index(metric) if metric in HEADLINE else len(HEADLINE)
        return rank, metric, dates.parse(date)
    return sorted(columns, key=key)


def metric_columns(table: pd.DataFrame) -> list[str]:
    """The ``metric@date`` columns of a sweep table."""
    return [c for c in table.columns if "@" in c]


def summarize(table: pd.DataFrame, design: Design) -> pd.DataFrame:
    """One row per point, metric and date: run_id, every swept key, metric, date, mean, sd, ci95_low,
    ci95_high and n (runs with a value; failed runs are left out)."""
    rows = []
    for run_id, runs in table.groupby("run_id", sort=True):
        point = [design.points[int(run_id)][k] for k in design.keys]
        for column in metric_columns(table):
            values = runs[column].dropna().to_numpy()
            if len(values):
                rows.append((int(run_id), *point, *split_column(column), *mean_ci(values)))
    columns = ["run_id", *design.keys, *SUMMARY_COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"run_id": "int64", "n": "int64"})


# --- the sweep ------------------------------------------------------------------------------------------


@dataclass
class SweepResults:
    """A finished sweep.

    Attributes:
        table: one row per run (see :func:`build_table`).
        summary: one row per point, metric and date (see :func:`summarize`).
        folder: where it was saved (None: in memory only).
        reused: runs found already finished in the folder (not run again).
    """

    base: Scenario
    design: Design
    seed: int
    replications: int
    table: pd.DataFrame
    summary: pd.DataFrame
    folder: Path | None = None
    reused: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Runs that raised (their ``error`` is set)."""
        return int((self.table[ERROR_COLUMN] != "").sum())


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
    execute(tasks(base, design, replications, seed, skip), lambda r: (store.save(r), progress.step()),
            task_fn, jobs, executor, total - len(skip))
    records = store.records()
    table = build_table(design, records)
    warnings = sorted({w for r in records for w in r.warnings})
    res = SweepResults(base, design, seed, replications, table, summarize(table, design),
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


# --- the sweep folder -------------------------------------------------------------------------------------


def write_sweep(res: SweepResults, executor: str, started: datetime) -> None:
    """The tables (Parquet and CSV) and the manifest (last) into the sweep folder."""
    folder = res.folder
    assert folder is not None
    for name, frame in (("table", res.table), ("summary", res.summary)):
        _write_frame(frame, folder / f"{name}.parquet", lambda f, p: f.to_parquet(p, index=False))
        _write_frame(frame, folder / f"{name}.csv", lambda f, p: f.to_csv(p, index=False))
    write_atomic(folder / MANIFEST, json.dumps(build_manifest(res, executor, started), indent=2, ensure_ascii=False))


def _write_frame(frame: pd.DataFrame, path: Path, write: Callable[[pd.DataFrame, Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(frame, tmp)
    os.replace(tmp, path)


def build_manifest(res: SweepResults, executor: str, started: datetime) -> dict[str, Any]:
    from cadresim import __version__
    from cadresim.output.run_folder import git_commit

    return {
        "cadresim_version": __version__, "scenario": res.base.name, "scenario_hash": scenario_hash(res.base),
        "design": res.design.kind, "keys": list(res.design.keys), "points": len(res.design.points),
        "replications": res.replications, "seed": res.seed, "runs": len(res.table), "failed": res.failed,
        "reused": res.reused, "executor": executor, "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git_commit": git_commit(),
        "python": platform.python_version(), "warnings": res.warnings,
        "columns": "run_id, replication, seed, each swept key, metric@date for each metric and snapshot, error",
    }


def read_sweep(folder: str | Path) -> tuple[pd.DataFrame, Design]:
    """The table and design of a finished sweep folder.

    Raises:
        InputError: the folder holds no finished sweep.
    """
    folder = Path(folder)
    missing = [n for n in (DESIGN_FILE, "table.parquet") if not (folder / n).is_file()]
    if missing:
        raise InputError([Problem(str(folder), "", f"not a finished sweep folder (missing {', '.join(missing)}); "
                                  "run `cadresim sweep` (again) to finish it")])
    design = Design.from_json(json.loads((folder / DESIGN_FILE).read_text(encoding="utf-8"))["design"])
    return pd.read_parquet(folder / "table.parquet"), design
