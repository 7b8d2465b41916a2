"""Tests of cadresim.compare: paired and Welch intervals by hand, bad folders, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from cadresim import __version__
from cadresim.compare import (ABSENT, Run, compare, comparison_table, load_run, load_runs, paired_difference,
                              scenario_differences, welch_difference, write_comparison)
from cadresim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"


# --- the statistics by hand ----------------------------------------------------------------------


def test_paired_difference_hand_computed():
    # d = [1, 0, 2, 1]: mean 1, sd sqrt(2/3) = 0.8165, t(0.975, 3) = 3.1824 -> half width 1.2992
    diff = paired_difference(np.array([1, 2, 3, 4]), np.array([2, 2, 5, 5]))
    assert diff.mean == pytest.approx(1.0)
    assert diff.halfwidth == pytest.approx(3.182446 * np.sqrt(2 / 3) / 2, abs=1e-5)
    assert diff.halfwidth == pytest.approx(1.2992, abs=1e-4)
    assert (diff.low, diff.high) == pytest.approx((1 - 1.2992, 1 + 1.2992), abs=1e-4)


def test_welch_difference_hand_computed():
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8, 10])
    # variances of the means: (5/3)/4 and 10/5; Welch–Satterthwaite df
    vx, vy = (5 / 3) / 4, 10 / 5
    df = (vx + vy) ** 2 / (vx**2 / 3 + vy**2 / 4)
    half = stats.t.ppf(0.975, df) * np.sqrt(vx + vy)
    diff = welch_difference(x, y)
    assert df == pytest.approx(5.5208, abs=1e-4)
    assert diff.mean == pytest.approx(3.5)
    assert diff.halfwidth == pytest.approx(half)
    ci = stats.ttest_ind(y, x, equal_var=False).confidence_interval(0.95)  # scipy's own Welch interval
    assert (diff.low, diff.high) == pytest.approx((ci.low, ci.high))


def test_pairing_narrows_the_interval_when_replications_move_together():
    base = np.array([10.0, 14, 9, 16, 12])
    scen = base + np.array([1.0, 1.5, 0.5, 1.2, 0.8])
    assert paired_difference(base, scen).halfwidth < 0.2 * welch_difference(base, scen).halfwidth


def test_degenerate_intervals():
    assert np.isnan(paired_difference(np.array([1.0]), np.array([2.0])).low)
    assert np.isnan(welch_difference(np.array([1.0]), np.array([2.0, 3.0])).high)
    same = welch_difference(np.array([3.0, 3.0]), np.array([5.0, 5.0]))
    assert (same.mean, same.low, same.high) == (2.0, 2.0, 2.0)


# --- the comparison table from hand-made runs ----------------------------------------------------


def _run(name: str, values: dict[tuple[str, str], list[float]], seed: int = 1, path: Path | None = None) -> Run:
    reps = pd.DataFrame([(i, m, d, v) for (m, d), vs in values.items() for i, v in enumerate(vs)],
                        columns=["replication", "metric", "date", "value"])
    summary = pd.DataFrame([(m, d, *_mean_ci(vs)) for (m, d), vs in values.items()],
                           columns=["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"])
    n = max(len(v) for v in values.values())
    manifest = {"cadresim_version": __version__, "scenario": name, "seed": seed, "replications": n}
    return Run(path or Path(name), name, manifest, {"name": name}, {"summary": summary, "replications": reps})


def _mean_ci(values: list[float]) -> tuple:
    from cadresim.stats import mean_ci

    return mean_ci(np.asarray(values, float))


BASE = {("post80_division_level", "2016-12"): [1, 2, 3, 4], ("reshuffle_fill_rate", "2016-12"): [0.9, 0.8, 1.0, 0.9]}
SCEN_VALUES = {("post80_division_level", "2016-12"): [2, 2, 5, 5], ("reshuffle_fill_rate", "2016-12"): [1, 1, 1, 1],
               ("youth_talent_promoted_share_c2", "2016-12"): [0.5, 0.6, 0.4, 0.5]}


def test_comparison_table_pairs_runs_with_equal_seed_and_count():
    table = comparison_table([_run("base", BASE), _run("scen", SCEN_VALUES)])
    row = table[(table.metric == "post80_division_level") & (table.scenario == "scen")].iloc[0]
    assert bool(row["paired"])
    assert row["diff"] == pytest.approx(1.0)
    assert row["diff_ci95_high"] - row["diff"] == pytest.approx(1.2992, abs=1e-4)
    assert row["paired_halfwidth"] == pytest.approx(1.2992, abs=1e-4)
    assert row["unpaired_halfwidth"] == pytest.approx(welch_difference(np.array([1, 2, 3, 4]),
                                                                       np.array([2, 2, 5, 5])).halfwidth)
    assert row["halfwidth_ratio"] == pytest.approx(row["paired_halfwidth"] / row["unpaired_halfwidth"])
    base = table[(table.metric == "post80_division_level") & (table.scenario == "base")].iloc[0]
    assert base["diff"] == 0 and np.isnan(base["diff_ci95_low"]) and pd.isna(base["paired"])
    assert list(table.columns[:4]) == ["metric", "date", "scenario", "mean"]


def test_comparison_table_falls_back_to_welch_for_other_seeds():
    table = comparison_table([_run("base", BASE), _run("scen", SCEN_VALUES, seed=2)])
    row = table[(table.metric == "post80_division_level") & (table.scenario == "scen")].iloc[0]
    welch = welch_difference(np.array([1, 2, 3, 4]), np.array([2, 2, 5, 5]))
    assert not bool(row["paired"])
    assert (row["diff_ci95_low"], row["diff_ci95_high"]) == pytest.approx((welch.low, welch.high))
    assert np.isnan(row["paired_halfwidth"])


def test_metric_only_in_scenario_has_no_difference():
    table = comparison_table([_run("base", BASE), _run("scen", SCEN_VALUES)])
    row = table[table.metric == "youth_talent_promoted_share_c2"].iloc[0]
    assert row["mean"] == pytest.approx(0.5) and np.isnan(row["diff"]) and pd.isna(row["paired"])


def test_headline_metrics_come_first():
    table = comparison_table([_run("base", BASE), _run("scen", SCEN_VALUES)])
    assert list(dict.fromkeys(table["metric"]))[:2] == ["post80_division_level", "reshuffle_fill_rate"]


def test_scenario_differences_lists_changed_and_added_settings():
    base = {"name": "a", "description": "x", "rotation": {"rate": 0.05, "targeting": "random"},
            "cohorts": {"c1": {"size": 40}}}
    other = {"name": "b", "description": "y", "rotation": {"rate": 0.15, "targeting": "random"},
             "cohorts": {"c1": {"size": 40}, "c2": {"size": 40}}}
    assert scenario_differences(base, other) == [("rotation.rate", 0.05, 0.15), ("cohorts.c2", ABSENT, {"size": 40})]


# --- bad input -----------------------------------------------------------------------------------


def _write_folder(path: Path, name: str, seed: int = 1, reps: int = 4, version: str = __version__) -> Path:
    """A minimal results folder (what compare needs), written by hand."""
    run = _run(name, {k: v[:reps] for k, v in BASE.items()}, seed)
    path.mkdir(parents=True)
    run.tables["summary"].to_csv(path / "summary.csv", index=False)
    run.tables["replications"].to_csv(path / "replications.csv", index=False)
    (path / "scenario.resolved.yaml").write_text(yaml.safe_dump({"name": name, "reshuffle": {"dates": ["2016-12"]}}))
    manifest = {**run.manifest, "cadresim_version": version, "replications": reps}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def _problems(excinfo) -> str:
    return "\n".join(str(p) for p in excinfo.value.problems)


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="no such results folder"):
        load_run(tmp_path / "nope")


def test_folder_without_manifest_is_incomplete(tmp_path):
    folder = _write_folder(tmp_path / "a", "a")
    (folder / "manifest.json").unlink()
    with pytest.raises(InputError, match="manifest.json is missing"):
        load_run(folder)


def test_missing_table_and_missing_columns(tmp_path):
    folder = _write_folder(tmp_path / "a", "a")
    (folder / "replications.csv").unlink()
    pd.DataFrame({"metric": ["x"], "date": ["2016-12"], "mean": [1.0]}).to_csv(folder / "summary.csv", index=False)
    with pytest.raises(InputError) as info:
        load_run(folder)
    text = _problems(info)
    assert "replications.csv: missing" in text
    assert "missing column(s) sd, ci95_low, ci95_high, n" in text


def test_incompatible_version(tmp_path):
    folder = _write_folder(tmp_path / "a", "a", version="99.0.0")
    with pytest.raises(InputError, match="incompatible results format: written by cadresim 99.0.0"):
        load_run(folder)


def test_fewer_than_two_runs(tmp_path):
    folder = _write_folder(tmp_path / "a", "a")
    with pytest.raises(InputError, match="at least two"):
        load_runs([folder, folder])


def test_every_bad_folder_is_reported_at_once(tmp_path):
    with pytest.raises(InputError) as info:
        load_runs([tmp_path / "x", tmp_path / "y"])
    assert len(info.value.problems) == 2


def test_unknown_metric_and_language(tmp_path):
    a, b = _write_folder(tmp_path / "a", "a"), _write_folder(tmp_path / "b", "b")
    with pytest.raises(InputError, match="not a metric of these runs"):
        compare([a, b], metrics=["post80_division_level", "nonsense"])
    with pytest.raises(InputError, match="unknown language"):
        compare([a, b], lang="fr")


def test_versions_differ_warns_and_baseline_option_reorders(tmp_path):
    a = _write_folder(tmp_path / "a", "a")
    b = _write_folder(tmp_path / "b", "b", version=__version__ + ".post1")
    comp = compare([a, b], baseline=b)
    assert comp.scenarios == ["b", "a"]
    assert any("model versions differ" in n for n in comp.notes)


def test_output_may_not_replace_an_input(tmp_path):
    a, b = _write_folder(tmp_path / "a", "a"), _write_folder(tmp_path / "b", "b")
    comp = compare([a, b])
    with pytest.raises(InputError, match="would replace the results folder"):
        write_comparison(comp, a)
    assert (a / "manifest.json").is_file()


@pytest.mark.slow
def test_cli_bad_input_exits_2_without_traceback(tmp_path):
    folder = _write_folder(tmp_path / "a", "a")
    (folder / "manifest.json").unlink()
    proc = cli("compare", folder, tmp_path / "missing")
    text = " ".join(proc.stderr.split())  # rich wraps long lines
    assert proc.returncode == 2
    assert "manifest.json is missing" in text and "no such results folder" in text
    assert "Traceback" not in text


# --- end to end ----------------------------------------------------------------------------------


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "cadresim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """baseline and youth2 on the default seed (paired), youth2 on another seed (not paired).

    Used by one test only, so that pytest-xdist workers do not each run it."""
    root = tmp_path_factory.mktemp("runs")
    jobs = [("baseline", "baseline", []), ("youth2", "youth2", []), ("youth2_seed7", "youth2", ["--seed", "7"])]
    procs = [subprocess.Popen([sys.executable, "-m", "cadresim", "run", str(SCEN / f"{scen}.yaml"), "-r", "3", "-q",
                               "--no-events", "-o", str(root / name), *extra], cwd=ROOT, stderr=subprocess.PIPE,
                              text=True) for name, scen, extra in jobs]
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read()
    return root


@pytest.mark.slow
def test_compare_end_to_end(runs, tmp_path):
    proc = cli("compare", runs / "baseline", runs / "youth2", runs / "youth2_seed7", "--metrics",
               "post80_division_level,reshuffle_unfilled", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not paired: different seeds" in " ".join(proc.stderr.split())
    out = tmp_path / "results" / "compare-baseline-youth2-youth2_seed7"  # the default output folder
    assert (out / "report.html").is_file() and (out / "comparison.csv").is_file()
    assert {p.name for p in (out / "plots").glob("*.png")} == {
        "differences.png", "pipeline.png", "grade_mix.png", "eligible_pool.png", "binding_rules.png",
        "youth_talent.png"}
    assert not list(out.parent.glob(".*partial*"))
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["metric"]) == {"post80_division_level", "reshuffle_unfilled"}
    assert set(table["scenario"]) == {"baseline", "youth2", "youth2_seed7"}
    paired = table.dropna(subset=["paired"]).groupby("scenario")["paired"].agg(set)
    assert paired["youth2"] == {True} and paired["youth2_seed7"] == {False}
    # the paired difference is the mean of the replication-wise differences in replications.csv
    row = table[(table.scenario == "youth2") & (table.date == "2016-12") & (table.metric == "post80_division_level")]
    reps = [pd.read_csv(runs / n / "replications.csv") for n in ("baseline", "youth2")]
    pick = [r[(r.metric == "post80_division_level") & (r.date == "2016-12")].set_index("replication")["value"]
            for r in reps]
    assert row["diff"].iloc[0] == pytest.approx((pick[1] - pick[0]).mean())
