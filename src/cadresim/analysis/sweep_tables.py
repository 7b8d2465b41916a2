"""A sweep's tables (pure): one row per run, and one per point, metric and date; the finished sweep.

Records are sorted by (run_id, replication) first, so the tables are the same whatever order the
runs finished in, and whatever executor made them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.analysis.sweep_design import Design
from cadresim.analysis.sweep_runs import RunRecord
from cadresim.measures.kinds import bounds
from cadresim.measures.metrics import HEADLINE
from cadresim.report.labels import metric_columns, split_column
from cadresim.scenario.schema import Scenario
from cadresim.stats import mean_ci, nested_mean_ci

ID_COLUMNS = ("run_id", "replication", "seed")
ERROR_COLUMN = "error"
SUMMARY_COLUMNS = ("metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n")


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


def summarize(table: pd.DataFrame, design: Design, districts: int = 1) -> pd.DataFrame:
    """One row per point, metric and date: run_id, every swept key, metric, date, mean, sd, ci95_low,
    ci95_high and n (runs with a value; failed runs are left out). Over ``districts`` districts (replication
    i runs in district i mod D), the interval nests the replications in their districts."""
    rows = []
    for run_id, runs in table.groupby("run_id", sort=True):
        point = [design.points[int(run_id)][k] for k in design.keys]
        for column in metric_columns(table):
            kept = runs[column].notna().to_numpy()
            values, groups = runs[column].to_numpy()[kept], runs["replication"].to_numpy()[kept] % districts
            metric, date = split_column(column)
            if len(values):
                stats = nested_mean_ci(values, groups, bounds(metric))[:5] if districts > 1 else \
                    mean_ci(values, bounds(metric))
                rows.append((int(run_id), *point, metric, date, *stats))
    columns = ["run_id", *design.keys, *SUMMARY_COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"run_id": "int64", "n": "int64"})


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
