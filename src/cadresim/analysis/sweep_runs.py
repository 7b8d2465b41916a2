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
from cadresim.engine.districts import DistrictRun, growth_key, is_grown, start
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
    roster, replication, stream = district_for(spec.scenario, spec.replication)
    result = simulate(spec.scenario, roster, spec.seed, replication, record_events=False, stream=stream)
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


_ROSTERS: OrderedDict[str, list[DistrictRun]] = OrderedDict()  # per process: a cache, never a source of randomness


def district_for(scenario: Scenario, replication: int) -> tuple[Roster, int, int]:
    """The start roster of a sweep's replication ``replication``, its number within its district and the
    district's random stream: over an ensemble of D districts, replication i runs in district i mod D as
    its replication i // D, so every point sees the same districts and draws."""
    runs = districts_for(scenario)
    d = runs[replication % len(runs)]
    return d.roster, replication // len(runs), d.stream


def roster_for(scenario: Scenario) -> Roster:
    """The start roster of ``scenario`` (the first district of an ensemble)."""
    return districts_for(scenario)[0].roster


def districts_for(scenario: Scenario) -> list[DistrictRun]:
    """The districts of ``scenario``, built once per distinct district in each process."""
    key = district_key(scenario)
    if key not in _ROSTERS:
        _ROSTERS[key] = start(scenario).districts
        while len(_ROSTERS) > MAX_ROSTERS:
            _ROSTERS.popitem(last=False)
    _ROSTERS.move_to_end(key)
    return _ROSTERS[key]


def district_key(scenario: Scenario) -> str:
    """What the start roster depends on: the calibrated district only on its ``district`` section and
    the start and end (as :func:`cadresim.district.synthetic.generate` builds it); anything else on the whole
    scenario."""
    d = scenario.district
    if is_grown(scenario):
        fields = {k: getattr(d, k) for k in ("seed", "districts", "accept_post80_division_level",
                                             "accept_grassroots_share")}
        return "grown:" + growth_key(scenario) + json.dumps(fields, sort_keys=True)
    if d.generator == "calibrated" and scenario.ladder == DEFAULT_LADDER and getattr(d, "roster_file", None) is None:
        data = {"start": scenario.start, "end": scenario.end, "district": d.model_dump(mode="json")}
        return "district:" + json.dumps(data, sort_keys=True)
    return "scenario:" + scenario_hash(scenario)
