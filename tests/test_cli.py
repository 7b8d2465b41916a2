"""The command line end to end: run, validate, schema, bad input, atomic results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"




@pytest.fixture(scope="module")
def youth2_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "youth2"
    proc = cli("run", SCEN / "youth2.yaml", "--districts", 2, "-r", 2, "-j", 2, "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_run_writes_every_result_file(youth2_run):
    out, proc = youth2_run
    for name in ["summary.csv", "replications.csv", "timeseries.csv", "eligibility.csv", "ages.csv", "pool.csv",
                 "events.parquet", "scenario.resolved.yaml", "manifest.json"]:
        assert (out / name).is_file(), name
    pngs = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert pngs == ["age_pyramids.png", "binding_rules.png", "headline_metrics.png", "nonleading_stocks.png",
                    "pipeline_stocks.png",
                    "teams.png"]
    teams = pd.read_csv(out / "teams.csv")
    assert len(teams) == 53 and teams["date"].unique().tolist() == ["2016-12"]
    assert teams["risk_rank"].tolist() == list(range(1, 54))
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n", "n_districts",
                                     "between_share"]
    assert set(summary["date"]) == {"2014-03", "2016-12"}
    at_start = set(summary.loc[summary["date"] == "2014-03", "metric"])
    assert "reshuffle_fill_rate" not in at_start and "post80_division_level" in at_start
    assert "youth_talent_promoted_share_c2" in set(summary.loc[summary["date"] == "2016-12", "metric"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 4 and manifest["replications_per_district"] == 2
    assert manifest["jobs"] == 2 and len(manifest["scenario_hash"]) == 16
    assert [d["district"] for d in manifest["districts"]] == [0, 1] and manifest["districts_tried"] >= 2
    events = pd.read_parquet(out / "events.parquet")
    assert {"replication", "district", "chain_id", "event"} <= set(events.columns)
    assert sorted(events["replication"].unique()) == [0, 1, 2, 3]
    assert "Division-level holders born in the 1980s" in proc.stdout and "Dec 2016" in proc.stdout  # as the report
    assert "post80_division_level" not in proc.stdout and "youth2: outcome" not in proc.stdout  # labels, the title


@pytest.mark.slow
def test_run_prints_its_summary_in_chinese_with_shares_in_percent(tmp_path):
    proc = cli("run", SCEN / "baseline.yaml", "--districts", 2, "-r", 1, "-o", tmp_path / "zh", "--no-events",
               "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    assert "现行做法：结果指标" in proc.stdout and "80后处级干部人数" in proc.stdout and "2016年12月" in proc.stdout
    share = next(line for line in proc.stdout.splitlines() if "正处级干部中70后的比例" in line)
    value = float(share.split("│")[3].split()[0])
    assert "%" in share and 5 < value < 40  # a share in percent (17.4), not a fraction (0.17)
    assert cli("run", SCEN / "baseline.yaml", "-o", tmp_path / "x", "--lang", "fr").returncode == 2


@pytest.mark.slow
def test_same_command_same_results_for_any_job_count(youth2_run, tmp_path):
    out, _ = youth2_run
    proc = cli("run", SCEN / "youth2.yaml", "--districts", 2, "-r", 2, "-j", 1, "-o", tmp_path / "j1", "-q")
    assert proc.returncode == 0, proc.stderr
    for name in ["summary.csv", "replications.csv", "timeseries.csv", "eligibility.csv"]:
        assert (out / name).read_bytes() == (tmp_path / "j1" / name).read_bytes(), name
    a = pd.read_parquet(out / "events.parquet")
    b = pd.read_parquet(tmp_path / "j1" / "events.parquet")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("text, needle", [
    ("rotaton: {}\n", "did you mean 'rotation'"),
    ("district:\n  units:\n    bureau:\n      posts: {staff: -1}\n", "district.units.bureau.posts.staff"),
    ("grades:\n  section: {age_ceiling: 20}\n", "grades.section.age_ceiling"),
    ("reshuffle:\n  dates: [2013-12]\n", "reshuffle.dates[0]"),
    ("snapshots: [2030-01]\n", "snapshots[0]"),
    ("rotation: [unclosed\n", "not valid YAML"),
    ("!!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ("extends: missing.yaml\n", "does not exist"),
])
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, text, needle):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    out = tmp_path / "out"
    proc = cli("run", bad, "-r", 1, "-o", out)
    assert proc.returncode == 2
    assert needle in proc.stderr and "bad.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_error_messages_are_not_broken_inside_a_long_path(tmp_path):
    bad = tmp_path / ("a_long_folder_name_" * 6) / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("rotaton: {}\n")
    proc = cli("run", bad, "-r", 1, "-o", tmp_path / "out")
    assert proc.returncode == 2 and f"{bad}: rotaton: unknown key" in proc.stderr


def test_extends_cycle_is_an_input_error(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    proc = cli("validate", tmp_path / "a.yaml")
    assert proc.returncode == 2 and "cycle" in proc.stderr


def test_set_overrides_and_validate(tmp_path):
    proc = cli("validate", SCEN / "youth2.yaml", "--set", "youth_talent.cohorts.c2.size=60")
    assert proc.returncode == 0 and "valid" in proc.stdout
    proc = cli("validate", SCEN / "youth2.yaml", "--set", "youth_talent.cohorts.c2.sise=60")
    assert proc.returncode == 2 and "--set" in proc.stderr and "did you mean 'size'" in proc.stderr


def test_schema_is_json_schema():
    proc = cli("schema")
    schema = json.loads(proc.stdout)
    assert proc.returncode == 0 and "properties" in schema and "grades" in schema["properties"]


def test_teams_command_lists_the_riskiest(youth2_run):
    out, _ = youth2_run
    proc = cli("teams", out, "--top", 4)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Bureau") + proc.stdout.count("Street/Town") == 4
    missing = cli("teams", out.parent / "nowhere")
    assert missing.returncode == 2 and "not a results folder" in missing.stderr


COMMANDS = [["run"], ["validate"], ["schema"], ["compare"], ["sweep"], ["plot-sweep"], ["teams"],
            ["roster", "template"], ["roster", "export"], ["roster", "check"], ["roster", "bench"]]


@pytest.mark.parametrize("command", [[], ["roster"], *COMMANDS])
def test_help_names_values_by_metavars_never_by_type(command):
    import re

    proc = cli(*command, "--help")
    assert proc.returncode == 0 and "Usage" in proc.stdout
    assert not re.search(r"<(bool|int|str|path|float|list\[\w+\]|int range)>|\{[a-z_]+\}", proc.stdout), proc.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_examples_in_its_help(command):
    proc = cli(*command, "--help")
    assert "Examples" in proc.stdout and f"cadresim {' '.join(command)} " in proc.stdout


def test_version():
    from cadresim import __version__

    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"cadresim {__version__}"


@pytest.mark.parametrize("command", [["compare", "a", "b"], ["sweep", SCEN / "youth2.yaml"], ["plot-sweep", "x"]])
def test_a_metric_typo_gets_a_suggestion_everywhere(command, tmp_path):
    proc = cli(*command, "--metric", "reshuffle_fill_rate,post80_divison_level", "-o" if command[0] != "plot-sweep"
               else "--date", tmp_path / "o" if command[0] != "plot-sweep" else "2016-12")
    assert proc.returncode == 2 and "did you mean 'post80_division_level'" in proc.stderr
    assert "reshuffle_fill_rate" not in proc.stderr and not (tmp_path / "o").exists()


def test_the_metric_option_repeats_takes_lists_and_keeps_the_old_compare_name():
    from cadresim.cli.common import split_metrics

    assert split_metrics(["a,b", " c ", "a"]) == ["a", "b", "c"]
    proc = cli("compare", "a", "b", "--metrics", "post80_divison_level")
    assert proc.returncode == 2 and "did you mean" in proc.stderr


def test_a_tab_in_yaml_is_named_as_a_tab(tmp_path):
    bad = tmp_path / "tab.yaml"
    bad.write_text("rotation:\n\tcross_unit_rate: 0.1\n")
    proc = cli("validate", bad)
    assert proc.returncode == 2 and "line 2, column 1: not valid YAML: a tab character" in proc.stderr
    assert "!!python" not in proc.stderr


def test_the_extends_line_a_roster_template_offers_works_when_uncommented(tmp_path):
    from cadresim import load_scenario

    proc = cli("roster", "template", tmp_path / "mydept")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "mydept" / "scenario.yaml").read_text(encoding="utf-8")
    assert "# extends: " in text
    (tmp_path / "mydept" / "scenario.yaml").write_text(text.replace("# extends:", "extends:"), encoding="utf-8")
    assert load_scenario(tmp_path / "mydept" / "scenario.yaml").name == "own_roster"


def test_every_shipped_scenario_loads():
    from cadresim import load_scenario

    names = {p.name: load_scenario(p) for p in sorted(SCEN.rglob("*.yaml"))}
    assert {"baseline.yaml", "youth2.yaml", "rotation.yaml", "youth2_rotation.yaml", "long_view.yaml"} <= set(names)
    assert names["youth2.yaml"].youth_talent.cohorts["c2"].size == 40
    assert names["youth2.yaml"].youth_talent.cohorts["c2"].start == "2014-09"
    assert names["rotation.yaml"].rotation.cross_unit_rate == 0.15
    assert names["youth2_rotation.yaml"].rotation.cross_type_share == 0.5
    assert "c2" in names["youth2_rotation.yaml"].youth_talent.cohorts
    assert names["long_view.yaml"].reshuffle.dates == ["2016-12", "2021-12"]


@pytest.mark.slow
def test_a_cohort_larger_than_its_pool_is_a_warning_in_output_and_manifest(tmp_path):
    out = tmp_path / "big"
    proc = cli("run", SCEN / "youth2.yaml", "--districts", 2, "-r", 1, "-o", out, "--no-events",
               "--set", "youth_talent.cohorts.c2.size=500", "--set", "youth_talent.cohorts.c2.age_cap=30")
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "asked for 500 " in proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert any("asked for 500 " in w for w in manifest["warnings"])
    assert not (out / "events.parquet").exists()
