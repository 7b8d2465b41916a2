"""Intervals across an ensemble of districts: replications nested in districts (cadresim.stats.nested_mean_ci),
run summaries over several districts, per-district differences in a comparison, and the check that compared
runs share their districts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadresim import __version__, stats
from cadresim.analysis.compare import check_districts
from cadresim.analysis.differences import comparison_tables, welch_difference
from cadresim.engine.replications import summarize
from cadresim.errors import InputError
from cadresim.io.results_folder import RunFolder

T9 = 2.262157  # t(0.975, 9)


def two_level(rng: np.random.Generator, groups: int, reps: int, sd_between: float, sd_within: float,
              mean: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``groups`` districts × ``reps`` replications: a district effect plus replication noise."""
    g = np.repeat(np.arange(groups), reps)
    return mean + rng.normal(0, sd_between, groups)[g] + rng.normal(0, sd_within, groups * reps), g


# --- the nested interval -------------------------------------------------------------------------


def test_nested_interval_is_the_t_interval_of_the_district_means_on_their_degrees_of_freedom():
    x, g = two_level(np.random.default_rng(3), 10, 4, 1.0, 1.0)
    mean, sd, low, high, n, n_groups, share = stats.nested_mean_ci(x, g)
    means = pd.Series(x).groupby(g).mean()
    half = T9 * means.std(ddof=1) / np.sqrt(10)
    assert (n, n_groups) == (40, 10)
    assert mean == pytest.approx(means.mean()) and sd == pytest.approx(np.std(x, ddof=1))
    assert (low, high) == pytest.approx((mean - half, mean + half), rel=1e-6)
    assert 0 <= share <= 1


def test_nested_interval_uses_the_log_and_logit_scales_of_bounded_metrics():
    rng = np.random.default_rng(4)
    x, g = two_level(rng, 10, 4, 1.0, 1.0, mean=3.0)
    counts = np.abs(x)
    mean, _, low, high, *_ = stats.nested_mean_ci(counts, g, stats.NON_NEGATIVE)
    sd_means = pd.Series(counts).groupby(g).mean().std(ddof=1)
    half = T9 * sd_means / np.sqrt(10)
    assert (low, high) == pytest.approx((mean * np.exp(-half / mean), mean * np.exp(half / mean)), rel=1e-6)
    shares = 1 / (1 + np.exp(-x))
    _, _, low, high, *_ = stats.nested_mean_ci(shares, g, stats.UNIT_INTERVAL)
    assert 0 < low < high < 1


@given(st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=30),
       st.sampled_from([stats.UNBOUNDED, stats.NON_NEGATIVE, (0.0, 50.0)]))
@settings(max_examples=60, deadline=None)
def test_one_district_is_mean_ci_exactly(values, bounds):
    x = np.array(values)
    nested = stats.nested_mean_ci(x, np.zeros(len(x), int), bounds)
    np.testing.assert_equal(nested[:5], stats.mean_ci(x, bounds))
    assert nested[5] == 1 and np.isnan(nested[6])


@given(st.lists(st.lists(st.integers(0, 20), min_size=1, max_size=5), min_size=2, max_size=8))
@settings(max_examples=80, deadline=None)
def test_a_nested_interval_of_counts_never_leaves_the_range_and_holds_the_mean(districts):
    x = np.array([v for d in districts for v in d], float)
    g = np.array([i for i, d in enumerate(districts) for _ in d])
    mean, _, low, high, n, n_groups, share = stats.nested_mean_ci(x, g, stats.NON_NEGATIVE)
    assert (n, n_groups) == (len(x), len(districts))
    assert 0 <= low <= mean + 1e-9 and mean - 1e-9 <= high
    assert np.isnan(share) or 0 <= share <= 1


def test_between_share_estimates_the_share_of_variance_between_districts():
    rng = np.random.default_rng(5)
    for sd_between, expected in ((2.0, 0.8), (1.0, 0.5), (0.0, 0.0)):
        x, g = two_level(rng, 400, 5, sd_between, 1.0)
        assert stats.nested_mean_ci(x, g)[6] == pytest.approx(expected, abs=0.05)


def test_between_share_is_clipped_at_zero_and_missing_where_it_cannot_be_estimated():
    g = np.repeat([0, 1], 3)
    assert stats.nested_mean_ci(np.array([0, 1, 2, 0, 1, 2.0]), g)[6] == 0.0  # equal means: negative estimate
    assert np.isnan(stats.nested_mean_ci(np.array([1.0, 2.0]), np.array([0, 1]))[6])  # one value a district
    assert np.isnan(stats.nested_mean_ci(np.ones(6), g)[6])  # no variation at all
    mean, _, low, high, *_ = stats.nested_mean_ci(np.ones(6), g, stats.UNIT_INTERVAL)
    assert mean == low == high == 1.0  # every replication agrees: the value alone, as mean_ci


COVERAGE_TRIALS = 2000  # the binomial sd of a 95% coverage estimate is 0.0049: a tolerance of 0.015 is 3 sd


def test_nested_interval_covers_the_mean_95_percent_of_the_time_and_the_naive_one_does_not():
    """Two-level normal data, 10 districts × 4 replications, as much variance between districts as
    within: the nested interval covers the true mean at its nominal 95%; the naive t-interval over all
    40 replications treats them as independent and covers far less (about 78%: its standard error
    is sqrt(2/40) against the true sqrt(1.25/10))."""
    rng = np.random.default_rng(20140221)
    nested = naive = 0
    for _ in range(COVERAGE_TRIALS):
        x, g = two_level(rng, 10, 4, 1.0, 1.0)
        _, _, low, high, *_ = stats.nested_mean_ci(x, g)
        nested += low <= 0 <= high
        _, _, low, high, _ = stats.mean_ci(x)
        naive += low <= 0 <= high
    assert nested / COVERAGE_TRIALS == pytest.approx(0.95, abs=0.015)
    assert naive / COVERAGE_TRIALS < 0.85


def test_nested_interval_of_a_bounded_count_covers_near_95_percent():
    """Counts: Poisson replications around a district's own level (log-normal between districts,
    mean about 30): the log-scale nested interval covers the mean of district levels near 95%."""
    rng = np.random.default_rng(11)
    covered = 0
    levels_mean = 30 * np.exp(0.25 ** 2 / 2)
    for _ in range(COVERAGE_TRIALS):
        levels = 30 * np.exp(rng.normal(0, 0.25, 10))
        x = rng.poisson(np.repeat(levels, 4)).astype(float)
        _, _, low, high, *_ = stats.nested_mean_ci(x, np.repeat(np.arange(10), 4), stats.NON_NEGATIVE)
        covered += low <= levels_mean <= high
    assert covered / COVERAGE_TRIALS == pytest.approx(0.95, abs=0.02)


# --- run summaries over districts ----------------------------------------------------------------


def per_replication(districts: int, reps: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for metric in ("post80_division_level", "reshuffle_fill_rate"):
        x, g = two_level(rng, districts, reps, 2.0, 1.0, mean=20.0)
        x = np.clip(x / 25, 0, 1) if metric == "reshuffle_fill_rate" else np.abs(x)
        rows += [(r, int(d), metric, "2016-12", v) for r, (d, v) in enumerate(zip(g, x))]
    return pd.DataFrame(rows, columns=["replication", "district", "metric", "date", "value"])


def test_summary_over_several_districts_has_the_nested_interval_and_the_between_share():
    per_rep = per_replication(5, 4)
    summary = summarize(per_rep)
    assert list(summary.columns[-2:]) == ["n_districts", "between_share"]
    row = summary.iloc[0]
    g = per_rep[per_rep["metric"] == row["metric"]]
    cells = stats.nested_mean_ci(g["value"].to_numpy(), g["district"].to_numpy(), stats.NON_NEGATIVE)
    assert tuple(row[["mean", "sd", "ci95_low", "ci95_high", "n", "n_districts", "between_share"]]) == cells
    assert row["n_districts"] == 5


def test_summary_of_one_district_is_unchanged_by_the_district_column():
    per_rep = per_replication(1, 12)
    pd.testing.assert_frame_equal(summarize(per_rep), summarize(per_rep.drop(columns="district")))
    assert list(summarize(per_rep).columns) == ["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"]


# --- comparisons district by district ------------------------------------------------------------

METRIC, DATE = "post80_division_level", "2016-12"


def ensemble_run(name: str, values: np.ndarray, reps: int, seed: int = 1, districts: list[dict] | None = None,
                 district_column: bool = True) -> RunFolder:
    """A run of one metric over len(values) // reps districts, replication r in district r // reps."""
    d = np.arange(len(values)) // reps
    table = pd.DataFrame({"replication": np.arange(len(values)), "district": d, "metric": METRIC, "date": DATE,
                          "value": values})
    if not district_column:
        table = table.drop(columns="district")
    summary = summarize(table)
    manifest = {"cadresim_version": __version__, "scenario": name, "seed": seed, "replications": len(values)}
    if districts is None:
        districts = [{"district": i, "seed": 100 + i, "digest": f"{i:064x}"} for i in range(d.max() + 1)]
    if districts:
        manifest["districts"] = districts
    return RunFolder(Path(name), name, manifest, {"name": name}, {"summary": summary, "replications": table})


def ensemble_pair(effect: np.ndarray, reps: int = 4, seed: int = 7) -> tuple[RunFolder, RunFolder]:
    """A baseline over len(effect) districts and a scenario shifted by each district's effect, paired."""
    rng = np.random.default_rng(seed)
    base = 20 + np.repeat(rng.normal(0, 3, len(effect)), reps) + rng.normal(0, 1, len(effect) * reps)
    scen = base + np.repeat(effect, reps) + rng.normal(0, 0.3, len(effect) * reps)
    return ensemble_run("base", base, reps), ensemble_run("scen", scen, reps)


def test_each_districts_paired_difference_and_how_many_exclude_zero():
    effect = np.array([2.0] * 7 + [0.0] * 2 + [-2.0])
    base, scen = ensemble_pair(effect)
    table, by_district = comparison_tables([base, scen])
    assert list(by_district["district"]) == list(range(10))
    b, s = (r.tables["replications"]["value"].to_numpy() for r in (base, scen))
    for d, row in by_district.iterrows():
        mean, _, low, high, _ = stats.mean_ci(s[4 * d:4 * d + 4] - b[4 * d:4 * d + 4])
        assert (row["diff"], row["diff_ci95_low"], row["diff_ci95_high"], row["n"]) == pytest.approx(
            (mean, low, high, 4))
    assert list(by_district["direction"][:7]) == ["higher"] * 7 and by_district["direction"][9] == "lower"
    row = table[table["scenario"] == "scen"].iloc[0]
    assert (row["n_districts"], row["districts_higher"], row["districts_lower"]) == (10, 7, 1)
    assert row["robustness"] == "higher in 7 of 10 districts, lower in 1"


def test_the_overall_difference_is_nested_t_over_the_districts_differences():
    base, scen = ensemble_pair(np.linspace(0, 3, 10))
    table, by_district = comparison_tables([base, scen])
    row = table[table["scenario"] == "scen"].iloc[0]
    mean, _, low, high, _ = stats.mean_ci(by_district["diff"].to_numpy())  # t over districts, 9 df
    assert (row["diff"], row["diff_ci95_low"], row["diff_ci95_high"]) == pytest.approx((mean, low, high))
    assert bool(row["paired"]) and row["paired_halfwidth"] == pytest.approx((high - low) / 2)
    means = [r.tables["replications"].groupby("district")["value"].mean().to_numpy() for r in (base, scen)]
    assert row["unpaired_halfwidth"] == pytest.approx(welch_difference(*means).halfwidth)
    naive = stats.mean_ci(scen.tables["replications"]["value"].to_numpy()
                          - base.tables["replications"]["value"].to_numpy())
    assert (naive[3] - naive[2]) < (high - low)  # the naive paired interval leaves the districts out


def test_unpaired_runs_over_districts_compare_district_means_district_by_district():
    base, scen = ensemble_pair(np.array([1.0, 2.0, 3.0]))
    other = ensemble_run("scen", scen.tables["replications"]["value"].to_numpy(), 4, seed=2)
    table, by_district = comparison_tables([base, other])
    row = table[table["scenario"] == "scen"].iloc[0]
    assert not bool(row["paired"])
    mean, _, low, high, _ = stats.mean_ci(by_district["diff"].to_numpy())
    assert (row["diff"], row["diff_ci95_low"], row["diff_ci95_high"]) == pytest.approx((mean, low, high))
    b = base.tables["replications"]
    welch = welch_difference(b["value"][b["district"] == 0].to_numpy(),
                             other.tables["replications"]["value"][:4].to_numpy())
    assert by_district.iloc[0][["diff_ci95_low", "diff_ci95_high"]].tolist() == pytest.approx([welch.low, welch.high])


def test_one_district_keeps_the_replication_pairing_and_says_nothing_of_robustness():
    base, scen = ensemble_pair(np.array([1.0]), reps=6)
    table, by_district = comparison_tables([base, scen])
    old, _ = comparison_tables([ensemble_run("base", base.tables["replications"]["value"].to_numpy(), 6,
                                             districts=[], district_column=False),
                                ensemble_run("scen", scen.tables["replications"]["value"].to_numpy(), 6,
                                             districts=[], district_column=False)])
    cols = ["diff", "diff_ci95_low", "diff_ci95_high", "paired_halfwidth", "unpaired_halfwidth"]
    pd.testing.assert_frame_equal(table[cols], old[cols])
    row = table[table["scenario"] == "scen"].iloc[0]
    assert row["n_districts"] == 1 and row["robustness"] == "" and len(by_district) == 1


def test_robustness_leads_with_the_direction_of_the_difference():
    from cadresim.analysis.differences import robustness

    assert robustness(1.5, 7, 0, 10) == "higher in 7 of 10 districts, lower in none"
    assert robustness(-0.4, 1, 3, 10) == "lower in 3 of 10 districts, higher in 1"
    assert robustness(0.1, 0, 0, 10) == "higher in none of 10 districts, lower in none"


# --- compared runs share their districts ---------------------------------------------------------


def test_runs_on_other_districts_are_refused_naming_both_folders_and_what_differs():
    base, scen = ensemble_pair(np.zeros(3))
    moved = [{"district": i, "seed": 100 + i + (i == 2), "digest": f"{i:064x}"} for i in range(3)]
    other = ensemble_run("scen", scen.tables["replications"]["value"].to_numpy(), 4, districts=moved)
    with pytest.raises(InputError) as e:
        check_districts([base, other])
    assert "scen: districts: not run on the same districts as the baseline base" in str(e.value)
    assert "district 2: seed 102 against 103" in str(e.value)
    digest = [{**d, "digest": "f" * 64} if d["district"] == 1 else d for d in base.districts]
    with pytest.raises(InputError, match="district 1: roster SHA-256 000000000000… against ffffffffffff…"):
        check_districts([base, ensemble_run("scen", scen.tables["replications"]["value"].to_numpy(), 4,
                                            districts=digest)])
    fewer = ensemble_run("scen", scen.tables["replications"]["value"].to_numpy()[:8], 4)
    with pytest.raises(InputError, match="3 against 2 districts"):
        check_districts([base, fewer])
    check_districts([base, scen])  # the same districts: no problem


def test_a_run_from_before_ensembles_counts_as_one_district():
    values = np.arange(8.0)
    old = ensemble_run("old", values, 8, districts=[], district_column=False)
    one = ensemble_run("one", values + 1, 8)
    assert old.districts == [] and old.n_districts == 1 and one.n_districts == 1
    check_districts([old, one])
    check_districts([one, old])
    table, _ = comparison_tables([old, one])
    assert table[table["scenario"] == "one"]["diff"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(InputError, match="1 against 3 districts"):
        check_districts([old, ensemble_pair(np.zeros(3))[0]])


# --- end to end: real runs on two districts ------------------------------------------------------

DISTRICT_SEEDS = (1, 2)
REPS = 2


def ensemble_results(scenario_file: str, reps: int = REPS):
    """A scenario run on each district seed, gathered as the ensemble engine writes it: a ``district``
    column after ``replication``, replications numbered across districts."""
    from dataclasses import replace

    from cadresim.engine.replications import run_scenario
    from cadresim.scenario.loader import load_scenario

    ROOT = Path(__file__).resolve().parents[1]
    runs = [run_scenario(load_scenario(ROOT / "scenarios" / scenario_file,
                                       [f"district.seed={s}", "district.generator=calibrated"]), reps,
                         record_events=False) for s in DISTRICT_SEEDS]

    def stacked(name: str) -> pd.DataFrame:
        frames = [getattr(r, name).assign(replication=lambda t, d=d: t["replication"] + d * reps, district=d)
                  for d, r in enumerate(runs)]
        return pd.concat(frames, ignore_index=True)

    per_rep = stacked("per_replication")
    merged = replace(runs[0], replications=reps * len(runs), per_replication=per_rep, summary=summarize(per_rep),
                     timeseries=stacked("timeseries"), eligibility=stacked("eligibility"), ages=stacked("ages"),
                     pool=stacked("pool"))
    return merged, runs


def write_ensemble(res, folder: Path, districts: list[dict]) -> Path:
    import json
    from datetime import datetime

    from cadresim.output.run_folder import write_results

    write_results(res, folder, jobs=1, started=datetime.now(), plots=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "districts": districts}))
    return folder


@pytest.mark.slow
def test_compare_over_two_real_districts_end_to_end(tmp_path):
    from conftest import cli

    from cadresim.io.results_folder import load_run

    districts = [{"district": d, "seed": s, "digest": f"{s:064x}"} for d, s in enumerate(DISTRICT_SEEDS)]
    (base, base_parts), (youth, youth_parts) = ensemble_results("baseline.yaml"), ensemble_results("youth2.yaml")
    summary = base.summary.set_index(["metric", "date"])
    assert set(summary["n_districts"]) == {2} and summary["between_share"].dropna().between(0, 1).all()
    runs = [write_ensemble(r, tmp_path / n, districts) for r, n in ((base, "baseline"), (youth, "youth2"))]
    proc = cli("compare", *runs, "-o", tmp_path / "cmp")
    assert proc.returncode == 0, proc.stderr
    by_district = pd.read_csv(tmp_path / "cmp" / "differences_by_district.csv", dtype={"date": str})
    assert set(by_district["district"]) == {0, 1} and set(by_district["scenario"]) == {"youth2"}
    assert "of 2 districts" in (tmp_path / "cmp" / "report.html").read_text()
    # each district's difference is that district's own paired comparison, as a run of one district
    for d in (0, 1):
        single = [write_ensemble(parts[d], tmp_path / f"{n}{d}", [districts[d]])
                  for parts, n in ((base_parts, "b"), (youth_parts, "y"))]
        one, _ = comparison_tables([load_run(p) for p in single])
        one = one[one["scenario"] == "youth2"].set_index(["metric", "date"])
        here = by_district[by_district["district"] == d].set_index(["metric", "date"])
        pd.testing.assert_series_equal(here["diff"], one.loc[here.index, "diff"], check_names=False)
    # a run on other districts is refused, naming both folders, and nothing is written
    other = write_ensemble(youth, tmp_path / "youth2_other", [districts[0], {**districts[1], "seed": 9}])
    proc = cli("compare", runs[0], other, "-o", tmp_path / "refused")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    text = " ".join(proc.stderr.split())
    assert "youth2_other" in text and str(runs[0]) in text and "district 1: seed 2 against 9" in text
    assert not (tmp_path / "refused").exists()


def test_the_report_says_how_robust_a_difference_is_in_both_languages():
    from cadresim.output.html import robustness_text
    from cadresim.output.report_text import TEXT

    row = {"n_districts": 10, "districts_higher": 7, "districts_lower": 0, "diff": 2.0, "diff_ci95_low": 1.0,
           "diff_ci95_high": 3.0}
    assert robustness_text(row, TEXT["en"]) == "higher in 7 of 10 districts, lower in none"
    assert robustness_text(row, TEXT["zh"]) == "10个区中7个区较高，0个区较低"
    down = {**row, "diff": -1.0, "districts_higher": 1, "districts_lower": 3}
    assert robustness_text(down, TEXT["en"]) == "lower in 3 of 10 districts, higher in 1"
    assert robustness_text({**row, "n_districts": 1}, TEXT["en"]) == ""  # one district: nothing to say
    assert robustness_text({**row, "diff_ci95_low": 3.0}, TEXT["en"]) == ""  # nothing varies (the start)


def test_a_sweep_over_districts_nests_its_intervals():
    """Sweep replication i runs in district i mod D: the summary's interval is the nested one."""
    from cadresim.analysis.sweep_design import Design
    from cadresim.analysis.sweep_tables import summarize

    rng = np.random.default_rng(3)
    reps = np.arange(12)
    values = np.array([5.0, 9.0, 13.0])[reps % 3] + rng.normal(0, 0.5, 12)
    table = pd.DataFrame({"run_id": 0, "replication": reps, "status": "ok",
                          "post80_division_level@2016-12": values})
    design = Design("grid", ("rotation.cross_unit_rate",), ({"rotation.cross_unit_rate": 0.1},))
    nested, flat = summarize(table, design, districts=3).iloc[0], summarize(table, design).iloc[0]
    want = stats.nested_mean_ci(values, reps % 3, (0.0, float("inf")))
    assert nested["ci95_low"] == pytest.approx(want[2]) and nested["ci95_high"] == pytest.approx(want[3])
    assert nested["ci95_high"] - nested["ci95_low"] > 2 * (flat["ci95_high"] - flat["ci95_low"])
