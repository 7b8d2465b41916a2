"""Target search: the pure search against closed-form models, then `cadresim target` on a tiny scenario.

Tolerances: an integer lever's answer is exact (the toy models' noise is paired, so it cancels in the
comparison with the goal); a float lever's answer lies within the lattice's tolerance above the true
threshold.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import cli

from cadresim.analysis.threshold import Goal, Lattice, full_budget, minimum_budget, search
from cadresim.scenario.targets import parse_target

ROOT = Path(__file__).resolve().parents[1]
YOUTH2 = ROOT / "scenarios" / "youth2.yaml"
SHORT = ["--set", "end=2016-06", "--set", "reshuffle.dates=[]", "--set", "snapshots=[2016-06]", "--set", "district.districts=2"]
NOISE = np.random.default_rng(7).normal(0, 1, 30)
NOISE -= NOISE.mean()  # the mean of every point is exactly its signal


def linear(slope: float, low: int = 0):
    """Lattice index k (lever value low + k) -> slope * value + paired noise."""
    return lambda ks: {k: slope * (low + k) + NOISE for k in ks}


def goal(text: str, probability: float | None = None) -> Goal:
    return Goal(parse_target(text), probability)


def test_integer_threshold_of_a_rising_metric_is_the_smallest_value_meeting_it():
    # 2 * v >= 73  <=>  v >= 36.5: the smallest integer is 37 (and 36 misses)
    res = search(linear(2.0), Lattice.of(0, 100, True), goal("m@2016-12 >= 73"), 30)
    assert res.status == "found" and res.smallest
    assert res.answer.value == 37 and res.neighbour.value == 36
    assert res.runs <= full_budget(30, Lattice.of(0, 100, True))


def test_a_falling_metric_gives_the_largest_value_meeting_the_goal():
    # -2 * v >= -73  <=>  v <= 36.5: the largest integer is 36
    res = search(linear(-2.0), Lattice.of(0, 100, True), goal("m@2016-12 >= -73"), 30)
    assert res.status == "found" and not res.smallest and res.direction == -1
    assert res.answer.value == 36 and res.neighbour.value == 37


def test_float_threshold_is_found_within_the_tolerance():
    lattice = Lattice.of(0.0, 4.0, False, tolerance=0.01)
    res = search(lambda ks: {k: lattice.value(k) ** 2 + NOISE for k in ks}, lattice, goal("m@2016-12 >= 5"), 30)
    assert res.status == "found"
    assert math.sqrt(5) <= res.answer.value < math.sqrt(5) + lattice.tolerance + 1e-12


def test_probability_goal_uses_the_share_of_futures():
    # value = v + noise_i; P(v + noise >= 50) >= 0.8 needs v >= 50 - q_0.2(noise)
    res = search(linear(1.0), Lattice.of(0, 100, True), goal("m@2016-12 >= 50", 0.8), 30)
    shares = {v: np.mean(v + NOISE >= 50) for v in range(101)}
    assert res.answer.value == min(v for v, s in shares.items() if s >= 0.8)


def test_goal_out_of_reach_is_said_plainly():
    res = search(linear(1.0), Lattice.of(0, 100, True), goal("m@2016-12 >= 500"), 30)
    assert res.status == "unreachable" and res.answer is None


def test_goal_met_throughout_gives_the_end_of_the_range():
    res = search(linear(1.0), Lattice.of(10, 100, True), goal("m@2016-12 >= 0"), 30)
    assert res.status == "found" and res.answer.value == 10


def test_a_metric_that_does_not_move_one_way_stops_the_search_with_the_grid():
    res = search(lambda ks: {k: 10 * math.sin(k / 15) + NOISE for k in ks}, Lattice.of(0, 100, True),
                 goal("m@2016-12 >= 5"), 30)
    assert res.status == "not_monotone" and len(res.points) == 5 and "direction" in res.message


def test_the_budget_bounds_the_runs_and_reports_the_bracket():
    lattice = Lattice.of(0, 1000, True)
    res = search(linear(1.0), lattice, goal("m@2016-12 >= 373.5"), 10, budget=minimum_budget(10, lattice) + 20)
    assert res.status == "budget" and res.runs <= minimum_budget(10, lattice) + 20
    assert res.bracket[0] < 374 <= res.bracket[1] and res.answer.value >= 374
    with pytest.raises(ValueError):
        search(linear(1.0), lattice, goal("m@2016-12 >= 5"), 10, budget=minimum_budget(10, lattice) - 1)


# --- the command ------------------------------------------------------------------------------------------

GOAL = "post80_division_entries_youth_talent@2016-06 >= 8"  # cohort 2 is back from its secondment


@pytest.mark.slow
def test_cadresim_target_finds_the_cohort_size_and_resumes(tmp_path):
    args = ["target", YOUTH2, "--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", GOAL, "-r", "4", *SHORT,
            "-o", tmp_path / "t", "-q"]
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert manifest["status"] == "found" and isinstance(manifest["answer"], int)
    assert (tmp_path / "t" / "plots" / "target.png").is_file() and "smallest" in first.stdout
    points = (tmp_path / "t" / "points.csv").read_text()
    (tmp_path / "t" / "manifest.json").unlink()
    for run in sorted((tmp_path / "t" / "runs").glob("*.json"))[::2]:
        run.unlink()  # as if killed midway
    again = cli(*args)
    assert again.returncode == 0 and (tmp_path / "t" / "points.csv").read_text() == points


@pytest.mark.slow
def test_an_unreachable_goal_exits_1_with_a_plain_message(tmp_path):
    res = cli("target", YOUTH2, "--vary", "youth_talent.cohorts.c2.size=0..80", "--goal",
              "post80_division_entries_youth_talent@2016-06 >= 500", "-r", "1", *SHORT, "-o", tmp_path / "t", "-q")
    assert res.returncode == 1 and "not reachable" in res.stderr


@pytest.mark.parametrize("args, said", [
    (["--vary", "nope.size=0..80", "--goal", GOAL], "--vary nope.size"),
    (["--vary", "youth_talent.cohorts.c2.size=-5..80", "--goal", GOAL], "greater than or equal to 0"),
    (["--vary", "youth_talent.cohorts.c2.size=80..10", "--goal", GOAL], "low < high"),
    (["--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", "foo@2015-06 >= 7"], "unknown metric"),
    (["--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", "post80_division_level@2015-05 >= 7"],
     "no metrics are taken at 2015-05"),
    (["--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", "post80_division_level >= 7"], "metric@YYYY-MM"),
    (["--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", GOAL, "--budget", "3"], "--budget"),
    (["--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", GOAL, "--probability", "1.5"], "--probability"),
])
def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path, args, said):
    res = cli("target", YOUTH2, *args, "-r", "2", *SHORT, "-o", tmp_path / "t")
    assert res.returncode == 2 and said in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "t").exists()
