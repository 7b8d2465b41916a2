"""Calibration from the command line's words: ``--param KEY=LOW,HIGH``, ``--target NAME=LOW,HIGH[,SHARE]``,
and the ``metrics`` target source (forward outcome metrics at metric dates, ``metric@YYYY-MM``).

The source registers itself in :data:`cadresim.analysis.calibration.TARGET_SOURCES` when this module is
imported; :func:`evaluator` builds one evaluate callback from every source the targets need.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from cadresim import dates
from cadresim.analysis.calibration import (TARGET_SOURCES, Evaluate, Parameter, Target, current_value,
                                           register_source)
from cadresim.errors import InputError, Problem
from cadresim.scenario.schema import Scenario

PARAM_EXAMPLE = "grades.staff.exit_rate=0.01,0.06"
TARGET_EXAMPLE = "post80_section_eligible@2016-12=1,8"


def parse_params(items: Iterable[str], base: Scenario) -> list[Parameter]:
    """``KEY=LOW,HIGH`` strings as parameters; a key holding a whole number in ``base`` is fitted in
    whole numbers.

    Raises:
        InputError: naming ``--param KEY`` for each malformed item (the keys are checked by
            :func:`cadresim.analysis.calibration.check_parameters`).
    """
    params, problems = [], []
    for item in items:
        key, bounds, problem = _split(item, "--param", PARAM_EXAMPLE, 2)
        if problem is None:
            current = current_value(base, key)
            integer = isinstance(current, int) and not isinstance(current, bool)
            params.append(Parameter(key, bounds[0], bounds[1], integer=integer))
        else:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return params


def parse_targets(items: Iterable[str]) -> list[Target]:
    """``NAME=LOW,HIGH`` or ``NAME=LOW,HIGH,SHARE`` strings as targets (``inf``/``-inf`` for an open
    end; SHARE: the share of replications that must fall in the range too).

    Raises:
        InputError: naming ``--target NAME`` for each malformed item.
    """
    targets, problems = [], []
    for item in items:
        name, bounds, problem = _split(item, "--target", TARGET_EXAMPLE, 3)
        if problem is None and len(bounds) == 3 and not 0 < bounds[2] <= 1:
            problem = Problem(f"--target {name}", "", "the share of replications in range must be in (0, 1], "
                              "e.g. 0.8", bounds[2])
        if problem is None:
            targets.append(Target(name, bounds[0], bounds[1], share_at_least=bounds[2] if len(bounds) == 3 else None))
        else:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return targets


def _split(item: str, flag: str, example: str, most: int) -> tuple[str, list[float], Problem | None]:
    """(name, numbers, problem) of ``NAME=a,b[,c]``: two numbers low <= high (and at most ``most``)."""
    name, sep, text = item.partition("=")
    name = name.strip()
    form = "LOW,HIGH" if most == 2 else "LOW,HIGH or LOW,HIGH,SHARE"
    if not sep or not name:
        return name, [], Problem(flag, "", f"expected NAME={form}, e.g. {example}", item)
    try:
        numbers = [float(v) for v in text.split(",")]
    except ValueError:
        return name, [], Problem(f"{flag} {name}", "", f"expected numbers {form}, e.g. {example}", text)
    if not 2 <= len(numbers) <= most or any(math.isnan(x) for x in numbers):
        return name, [], Problem(f"{flag} {name}", "", f"expected {form}, e.g. {example}", text)
    if numbers[0] > numbers[1]:
        return name, [], Problem(f"{flag} {name}", "", "the low end is above the high end", text)
    if most == 2 and not all(math.isfinite(x) for x in numbers):
        return name, [], Problem(f"{flag} {name}", "", "a parameter's range needs two finite numbers", text)
    return name, numbers, None


# --- sources: which claims each target, and the combined evaluate callback ------------------------


def sources_for(base: Scenario, names: Sequence[str], context: Mapping[str, Any]) -> dict[str, list[str]]:
    """The target names each source takes (the first source that claims a name).

    Raises:
        InputError: a name no source claims, or a source's own problems with its names.
    """
    taken: dict[str, list[str]] = {}
    problems = []
    for name in names:
        source = next((s for s in TARGET_SOURCES.values() if s.claims(name)), None)
        if source is None:
            problems.append(Problem(f"--target {name}", "", "unknown target; " + _forms(context)))
        else:
            taken.setdefault(source.name, []).append(name)
    for source, claimed in taken.items():
        problems += TARGET_SOURCES[source].problems(base, claimed, context)
    if problems:
        raise InputError(problems)
    return taken


def _forms(context: Mapping[str, Any]) -> str:
    known = "targets are a metric at a metric date, metric@YYYY-MM (e.g. post80_section_eligible@2016-12)"
    if "later" in context:
        known += ", or a backtest measure (stock.GRADE.DECADE, promotions.GRADE)"
    return known


def evaluator(base: Scenario, names: Sequence[str], context: Mapping[str, Any]) -> Evaluate:
    """One evaluate callback for all ``names``, each evaluated by the source that claims it.

    Raises:
        InputError: as :func:`sources_for`.
    """
    parts = [TARGET_SOURCES[s].evaluator(base, claimed, context)
             for s, claimed in sources_for(base, names, context).items()]

    def evaluate(scenario: Scenario) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for part in parts:
            out.update({k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in _by_target(part(scenario)).items()})
        return out

    return evaluate


def _by_target(evaluation: Any) -> Mapping[str, Any]:
    if isinstance(evaluation, Mapping):
        return evaluation
    names = {k for d in evaluation for k in d}
    return {k: [d[k] for d in evaluation if k in d] for k in names}


class MetricSource:
    """Targets on forward outcome metrics: ``metric@YYYY-MM``, the metric's per-replication values at a
    metric date (the start, right after each reshuffle, the extra snapshots)."""

    name = "metrics"

    def claims(self, target: str) -> bool:
        return "@" in target

    def problems(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> list[Problem]:
        from cadresim.report.labels import METRICS, YOUTH_PREFIX

        known = [m for m in METRICS if m != YOUTH_PREFIX.rstrip("_")]
        when = metric_dates(base)
        out = []
        for target in targets:
            metric, _, date = target.partition("@")
            if metric not in METRICS and not metric.startswith(YOUTH_PREFIX):
                near = difflib.get_close_matches(metric, known, n=3, cutoff=0.6)
                hint = f"did you mean {' or '.join(map(repr, near))}?" if near else "metrics: " + ", ".join(known)
                out.append(Problem(f"--target {target}", "", f"unknown metric; {hint}", metric))
            elif date not in when:
                out.append(Problem(f"--target {target}", "", "not a metric date of the scenario; metric dates: "
                                   + ", ".join(when), date))
        return out

    def evaluator(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> Evaluate:
        replications, seed, jobs = context["replications"], context["seed"], context.get("jobs", 1)

        def evaluate(scenario: Scenario) -> dict[str, np.ndarray]:
            from cadresim.engine.replications import run_scenario

            per_rep = run_scenario(scenario, replications, seed, jobs, record_events=False).per_replication
            return {t: _metric_values(per_rep, t) for t in targets}

        return evaluate


def _metric_values(per_rep, target: str) -> np.ndarray:
    metric, _, date = target.partition("@")
    values = per_rep.loc[(per_rep["metric"] == metric) & (per_rep["date"] == date), "value"].to_numpy(float)
    if len(values) == 0:
        raise InputError([Problem(f"--target {target}", "", f"the run computes no {metric} on {date} (a metric "
                                  "with no meaning at a date is left out there: reshuffle figures at the start)")])
    return values


def metric_dates(scenario: Scenario) -> list[str]:
    """The dates a run of ``scenario`` computes its metrics at, in order."""
    months = {scenario.start_month, *scenario.reshuffle_months, *(dates.parse(d) for d in scenario.snapshots)}
    return [dates.fmt(m) for m in sorted(months)]


register_source(MetricSource())
