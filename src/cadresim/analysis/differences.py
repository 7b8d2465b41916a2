"""Differences from a baseline: paired and Welch intervals, and the comparison table.

Two runs with the same seed and replication count are *paired*: replication ``i`` of each used
the same random draws (common random numbers), so each replication of a scenario is compared with
the same replication of the baseline, and the interval is a t-interval on the differences. Other
runs fall back to an unpaired Welch interval, and say so.

Runs over an ensemble of districts (a ``district`` column in replications.csv; the runs share their
districts, checked by :mod:`cadresim.analysis.compare`) are compared district by district: each
district's difference (its replications paired, else Welch) with its own interval, and the overall
difference as the mean of the district differences with a t-interval over districts (the nested
interval, :func:`cadresim.stats.nested_mean_ci`). How many districts' intervals exclude zero in each
direction says how robust a difference is across districts.
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
from cadresim.stats import mean_ci, nested_mean_ci

COLUMNS = ["metric", "date", "scenario", "mean", "ci95_low", "ci95_high", "n", "diff", "diff_ci95_low",
           "diff_ci95_high", "paired", "paired_halfwidth", "unpaired_halfwidth", "halfwidth_ratio",
           "n_districts", "districts_higher", "districts_lower", "robustness"]
#: differences_by_district.csv: one row per metric, date, scenario and district.
DISTRICT_COLUMNS = ["metric", "date", "scenario", "district", "diff", "diff_ci95_low", "diff_ci95_high", "n",
                    "direction"]
_CELLS = ["diff", "diff_ci95_low", "diff_ci95_high", "paired", "paired_halfwidth", "unpaired_halfwidth",
          "n_districts", "districts_higher", "districts_lower", "robustness"]


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
    return comparison_tables(runs, metrics)[0]


def comparison_tables(runs: list[RunFolder], metrics: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparison table (:func:`comparison_table`) and the differences by district
    (:data:`DISTRICT_COLUMNS`: each scenario's difference from the baseline in each district, with
    the district's own interval and ``direction`` "higher", "lower" or "" where it includes zero)."""
    base = runs[0]
    base_values = _values(base)
    frames, by_district = [_baseline_rows(base, base_values)], []
    for run in runs[1:]:
        rows, districts = _scenario_rows(run, base_values, pairing(base, run) == "paired")
        frames.append(rows)
        by_district.append(districts)
    table = pd.concat(frames, ignore_index=True)
    districts = pd.concat(by_district, ignore_index=True) if by_district else pd.DataFrame(columns=DISTRICT_COLUMNS)
    if metrics is not None:
        table, districts = table[table["metric"].isin(metrics)], districts[districts["metric"].isin(metrics)]
    table["paired"] = table["paired"].astype("boolean")
    table = _ordered(table, runs)[COLUMNS]
    order = {(m, d, s): i for i, (m, d, s) in enumerate(zip(table["metric"], table["date"], table["scenario"]))}
    districts = districts.assign(_o=[order[k] for k in zip(districts["metric"], districts["date"],
                                                           districts["scenario"])])
    districts = districts.sort_values(["_o", "district"], kind="stable")[DISTRICT_COLUMNS].reset_index(drop=True)
    return table.reset_index(drop=True), districts


def _ordered(table: pd.DataFrame, runs: list[RunFolder]) -> pd.DataFrame:
    """Headline metrics first, then by date and scenario (baseline first)."""
    order = {"_m": table["metric"].map(metric_rank(table["metric"], HEADLINE)),
             "_t": table["date"].map(dates.parse), "_s": table["scenario"].map({r.name: i for i, r in enumerate(runs)})}
    return table.assign(**order).sort_values(["_m", "_t", "_s"])


def summary_rows(run: RunFolder) -> pd.DataFrame:
    """The run's summary: metric, date, mean, ci95_low, ci95_high, n, with a ``scenario`` column."""
    s = run.tables["summary"]
    return s[["metric", "date", "mean", "ci95_low", "ci95_high", "n"]].assign(scenario=run.name)


def _values(run: RunFolder) -> dict[tuple[str, str], pd.DataFrame]:
    """(metric, date) -> value and district, indexed by replication (district 0 for a run of one district
    or one written before ensembles)."""
    reps = run.tables["replications"]
    if "district" not in reps.columns:
        reps = reps.assign(district=0)
    return {key: g.set_index("replication")[["value", "district"]]
            for key, g in reps.groupby(["metric", "date"], sort=False)}


def _baseline_rows(base: RunFolder, values: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    rows = summary_rows(base)
    nan = float("nan")
    counts = [values[k]["district"].nunique() if k in values else pd.NA for k in zip(rows["metric"], rows["date"])]
    return rows.assign(diff=0.0, diff_ci95_low=nan, diff_ci95_high=nan, paired=pd.NA, paired_halfwidth=nan,
                       unpaired_halfwidth=nan, halfwidth_ratio=nan, n_districts=counts, districts_higher=pd.NA,
                       districts_lower=pd.NA, robustness="")


def _scenario_rows(run: RunFolder, base_values: dict[tuple[str, str], pd.DataFrame],
                   paired: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's comparison rows, and its differences by district."""
    rows = summary_rows(run)
    values = _values(run)
    extra, districts = [], []
    for m, d in zip(rows["metric"], rows["date"]):
        cells, by_district = _difference_cells(values.get((m, d)), base_values.get((m, d)), paired)
        extra.append(cells)
        districts.append(by_district.assign(metric=m, date=d, scenario=run.name))
    cells = pd.DataFrame(extra, index=rows.index, columns=_CELLS)
    # no ratio where the runs do not vary (the shared start): 0/0, up to rounding
    cells["halfwidth_ratio"] = cells["paired_halfwidth"] / cells["unpaired_halfwidth"].where(
        cells["unpaired_halfwidth"] > 1e-9)
    return pd.concat([rows, cells], axis=1), pd.concat(districts, ignore_index=True)


def _difference_cells(x: pd.DataFrame | None, base: pd.DataFrame | None, paired: bool) -> tuple[tuple, pd.DataFrame]:
    """The cells of :data:`_CELLS` (NaN where the baseline lacks the metric) and the differences by district."""
    nan = float("nan")
    if x is None or base is None:
        return (nan, nan, nan, pd.NA, nan, nan, pd.NA, pd.NA, pd.NA, ""), _district_frame([])
    by_district = district_differences(base, x, paired)
    overall, unpaired = _overall(base, x, paired, by_district)
    higher, lower = int((by_district["direction"] == "higher").sum()), int((by_district["direction"] == "lower").sum())
    n = len(by_district)
    text = robustness(overall.mean, higher, lower, n) if n > 1 else ""
    return (overall.mean, overall.low, overall.high, paired, overall.halfwidth if paired else nan,
            unpaired.halfwidth, n, higher, lower, text), by_district


def _overall(base: pd.DataFrame, x: pd.DataFrame, paired: bool, by_district: pd.DataFrame
             ) -> tuple[Difference, Difference]:
    """(the difference with its interval, the unpaired one): over replications for one district, else
    nested (each district's difference, t over districts) against Welch on the district means."""
    if len(by_district) < 2:
        welch = welch_difference(base["value"].to_numpy(), x["value"].to_numpy())
        if not paired:
            return welch, welch
        b, s, _ = _aligned(base, x)
        return paired_difference(b, s), welch
    shared = by_district["district"].to_numpy()
    means = [np.array([v[g == d].mean() for d in shared]) for v, g in (_arrays(base), _arrays(x))]
    unpaired = welch_difference(*means)
    if paired:
        b, s, g = _aligned(base, x)
        mean, _sd, low, high, *_ = nested_mean_ci(s - b, g)
        return Difference(mean, low, high), unpaired
    mean, _sd, low, high, _n = mean_ci(by_district["diff"].to_numpy())
    return Difference(mean, low, high), unpaired


def district_differences(base: pd.DataFrame, x: pd.DataFrame, paired: bool) -> pd.DataFrame:
    """Each district's difference (scenario minus baseline) with its own 95% interval: the paired
    t-interval over its replications (replication r with replication r), else Welch's.

    Args:
        base, x: the baseline's and the scenario's values, with their district, indexed by replication.

    Returns:
        district, diff, diff_ci95_low, diff_ci95_high, n (pairs, or the scenario's replications when
        unpaired) and direction ("higher" or "lower" where the interval excludes zero, else "").
    """
    rows = []
    if paired:
        b, s, g = _aligned(base, x)
        for district in np.unique(g):
            here = g == district
            rows.append((district, paired_difference(b[here], s[here]), int(here.sum())))
    else:
        (bv, bg), (xv, xg) = _arrays(base), _arrays(x)
        for district in np.intersect1d(bg, xg):
            rows.append((district, welch_difference(bv[bg == district], xv[xg == district]),
                         int((xg == district).sum())))
    return _district_frame([(int(d), diff.mean, diff.low, diff.high, n, direction(diff)) for d, diff, n in rows])


def _arrays(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(values, their districts) as arrays."""
    return values["value"].to_numpy(dtype=float), values["district"].to_numpy()


def _aligned(base: pd.DataFrame, x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The baseline's and the scenario's values of the replications both have, paired, and their districts."""
    common = base.index.intersection(x.index)
    if len(common) == len(base) == len(x) and base.index.equals(x.index):
        b, s = base, x
    else:
        b, s = base.loc[common], x.loc[common]
    return b["value"].to_numpy(dtype=float), s["value"].to_numpy(dtype=float), b["district"].to_numpy()


def _district_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["district", "diff", "diff_ci95_low", "diff_ci95_high", "n", "direction"])


def direction(diff: Difference) -> str:
    """"higher" or "lower" where the interval excludes zero, else "" (including it, or no interval)."""
    if diff.low > 0:
        return "higher"
    return "lower" if diff.high < 0 else ""


def robustness(mean: float, higher: int, lower: int, n: int) -> str:
    """How many districts' own intervals exclude zero in each direction, the direction of ``mean``
    first: "higher in 7 of 10 districts, lower in none"."""
    def count(k: int) -> str:
        return str(k) if k else "none"

    if mean < 0:
        return f"lower in {count(lower)} of {n} districts, higher in {count(higher)}"
    return f"higher in {count(higher)} of {n} districts, lower in {count(lower)}"
