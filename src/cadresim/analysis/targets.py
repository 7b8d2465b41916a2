"""How likely a target is met: P(target met) over the replications, with a 95% interval.

A scenario's ``report.targets`` (:mod:`cadresim.scenario.targets`) are read against its per-replication
metrics (replications.csv: replication, metric, date, value, and ``district`` when the run spans an
ensemble of districts). :func:`probability` gives the share of futures meeting a target and its
interval: a Wilson score interval when the replications are independent draws, and, when they are
nested in more than one district, a Wilson interval on the *effective* number of futures (the count
divided by the design effect of the clustering, estimated from the spread of the district shares), so
that a few districts cannot look like many independent futures. See docs/decision.md.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from cadresim.errors import InputError, Problem
from cadresim.report.labels import METRICS, YOUTH_PREFIX, metric_label
from cadresim.scenario.schema import Scenario
from cadresim.scenario.targets import Target, parse_target

TARGET_COLUMNS = ("scenario", "target", "metric", "date", "op", "threshold", "met", "n", "probability",
                  "ci95_low", "ci95_high", "districts", "interval")
Z95 = float(norm.ppf(0.975))


@dataclass(frozen=True)
class Probability:
    """P(target met) over the replications.

    Attributes:
        p: the share of replications meeting the target (NaN when none has a value).
        low, high: the 95% interval.
        met, n: replications meeting it, and replications with a value.
        groups: the districts the replications are nested in (1: independent draws).
        method: ``wilson``, or ``wilson-design-effect`` for replications nested in several districts.
    """

    p: float
    low: float
    high: float
    met: int
    n: int
    groups: int = 1
    method: str = "wilson"


def known_metrics() -> list[str]:
    """Every metric a target may name (the Youth Talent cohort share as ``..._<cohort>``)."""
    return [m for m in METRICS if m != YOUTH_PREFIX.rstrip("_")] + [YOUTH_PREFIX + "<cohort>"]


def is_known_metric(name: str) -> bool:
    """Whether cadresim computes a metric of this name."""
    return name in METRICS and name != YOUTH_PREFIX.rstrip("_") or name.startswith(YOUTH_PREFIX)


def metric_problem(name: str, source: str, where: str, value: object) -> Problem | None:
    """A problem for an unknown metric name (with the nearest names, or the whole list), else None."""
    if is_known_metric(name):
        return None
    near = difflib.get_close_matches(name, known_metrics(), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(m) for m in near)}?" if near else "metrics: " + ", ".join(known_metrics())
    return Problem(source, where, f"unknown metric {name!r}; {hint}", value)


def check_target_metrics(scenario: Scenario, source: str) -> list[Target]:
    """The scenario's targets, each naming a metric cadresim computes (dates and syntax are checked
    when the scenario is loaded).

    Raises:
        InputError: one problem per target naming an unknown metric.
    """
    targets = [parse_target(t) for t in scenario.report.targets]
    problems = [metric_problem(t.metric, source, f"report.targets[{i}]", text)
                for i, (t, text) in enumerate(zip(targets, scenario.report.targets))]
    if any(problems):
        raise InputError([p for p in problems if p is not None])
    return targets


def scenario_targets(scenario: Scenario) -> list[Target]:
    """The targets of ``scenario.report.targets`` (checked when the scenario was loaded)."""
    return [parse_target(t) for t in scenario.report.targets]


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (``n`` may be an effective, non-integer count)."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def design_effect(met: np.ndarray, groups: np.ndarray) -> float:
    """The design effect of clustering: the variance of the overall share with replications nested in
    groups (a ratio estimator across groups) over its variance for independent draws; at least 1."""
    p = float(met.mean())
    labels, index = np.unique(groups, return_inverse=True)
    k, n = len(labels), len(met)
    if k < 2 or p in (0.0, 1.0):
        return 1.0
    sizes = np.bincount(index)
    hits = np.bincount(index, weights=met.astype(float))
    clustered = k / (k - 1) * float(((hits - p * sizes) ** 2).sum()) / n ** 2
    return max(1.0, clustered / (p * (1 - p) / n))


def probability(met: Sequence[bool] | np.ndarray, groups: Sequence[int] | np.ndarray | None = None) -> Probability:
    """P(target met) with a 95% interval.

    Args:
        met: one flag per replication (replications without a value left out beforehand).
        groups: the district of each replication; with more than one district the interval is widened by
            the design effect of the clustering (:func:`design_effect`), else it is the plain Wilson interval.
    """
    flags = np.asarray(met, dtype=bool)
    n, hits = len(flags), int(flags.sum())
    if n == 0:
        return Probability(math.nan, math.nan, math.nan, 0, 0)
    k = 1 if groups is None else len(np.unique(np.asarray(groups)))
    if k < 2:
        return Probability(hits / n, *wilson(hits, n), hits, n)
    deff = design_effect(flags, np.asarray(groups))
    low, high = wilson(hits / deff, n / deff)
    return Probability(hits / n, low, high, hits, n, k, "wilson-design-effect")


def target_rows(name: str, targets: Iterable[Target], per_replication: pd.DataFrame) -> pd.DataFrame:
    """One row per target (see :data:`TARGET_COLUMNS`) from a long replications table (replication,
    metric, date, value, and optionally district)."""
    rows = []
    for t in targets:
        at = per_replication[(per_replication["metric"] == t.metric) & (per_replication["date"] == t.date)]
        at = at[at["value"].notna()]
        groups = at["district"].to_numpy() if "district" in at.columns else None
        prob = probability([t.met(float(v)) for v in at["value"]], groups)
        rows.append((name, str(t), t.metric, t.date, t.op, t.threshold, prob.met, prob.n, prob.p, prob.low,
                     prob.high, prob.groups, prob.method))
    out = pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
    return out.astype({"met": "int64", "n": "int64", "districts": "int64", "threshold": "float64"})


def sentence(row: pd.Series | dict, name: str | None = None) -> str:
    """``youth2 meets post80_section_eligible_strict@2016-12 >= 10 in 62% of futures [55%, 69%]``."""
    who = name or row["scenario"]
    if not row["n"]:
        return f"{who}: {row['target']} has no value in this run (the metric is not taken at {row['date']})"
    return (f"{who} meets {row['target']} in {row['probability']:.0%} of futures "
            f"(95% interval {row['ci95_low']:.0%}-{row['ci95_high']:.0%}, {row['met']} of {row['n']})")


def comparison_sentence(rows: pd.DataFrame) -> str:
    """One target across scenarios: ``meets the eligible-pool target ... in 62% of futures, baseline in 18%``."""
    first = rows.iloc[0]
    label = metric_label(first["metric"]).lower()
    parts = [f"{r['scenario']} in {r['probability']:.0%}" if r["n"] else f"{r['scenario']}: no value"
             for _, r in rows.iterrows()]
    return f"{first['target']} ({label}): met in {parts[0]} of futures" + "".join(f", {p}" for p in parts[1:])


def comparison_targets(runs: Sequence) -> pd.DataFrame:
    """Every target any run's scenario names (``report.targets`` of its resolved scenario), evaluated on
    every run's replications: one row per target and scenario, targets in the order first named."""
    texts = list(dict.fromkeys(t for r in runs for t in _resolved_targets(r.resolved)))
    targets = list(dict.fromkeys(t for t in map(_parsed, texts) if t is not None))
    frames = [target_rows(r.name, targets, r.tables["replications"]) for r in runs if "replications" in r.tables]
    if not targets or not frames:
        return pd.DataFrame(columns=list(TARGET_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    order = {str(t): i for i, t in enumerate(targets)}
    return out.sort_values("target", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _resolved_targets(resolved: dict) -> list[str]:
    report = resolved.get("report") if isinstance(resolved, dict) else None
    targets = report.get("targets") if isinstance(report, dict) else None
    return [t for t in targets or [] if isinstance(t, str)]


def _parsed(text: str) -> Target | None:
    try:
        return parse_target(text)
    except ValueError:  # a folder written by another version: its target is left out
        return None
