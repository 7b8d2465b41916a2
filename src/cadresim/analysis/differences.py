"""Differences from a baseline: paired and Welch intervals, and the comparison table.

Two runs with the same seed and replication count are *paired*: replication ``i`` of each used
the same random draws (common random numbers), so each replication of a scenario is compared with
the same replication of the baseline, and the interval is a t-interval on the differences. Other
runs fall back to an unpaired Welch interval, and say so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cadresim import dates
from cadresim.io.results_folder import RunFolder
from cadresim.measures.metrics import HEADLINE
from cadresim.report.labels import metric_rank
from cadresim.stats import mean_ci

COLUMNS = ["metric", "date", "scenario", "mean", "ci95_low", "ci95_high", "n", "diff", "diff_ci95_low",
           "diff_ci95_high", "paired", "paired_halfwidth", "unpaired_halfwidth", "halfwidth_ratio"]


@dataclass(frozen=True)
class Difference:
    """A difference of means (scenario minus baseline) with its 95% interval."""

    mean: float
    low: float
    high: float

    @property
    def halfwidth(self) -> float:
        return (self.high - self.low) / 2


def paired_difference(baseline: np.ndarray, scenario: np.ndarray) -> Difference:
    """Mean of d_i = scenario_i - baseline_i with a Student-t 95% interval (NaN for fewer than two)."""
    d = np.asarray(scenario, float) - np.asarray(baseline, float)
    mean, _sd, low, high, _n = mean_ci(d)
    return Difference(mean, low, high)


def welch_difference(baseline: np.ndarray, scenario: np.ndarray) -> Difference:
    """Difference of means with Welch's 95% interval (``scipy.stats.ttest_ind(equal_var=False)``);
    NaN for fewer than two values on a side, the difference alone when neither side varies."""
    x, y = np.asarray(baseline, float), np.asarray(scenario, float)
    mean = float(np.mean(y) - np.mean(x))
    if len(x) < 2 or len(y) < 2:
        return Difference(mean, float("nan"), float("nan"))
    if np.var(x) == 0 and np.var(y) == 0:
        return Difference(mean, mean, mean)
    with warnings.catch_warnings():  # nearly constant values: scipy warns of precision, the interval stands
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = stats.ttest_ind(y, x, equal_var=False).confidence_interval(0.95)
    return Difference(mean, float(ci.low), float(ci.high))


def pairing(baseline: RunFolder, run: RunFolder) -> str:
    """``"paired"`` when both runs share seed and replication count, else why not."""
    why = []
    if run.seed != baseline.seed:
        why.append(f"different seeds ({baseline.seed} vs {run.seed})")
    if run.replications != baseline.replications:
        why.append(f"different replication counts ({baseline.replications} vs {run.replications})")
    return "paired" if not why else "not paired: " + " and ".join(why)


def comparison_table(runs: list[RunFolder], metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per metric, date and scenario: the run's mean and CI, and its difference from the
    baseline (``runs[0]``) with a paired or Welch 95% interval (:data:`COLUMNS`)."""
    base = runs[0]
    base_values = _values(base)
    frames = [_baseline_rows(base)]
    for run in runs[1:]:
        frames.append(_scenario_rows(run, base_values, pairing(base, run) == "paired"))
    table = pd.concat(frames, ignore_index=True)
    if metrics is not None:
        table = table[table["metric"].isin(metrics)]
    table["paired"] = table["paired"].astype("boolean")
    order = {"_m": table["metric"].map(metric_rank(table["metric"], HEADLINE)),
             "_t": table["date"].map(dates.parse), "_s": table["scenario"].map({r.name: i for i, r in enumerate(runs)})}
    return table.assign(**order).sort_values(["_m", "_t", "_s"])[COLUMNS].reset_index(drop=True)


def summary_rows(run: RunFolder) -> pd.DataFrame:
    """The run's summary: metric, date, mean, ci95_low, ci95_high, n, with a ``scenario`` column."""
    s = run.tables["summary"]
    return s[["metric", "date", "mean", "ci95_low", "ci95_high", "n"]].assign(scenario=run.name)


def _values(run: RunFolder) -> dict[tuple[str, str], pd.Series]:
    """(metric, date) -> values indexed by replication."""
    reps = run.tables["replications"]
    return {key: g.set_index("replication")["value"] for key, g in reps.groupby(["metric", "date"], sort=False)}


def _baseline_rows(base: RunFolder) -> pd.DataFrame:
    rows = summary_rows(base)
    nan = float("nan")
    return rows.assign(diff=0.0, diff_ci95_low=nan, diff_ci95_high=nan, paired=pd.NA, paired_halfwidth=nan,
                       unpaired_halfwidth=nan, halfwidth_ratio=nan)


def _scenario_rows(run: RunFolder, base_values: dict[tuple[str, str], pd.Series], paired: bool) -> pd.DataFrame:
    rows = summary_rows(run)
    values = _values(run)
    extra = [_difference_cells(values.get((m, d)), base_values.get((m, d)), paired)
             for m, d in zip(rows["metric"], rows["date"])]
    cells = pd.DataFrame(extra, index=rows.index, columns=["diff", "diff_ci95_low", "diff_ci95_high", "paired",
                                                          "paired_halfwidth", "unpaired_halfwidth"])
    # no ratio where the runs do not vary (the shared start): 0/0, up to rounding
    cells["halfwidth_ratio"] = cells["paired_halfwidth"] / cells["unpaired_halfwidth"].where(
        cells["unpaired_halfwidth"] > 1e-9)
    return pd.concat([rows, cells], axis=1)


def _difference_cells(x: pd.Series | None, base: pd.Series | None, paired: bool) -> tuple:
    """diff, its CI, paired, paired and unpaired half widths (NaN where the baseline lacks the metric)."""
    nan = float("nan")
    if x is None or base is None:
        return nan, nan, nan, pd.NA, nan, nan
    welch = welch_difference(base.to_numpy(), x.to_numpy())
    if not paired:
        return welch.mean, welch.low, welch.high, False, nan, welch.halfwidth
    common = base.index.intersection(x.index)
    pair = paired_difference(base[common].to_numpy(), x[common].to_numpy())
    return pair.mean, pair.low, pair.high, True, pair.halfwidth, welch.halfwidth
