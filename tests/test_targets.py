"""Targets: the grammar, checks at load time, P(target met) and its intervals, and run/compare output.

Intervals: without districts, the Wilson interval (checked against scipy's binomtest to 1e-9); with
districts, the same Wilson interval when the districts agree (design effect 1), wider when they differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli
from scipy.stats import binomtest

from cadresim import load_scenario, scenario_from_dict
from cadresim.analysis.targets import check_target_metrics, design_effect, probability, target_rows, wilson
from cadresim.errors import InputError
from cadresim.scenario.targets import Target, parse_target

ROOT = Path(__file__).resolve().parents[1]
YOUTH2 = ROOT / "scenarios" / "youth2.yaml"
SHORT_SETS = ["--set", "end=2015-06", "--set", "reshuffle.dates=[]", "--set", "snapshots=[2015-06]", "--districts",
              "2"]


@pytest.mark.parametrize("text, want", [
    ("post80_section_eligible_strict@2016-12 >= 10", Target("post80_section_eligible_strict", "2016-12", ">=", 10)),
    ("reshuffle_fill_rate@2016-12>0.98", Target("reshuffle_fill_rate", "2016-12", ">", 0.98)),
    (" post80_division_level @ 2016-3 <= 4.5 ", Target("post80_division_level", "2016-03", "<=", 4.5)),
])
def test_grammar_reads_metric_date_op_number(text, want):
    assert parse_target(text) == want


@pytest.mark.parametrize("text", ["post80@2016-12 => 1", "post80 >= 1", "post80@2016-13 >= 1", "a@2016-12 >= x",
                                  "a@2016-12 >= nan", ""])
def test_grammar_refuses_malformed_targets(text):
    with pytest.raises(ValueError):
        parse_target(text)


def test_met_compares_and_a_missing_value_does_not_meet():
    t = parse_target("m@2016-12 < 3")
    assert t.met(2.9) and not t.met(3) and not t.met(float("nan"))


def test_load_names_file_key_and_value_for_bad_syntax_and_dates(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("extends: %s\nreport:\n  targets: ['x >= 1', 'post80_division_level@2016-11 >= 1']\n" % YOUTH2)
    with pytest.raises(InputError) as e:
        load_scenario(f)
    shown = [str(p) for p in e.value.problems]
    assert any("report.targets[0]" in s and str(f) in s for s in shown)
    assert any("report.targets[1]" in s and "2014-03, 2016-12" in s for s in shown)


def test_unknown_metric_lists_the_known_ones():
    sc = scenario_from_dict({"report": {"targets": ["post80_eligible@2014-03 >= 1"]}})
    with pytest.raises(InputError) as e:
        check_target_metrics(sc, "s.yaml")
    assert "report.targets[0]" in str(e.value) and "post80_section_eligible" in str(e.value)


def test_report_changes_no_simulated_number():
    from cadresim.scenario.loader import scenario_hash

    a = scenario_from_dict({})
    b = scenario_from_dict({"report": {"targets": ["post80_division_level@2014-03 >= 1"]}})
    assert scenario_hash(a) == scenario_hash(b)


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (62, 100)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(method="wilson")
    assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_probability_without_groups_is_plain_wilson_and_with_agreeing_districts_the_same():
    met = np.array([1, 0, 1, 1] * 5, dtype=bool)
    plain = probability(met)
    assert plain.method == "wilson" and plain.p == 0.75
    same = probability(met, groups=np.repeat(np.arange(5), 4))  # every district 3 of 4
    assert same.method == "wilson-design-effect" and (same.low, same.high) == pytest.approx((plain.low, plain.high))


def test_clustered_districts_widen_the_interval():
    met = np.array([1] * 10 + [0] * 10 + [1] * 10 + [1] * 10, dtype=bool)
    groups = np.repeat(np.arange(4), 10)
    assert design_effect(met, groups) > 5
    wide, plain = probability(met, groups), probability(met)
    assert wide.p == plain.p and wide.low < plain.low and wide.high >= plain.high and wide.groups == 4


def test_target_rows_read_a_long_replications_table():
    table = pd.DataFrame({"replication": range(4), "metric": "m", "date": "2016-12", "value": [1, 5, 7, 9],
                          "district": [0, 0, 1, 1]})
    row = target_rows("s", [parse_target("m@2016-12 >= 5")], table).iloc[0]
    assert (row["met"], row["n"], row["probability"], row["districts"]) == (3, 4, 0.75, 2)


@pytest.mark.slow
def test_run_and_compare_report_target_probabilities(tmp_path):
    target = ["--set", "report.targets=['post80_division_entries_youth_talent@2015-06 >= 7']"]
    for name, size in (("a", 0), ("b", 80)):
        res = cli("run", YOUTH2, "-r", "3", *SHORT_SETS, *target, "--set", f"youth_talent.cohorts.c2.size={size}",
                  "--set", f"name={name}", "-o", tmp_path / name, "--no-plots", "--no-events")
        assert res.returncode == 0, res.stderr
        assert "of futures" in res.stdout
        assert (tmp_path / name / "targets.csv").is_file()
    res = cli("compare", tmp_path / "a", tmp_path / "b", "-o", tmp_path / "c")
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "c" / "targets.csv")
    assert list(table["scenario"]) == ["a", "b"] and "met in a in" in res.stdout
    assert "Targets" in (tmp_path / "c" / "report.html").read_text()


def test_cli_refuses_an_unknown_target_metric(tmp_path):
    res = cli("validate", YOUTH2, "--set", "report.targets=['nope@2016-12 >= 1']")
    assert res.returncode == 2 and "unknown metric" in res.stderr and "report.targets[0]" in res.stderr
