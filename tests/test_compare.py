"""Tests of cadresim compare: paired and Welch intervals by hand, bad folders, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli
import yaml
from scipy import stats

from cadresim import __version__
from cadresim.analysis.compare import compare
from cadresim.analysis.differences import comparison_table, paired_difference, welch_difference
from cadresim.analysis.scenario_changes import ABSENT, scenario_differences
from cadresim.io.results_folder import RunFolder, load_run, load_runs
from cadresim.output.comparison_folder import write_comparison
from cadresim.analysis.compare_teams import reflag_teams, team_changes, teams_table
from cadresim.errors import InputError
from cadresim.scenario.schema import Report

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


def _run(name: str, values: dict[tuple[str, str], list[float]], seed: int = 1, path: Path | None = None) -> RunFolder:
    reps = pd.DataFrame([(i, m, d, v) for (m, d), vs in values.items() for i, v in enumerate(vs)],
                        columns=["replication", "metric", "date", "value"])
    summary = pd.DataFrame([(m, d, *_mean_ci(vs)) for (m, d), vs in values.items()],
                           columns=["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"])
    n = max(len(v) for v in values.values())
    manifest = {"cadresim_version": __version__, "scenario": name, "seed": seed, "replications": n}
    return RunFolder(path or Path(name), name, manifest, {"name": name}, {"summary": summary, "replications": reps})


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


def test_other_metrics_follow_the_explicit_table_order_then_cohorts_then_names():
    values = {(m, "2016-12"): [1.0, 2.0] for m in ("zz_unknown", "youth_talent_promoted_share_c2",
                                                   "promotion_merit_mean", "division_level_mean_age",
                                                   "post80_division_level")}
    table = comparison_table([_run("base", values), _run("scen", values)])
    assert list(dict.fromkeys(table["metric"])) == ["post80_division_level", "division_level_mean_age",
                                                    "promotion_merit_mean", "youth_talent_promoted_share_c2",
                                                    "zz_unknown"]


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


# --- teams at risk -------------------------------------------------------------------------------

TEAM_COLUMNS = ["date", "unit_id", "name", "type", "at_risk", "vacancies", "successors_unit", "young_target_met"]
# unit -> (vacancies, successors in the unit, P(young-member target met)) at the 2016-12 reshuffle. Under the
# default thresholds (shortfall = vacancies - successors > 0, or P < 0.5) the baseline has 3 of 6 at risk.
BASE_TEAMS = {1: (3, 1, 0.8),   # shortfall 2: at risk
              2: (1, 2, 0.3),   # P 0.3: at risk
              3: (0, 3, 0.9),
              4: (1, 1, 0.6),
              5: (0, 1, 0.9),
              6: (6, 0, 0.7)}   # shortfall 6: at risk
# The scenario: 3 of 6 at risk (2, 3, 6), 1 newly (3), 1 no longer (1) under the baseline's thresholds.
SCEN_TEAMS = {1: (3, 3, 0.8),   # shortfall 0: no longer at risk (shortfall change -2)
              2: (1, 2, 0.45),  # still at risk (P change +0.15)
              3: (2, 1, 0.9),   # shortfall 1: newly at risk (change +4)
              4: (1, 1, 0.55),  # at risk only under a 0.6 threshold (P change -0.05)
              5: (0, 1, 0.9),   # no change at all
              6: (6, 3, 0.7)}   # shortfall 3: still at risk (change -3)
ZH_UNITS = {"district": {"units": {"bureau": {"name_zh": "委办局"}, "street_town": {"name_zh": "街镇"}}}}


def _teams(values: dict[int, tuple], flag: bool | None = None) -> pd.DataFrame:
    """A teams.csv table at 2016-12; ``at_risk`` as given (default: as the default thresholds flag it)."""
    rows = [("2016-12", u, f"Unit {u}", "bureau" if u % 2 else "street_town",
             (v - s > 0 or p < 0.5) if flag is None else flag, float(v), float(s), p)
            for u, (v, s, p) in values.items()]
    return pd.DataFrame(rows, columns=TEAM_COLUMNS)


def _team_runs(report: dict | None = None) -> list[RunFolder]:
    base, scen = _run("base", BASE), _run("scen", SCEN_VALUES)
    base.tables["teams"], scen.tables["teams"] = _teams(BASE_TEAMS), _teams(SCEN_TEAMS, flag=True)
    base.resolved["report"] = report or {}
    return [base, scen]


def test_team_counts_by_hand_reflagged_with_the_baselines_thresholds():
    runs = _team_runs()
    flagged = reflag_teams(runs, Report())
    assert flagged["scen"].set_index("unit_id")["at_risk"].to_dict() == {  # the csv said True throughout
        1: False, 2: True, 3: True, 4: False, 5: False, 6: True}
    table = teams_table(flagged, "base")
    assert table.to_dict("records") == [
        {"scenario": "base", "date": "2016-12", "teams": 6, "at_risk": 3, "newly_at_risk": 0, "no_longer_at_risk": 0},
        {"scenario": "scen", "date": "2016-12", "teams": 6, "at_risk": 3, "newly_at_risk": 1, "no_longer_at_risk": 1}]
    stricter = teams_table(reflag_teams(runs, Report(risk={"young_target_probability": 0.6})), "base")
    assert stricter[["at_risk", "newly_at_risk", "no_longer_at_risk"]].values.tolist() == [[3, 0, 0], [4, 2, 1]]


def test_teams_that_change_most_flag_first_then_shortfall_then_young_target():
    flagged = reflag_teams(_team_runs(), Report())
    changes = team_changes(flagged, "base", top=10)
    # flag changes (3: +4, 1: -2) first, then by |shortfall change| (6: 3), then by |P change| (2, then 4); 5 is
    # unchanged and left out
    assert changes["unit_id"].tolist() == [3, 1, 6, 2, 4]
    assert changes["rank"].tolist() == [1, 2, 3, 4, 5]
    first = changes.iloc[0]
    assert (first["at_risk_baseline"], first["at_risk"]) == (False, True)
    assert (first["shortfall_baseline"], first["shortfall"], first["shortfall_change"]) == (-3, 1, 4)
    assert changes.set_index("unit_id").loc[2, "young_target_met_change"] == pytest.approx(0.15)
    assert team_changes(flagged, "base", top=3)["unit_id"].tolist() == [3, 1, 6]
    assert team_changes({"scen": flagged["scen"]}, "base", top=3).empty  # no baseline teams, nothing to compare


def _with_teams(folder: Path, teams: pd.DataFrame, report: dict | None = None) -> Path:
    """Add teams.csv and a report section (and Chinese unit type names) to a hand-made results folder."""
    teams.to_csv(folder / "teams.csv", index=False)
    resolved = yaml.safe_load((folder / "scenario.resolved.yaml").read_text())
    (folder / "scenario.resolved.yaml").write_text(yaml.safe_dump({**resolved, **ZH_UNITS, "report": report or {}}))
    return folder


def test_compare_writes_team_tables_and_report_section(tmp_path):
    a = _with_teams(_write_folder(tmp_path / "a", "a"), _teams(BASE_TEAMS), {"top_teams": 3})
    own = _teams(SCEN_TEAMS).assign(at_risk=lambda d: d["at_risk"] | (d["young_target_met"] < 0.6))
    b = _with_teams(_write_folder(tmp_path / "b", "b"), own, {"risk": {"young_target_probability": 0.6}})
    c = _write_folder(tmp_path / "c", "c")  # a run without teams.csv
    comp = compare([a, b, c])
    assert any(n.startswith("teams.csv missing in c: its teams are left out") for n in comp.notes)
    assert any(n.startswith("b: its own at-risk thresholds") and "young_target_probability: 0.6" in n
               for n in comp.notes)
    out = write_comparison(comp, tmp_path / "out")
    table = pd.read_csv(out / "teams_comparison.csv", dtype={"date": str})
    assert table[["scenario", "teams", "at_risk", "newly_at_risk", "no_longer_at_risk"]].values.tolist() == [
        ["a", 6, 3, 0, 0], ["b", 6, 3, 1, 1]]  # b's own flags say 4: counted with a's thresholds
    changes = pd.read_csv(out / "teams_changes.csv")
    assert changes["unit_id"].tolist() == [3, 1, 6] and set(changes["scenario"]) == {"b"}  # a's top_teams: 3
    text = (out / "report.html").read_text(encoding="utf-8")
    section = text[text.index(">Teams at risk</h2>"):text.index(">What differs from the baseline</h2>")]
    assert "3 of 6" in section and "1 newly, 1 no longer at risk" in section and "below 50%" in section
    assert "b: teams that change most" in section and "c: teams" not in section
    assert "<td>Unit 3</td><td>bureau</td><td>no → yes</td><td>−3.0 → 1.0</td><td>90% → 90%</td>" in section
    assert "Unit 4" not in section and "Unit 5" not in section
    zh = (write_comparison(compare([a, b], lang="zh"), tmp_path / "zh") / "report.html").read_text(encoding="utf-8")
    assert ">存在风险的班子</h2>" in zh and "6个中3个" in zh and "<td>Unit 1</td><td>委办局</td><td>是 → 否</td>" in zh


def test_compare_without_teams_has_no_team_tables_but_a_note(tmp_path):
    a, b = _write_folder(tmp_path / "a", "a"), _write_folder(tmp_path / "b", "b")
    comp = compare([a, b])
    assert "teams" not in comp.tables
    assert any(n.startswith("teams.csv missing in a, b") for n in comp.notes)
    out = write_comparison(comp, tmp_path / "out")
    assert not (out / "teams_comparison.csv").exists() and (out / "comparison.csv").is_file()
    assert "Teams at risk" not in (out / "report.html").read_text(encoding="utf-8")


def test_a_young_target_gained_or_lost_is_the_largest_young_target_change():
    base, scen = _team_runs()
    base.tables["teams"].loc[base.tables["teams"]["unit_id"] == 5, "young_target_met"] = float("nan")  # no target
    changes = team_changes(reflag_teams([base, scen], Report()), "base", top=10)
    assert changes["unit_id"].tolist() == [3, 1, 6, 5, 2, 4]  # 5: no target -> 90%, before 2 (+0.15)


def test_without_teams_the_report_section_is_not_read(tmp_path):
    a, b = _write_folder(tmp_path / "a", "a"), _write_folder(tmp_path / "b", "b")
    resolved = yaml.safe_load((a / "scenario.resolved.yaml").read_text())
    (a / "scenario.resolved.yaml").write_text(yaml.safe_dump({**resolved, "report": {"future_key": 1}}))
    assert "teams" not in compare([a, b]).tables


def test_invalid_report_section_is_an_input_error(tmp_path):
    a = _with_teams(_write_folder(tmp_path / "a", "a"), _teams(BASE_TEAMS), {"top_teams": 0})
    b = _write_folder(tmp_path / "b", "b")
    with pytest.raises(InputError, match="invalid report settings: top_teams"):
        compare([a, b])


# --- end to end ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """baseline and youth2 on the default seed (paired), youth2 on another seed (not paired).

    Used by one test only, so that pytest-xdist workers do not each run it."""
    root = tmp_path_factory.mktemp("runs")
    jobs = [("baseline", "baseline", []), ("youth2", "youth2", []), ("youth2_seed7", "youth2", ["--seed", "7"])]
    procs = [subprocess.Popen([sys.executable, "-m", "cadresim", "run", str(SCEN / f"{scen}.yaml"), "--districts", "2", "-r", "2",
                               "-q",
                               "--no-events", "--no-plots", "-o", str(root / name), *extra], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for name, scen, extra in jobs]
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
        "differences.png", "pipeline.png", "nonleading.png", "grade_mix.png", "eligible_pool.png", "binding_rules.png",
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


def test_notes_about_one_run_have_their_chinese_text():
    from cadresim.analysis.compare import _run_note_zh

    assert _run_note_zh("youth2", "its own at-risk thresholds (report.risk.x: 1) differ from base's (2): its "
                        "teams are counted with base's", "base").startswith("youth2：其团队风险阈值与基准（base）不同")
    assert _run_note_zh("youth2", "run warning: cohort c2: asked for 50", "base") == \
        "youth2：运行警告（原文）：cohort c2: asked for 50"
    assert _run_note_zh("mine", "roster: 是/否 read as 24 months", "base").startswith("mine：名册读取说明（原文）")
