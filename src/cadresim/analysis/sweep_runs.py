"""One run of a sweep, made in a worker: a point's scenario and a replication in, its metrics out.

A run is reduced to its metrics in the worker (a :class:`RunRecord`, small to send back), and a run
that raises becomes a record of its error, so a failing run never stops a sweep. Each worker
builds a start roster once per distinct district and keeps a few (:func:`roster_for`).
"""

from __future__ import annotations

import json
import traceback
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cadresim.district.roster import Roster
from cadresim.engine.schedule import simulate
from cadresim.report.labels import metric_column
from cadresim.scenario.loader import scenario_hash
from cadresim.scenario.schema import DEFAULT_LADDER, Scenario

MAX_ROSTERS = 4  # start rosters a worker keeps (one per distinct district of the sweep)


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
