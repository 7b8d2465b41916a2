"""Sensitivity: the methods against a toy model with a known ranking, then `cadresim sensitivity`.

Toy model y = 4 x1 + x2 + 0 x3 over [0, 1]^3. Morris: mu* is exactly 4, 1, 0 (a linear model has the
same elementary effect everywhere; tolerance 1e-9). Sobol: S1 = ST = 16/17, 1/17, 0 (variance shares
of 16/12 and 1/12); tolerance 0.05 for x1, 0.03 for x2, 0.01 for x3 with 512 base samples.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli

from cadresim import load_scenario, with_overrides
from cadresim.analysis.sensitivity import sensitivity
from cadresim.analysis.sensitivity_methods import DUMMY, Factor, sample, sensitivity_of
from cadresim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
YOUTH2 = ROOT / "scenarios" / "youth2.yaml"
SHORT_SETS = ["--set", "end=2015-06", "--set", "reshuffle.dates=[]", "--set", "snapshots=[2015-06]"]
SHORT = {"end": "2015-06", "reshuffle.dates": [], "snapshots": ["2015-06"]}
TOY = [Factor("x1", 0, 1), Factor("x2", 0, 1), Factor("x3", 0, 1)]


def toy(v):
    return 4 * v["x1"] + v["x2"] + 0 * v["x3"]


def test_morris_ranks_the_toy_model_and_gives_its_effects():
    ind = sensitivity_of(toy, TOY, "morris", size=10)
    assert list(ind["factor"][:2]) == ["x1", "x2"]
    got = ind.set_index("factor")["mu_star"]
    assert got["x1"] == pytest.approx(4, abs=1e-9) and got["x2"] == pytest.approx(1, abs=1e-9)
    assert got["x3"] == pytest.approx(0, abs=1e-9) and got[DUMMY] == pytest.approx(0, abs=1e-9)


def test_sobol_gives_the_toy_models_variance_shares():
    ind = sensitivity_of(toy, TOY, "sobol", size=512).set_index("factor")
    assert ind.loc["x1", "S1"] == pytest.approx(16 / 17, abs=0.05)
    assert ind.loc["x2", "S1"] == pytest.approx(1 / 17, abs=0.03)
    assert ind.loc["x1", "ST"] == pytest.approx(16 / 17, abs=0.05)
    assert abs(ind.loc["x3", "ST"]) < 0.01 and abs(ind.loc[DUMMY, "ST"]) < 0.01
    assert (ind[["S1_conf", "ST_conf"]] >= 0).all().all()


def test_integer_factors_take_integer_values_in_range():
    x = sample([Factor("n", 0, 80, True), Factor("r", 0.0, 1.0)], "morris", 6)
    assert np.array_equal(x[:, 0], np.round(x[:, 0])) and x[:, 0].min() >= 0 and x[:, 0].max() <= 80


@pytest.mark.slow
def test_scenario_sensitivity_is_the_same_for_any_jobs_and_ranks_the_two_posts_rule_first():
    # by 2015-06 the rule moves the eligible pool at once; a small nudge to rotation barely does
    base = with_overrides(load_scenario(YOUTH2), SHORT)
    params = {"grades.deputy_division.posts_held_below": (1, 2), "rotation.cross_unit_rate": (0.05, 0.1)}
    metric = "post80_section_eligible@2015-06"
    one = sensitivity(base, params, [metric], size=4, replications=2)
    two = sensitivity(base, params, [metric], size=4, replications=2, jobs=2)
    pd.testing.assert_frame_equal(one.indices, two.indices)
    assert one.indices.iloc[0]["factor"] == "grades.deputy_division.posts_held_below"
    assert one.indices.set_index("factor").loc[DUMMY, "mu_star"] == 0  # paired: an inert factor moves nothing


@pytest.mark.slow
def test_cadresim_sensitivity_writes_its_folder(tmp_path):
    res = cli("sensitivity", YOUTH2, "--param", "youth_talent.cohorts.c2.size=0,80", "--metric",
              "post80_division_entries_youth_talent@2015-06", "--trajectories", "4", "-r", "2", *SHORT_SETS,
              "-o", tmp_path / "s")
    assert res.returncode == 0, res.stderr
    folder = tmp_path / "s"
    for name in ("indices.csv", "report.md", "sensitivity.json", "table.csv", "design.json"):
        assert (folder / name).is_file(), name
    assert list((folder / "plots").glob("sensitivity_*.png"))
    assert json.loads((folder / "sensitivity.json").read_text())["method"] == "morris"
    assert "most influential" in res.stdout or "no parameter" in res.stdout


@pytest.mark.parametrize("args, said", [
    (["--param", "nope.size=0,80"], "--param nope.size"),
    (["--param", "youth_talent.cohorts.c2.size=-5,80"], "greater than or equal to 0"),
    (["--param", "selection.assessment_noise=0.1,0.5", "--metric", "foo@2015-06"], "unknown metric"),
    (["--param", "selection.assessment_noise=0.1,0.5", "--metric", "post80_division_level@2015-05"],
     "no metrics are taken"),
    (["--param", "selection.assessment_noise=0.1,0.5", "--trajectories", "2"], "at least 4"),
    (["--param", "selection.assessment_noise=0.1,0.5", "--budget", "10"], "--budget"),
    (["--param", "selection.assessment_noise=0.1,0.5", "--method", "fast"], "--method"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, said):
    metric = [] if "--metric" in args else ["--metric", "post80_division_level@2015-06"]
    res = cli("sensitivity", YOUTH2, *args, *metric, "-r", "2", *SHORT_SETS, "-o", tmp_path / "s")
    assert res.returncode == 2 and said in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()


def test_the_api_refuses_bad_input_before_running(tmp_path):
    base = with_overrides(load_scenario(YOUTH2), SHORT)
    with pytest.raises(InputError):
        sensitivity(base, {"nope": (0, 1)}, ["post80_division_level@2015-06"], output=tmp_path / "s")
    assert not (tmp_path / "s").exists()
