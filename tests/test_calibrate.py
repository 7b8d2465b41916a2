"""Calibration: the optimizer on a toy with a known optimum, the fitted scenario file, the hindcast's
recovery of a known parameter, and the command's refusals of bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from conftest import ROOT, cli
from cadresim.analysis.calibration import Parameter, Target, calibrate, distance, fit_table, loss
from cadresim.errors import InputError
from cadresim.scenario.loader import load_scenario, scenario_from_dict, with_overrides

BASE = scenario_from_dict({})
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _toy(scenario):
    """Five draws around 100 x the staff exit rate, and 10 x the cross-unit rotation rate."""
    x, y = scenario.grades["staff"].exit_rate, scenario.rotation.cross_unit_rate
    return [{"a": 100 * x + k - 2, "b": 10 * y} for k in range(5)]


TOY_PARAMS = [Parameter("grades.staff.exit_rate", 0.0, 0.2), Parameter("rotation.cross_unit_rate", 0.0, 0.5)]
TOY_TARGETS = [Target("a", 9, 11), Target("b", 2, 2.5, share_at_least=0.8)]


def test_toy_optimum_is_found_and_the_search_stops_there():
    fit = calibrate(BASE, TOY_PARAMS, TOY_TARGETS, _toy, budget=80, seed=3)
    assert fit.met and fit.loss == 0
    assert 0.09 <= fit.values["grades.staff.exit_rate"] <= 0.11
    assert 0.2 <= fit.values["rotation.cross_unit_rate"] <= 0.25
    assert len(fit.trials) < 80  # stopped at the first trial meeting every target
    assert fit.trials["trial"].iloc[0] == 0 and fit.trials["grades.staff.exit_rate"].iloc[0] == 0.03  # the base first
    assert list(fit.table["pass"]) == [True, True] and fit.table["share_in_range"].iloc[1] == 1.0


def test_the_same_seed_gives_the_same_trials():
    a = calibrate(BASE, TOY_PARAMS, TOY_TARGETS, _toy, budget=12, seed=5)
    b = calibrate(BASE, TOY_PARAMS, TOY_TARGETS, _toy, budget=12, seed=5)
    assert a.trials.equals(b.trials) and a.values == b.values


def test_loss_is_the_scaled_distance_outside_the_range_plus_the_share_shortfall():
    t = Target("a", 2, 4)
    assert distance(t, np.array([3.0])) == 0
    assert distance(t, np.array([5.0])) == pytest.approx(0.5)  # 1 outside, range width 2
    assert distance(Target("p", 10, 10), np.array([13.0])) == pytest.approx(0.3)  # point: scale 10
    shared = Target("s", 0, 1, share_at_least=0.8)
    assert distance(shared, np.array([0.5, 0.5, 0.5, 2.0])) == pytest.approx(0.05)  # mean in, 75% of 80% in range
    assert distance(shared, np.array([0.0, 0.5, 1.0, 0.9, 1.2])) == 0  # 80% in range
    assert loss([t, Target("b", 0, 1)], {"a": np.array([3.0]), "b": np.array([3.0])}) == pytest.approx(2.0)
    table = fit_table([t], {"a": np.array([2.0, 4.0])})
    assert table["achieved"].iloc[0] == 3.0 and bool(table["pass"].iloc[0])


def test_integer_keys_are_fitted_in_whole_numbers():
    def evaluate(s):
        return {"size": float(s.secondment.count)}

    fit = calibrate(BASE, [Parameter("secondment.count", 0, 40, integer=True)], [Target("size", 12.5, 13.5)],
                    evaluate, budget=60, seed=1)
    assert fit.values["secondment.count"] == 13 and isinstance(fit.values["secondment.count"], int)


def test_bad_setups_are_refused_before_anything_is_evaluated():
    calls = []

    def evaluate(s):
        calls.append(1)
        return {"a": 1.0}

    with pytest.raises(InputError) as e:
        calibrate(BASE, [Parameter("grades.staff.exit_rat", 0, 0.1), Parameter("grades.staff.exit_rate", 0, 1.5),
                         Parameter("name", 0, 1)], [Target("a"), Target("a")], evaluate, budget=0)
    text = str(e.value)
    assert "unknown key" in text and "exit_rate" in text  # the misspelt key, with a suggestion
    assert "--param grades.staff.exit_rate" in text  # 1.5 is not a probability
    assert "--param name" in text and "given twice" in text and "--budget" in text
    assert not calls
    with pytest.raises(ValueError):
        Parameter("grades.staff.exit_rate", 0.2, 0.1)


def test_fitted_scenario_round_trips_through_extends(tmp_path):
    fit = calibrate(BASE, TOY_PARAMS, TOY_TARGETS, _toy, budget=40, seed=3)
    base_file = tmp_path / "base.yaml"
    base_file.write_text("name: base\nrotation: {internal_rate: 0.11}\n", encoding="utf-8")
    text = fit.scenario_yaml("fitted", "base.yaml", command="cadresim calibrate base.yaml ...",
                             fixed={"selection.assessment_noise": 0.3})
    assert text.startswith("# Produced by cadresim calibrate on ") and "#   target" in text
    (tmp_path / "fitted.yaml").write_text(text, encoding="utf-8")
    loaded = load_scenario(tmp_path / "fitted.yaml")
    assert loaded.grades["staff"].exit_rate == fit.values["grades.staff.exit_rate"]
    assert loaded.rotation.cross_unit_rate == fit.values["rotation.cross_unit_rate"]
    assert loaded.rotation.internal_rate == 0.11 and loaded.selection.assessment_noise == 0.3
    (tmp_path / "user.yaml").write_text("name: user\nextends: fitted.yaml\n", encoding="utf-8")
    assert load_scenario(tmp_path / "user.yaml").grades["staff"].exit_rate == fit.values["grades.staff.exit_rate"]
    standalone = yaml.safe_load(fit.scenario_yaml("only", None))
    assert "extends" not in standalone and set(standalone) == {"name", "grades", "rotation"}


@pytest.mark.slow
def test_hindcast_recovers_a_known_staff_exit_rate():
    """Truth: a run of the default district with staff leaving at 8% a year (package default 3%), its end
    state three years on as the later roster; the fit from [0, 0.2] recovers 8% within 0.03."""
    from cadresim.analysis import calibration_hindcast as hc
    from cadresim.engine.schedule import simulate
    from cadresim.io.roster_read import load_roster

    base = scenario_from_dict({"end": "2017-02", "reshuffle": {"dates": []}, "district": {"generator": "calibrated"}})
    earlier = load_roster(base)
    truth = with_overrides(base, {"grades.staff.exit_rate": 0.08})
    later = hc.roster_at_end(simulate(truth, earlier, 999, 0, True), earlier, truth)  # another seed: own noise
    backtest = hc.backtest_from(base, later)
    assert later.start == truth.end_month + 1 and "promotions.section" in backtest.observed
    result = hc.hindcast(base, backtest, [Parameter("grades.staff.exit_rate", 0.0, 0.2)], budget=14,
                         replications=4, seed=1)
    assert abs(result.fit.values["grades.staff.exit_rate"] - 0.08) <= 0.03
    staff_80s = "stock.staff.1980s"  # the largest staff cohort: the exit rate shows there most
    before = result.before.set_index("measure").loc[staff_80s]
    after = result.after.set_index("measure").loc[staff_80s]
    assert abs(after.relative_error) < abs(before.relative_error)
    assert list(result.after.columns) == ["measure", "observed", "simulated", "ci95_low", "ci95_high",
                                          "relative_error"]


def test_the_same_seed_reproduces_the_later_roster_exactly():
    """A run's own end state, measured as a later roster, equals the measures of the same run: the
    two sides of the backtest use one definition."""
    from cadresim.analysis import calibration_hindcast as hc
    from cadresim.engine.schedule import simulate
    from cadresim.io.roster_read import load_roster

    base = scenario_from_dict({"end": "2015-02", "reshuffle": {"dates": []},
                               "district": {"generator": "calibrated", "units": {"bureau": {"count": 6}, "street_town": {"count": 2}}}})
    earlier = load_roster(base)
    result = simulate(hc.hindcast_scenario(base, base.end_month + 1), earlier, 7, 0, True)
    later = hc.roster_at_end(result, earlier, base)
    assert hc.backtest_from(base, later).observed == hc.run_measures(result, base, base.start_month)


# --- the command ----------------------------------------------------------------------------------


def _refused(tmp_path, *args: str) -> str:
    res = cli("calibrate", str(BASELINE), "-o", str(tmp_path / "fit.yaml"), *args)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "fit.yaml").exists() and not (tmp_path / "fit.trials.csv").exists()
    return res.stderr


def test_cli_refuses_bad_input_with_one_message_per_problem(tmp_path):
    text = _refused(tmp_path, "--param", "grades.staff.exit_rat=0.01,0.05", "--param", "grades.staff.exit_rate=0.5,2",
                    "--param", "rotation.cross_unit_rate=0.3,0.1", "--target", "post80_section_eligble@2016-12=1,8",
                    "--target", "post80_division_level@2015-01=0,5", "--target", "nothing=1,2", "--budget", "0")
    assert "6 problem(s)" in text or "7 problem(s)" in text
    assert "unknown key" in text and "--param grades.staff.exit_rate" in text
    assert "low end is above the high end" in text
    assert "did you mean 'post80_section_eligible'" in text
    assert "not a metric date" in text and "unknown target" in text


def test_cli_refuses_a_budget_below_one_and_a_missing_target(tmp_path):
    text = _refused(tmp_path, "--param", "grades.staff.exit_rate=0.01,0.05", "--budget", "0")
    assert "--budget" in text and "give at least one target" in text


def test_cli_refuses_a_broken_later_roster(tmp_path):
    broken = tmp_path / "later.csv"
    broken.write_text("this,is,not\na,roster,file\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("nothing\n", encoding="utf-8")
    text = _refused(tmp_path, "--hindcast", str(broken), "--later-units", str(units),
                    "--param", "grades.staff.exit_rate=0.01,0.05")
    assert "later.csv" in text or "units.csv" in text
    text = _refused(tmp_path, "--hindcast", str(broken), "--param", "grades.staff.exit_rate=0.01,0.05")
    assert "--later-units" in text


def test_cli_never_overwrites_a_file_it_did_not_write(tmp_path):
    (tmp_path / "fit.yaml").write_text("name: mine\n", encoding="utf-8")
    args = ["calibrate", str(BASELINE), "-o", str(tmp_path / "fit.yaml"), "--param",
            "grades.staff.exit_rate=0.01,0.05", "--target", "post80_division_level@2014-03=0,100"]
    assert "already exists" in cli(*args).stderr
    res = cli(*args, "--force")
    assert res.returncode == 2 and "not written by cadresim calibrate" in res.stderr
    assert (tmp_path / "fit.yaml").read_text(encoding="utf-8") == "name: mine\n"


@pytest.mark.slow
def test_cli_fits_writes_the_scenario_and_trials_and_replaces_them_with_force(tmp_path):
    out = tmp_path / "fit.yaml"
    args = ["calibrate", str(BASELINE), "-o", str(out), "--param", "grades.staff.exit_rate=0.01,0.05",
            "--target", "post80_division_level@2014-03=0,100", "-r", "2", "--budget", "3"]
    res = cli(*args)
    assert res.returncode == 0, res.stderr
    assert "every target met" in " ".join(res.stdout.split())  # the console may wrap the line anywhere
    fitted = load_scenario(out)
    assert fitted.grades["staff"].exit_rate == 0.03  # the base meets the target: trial 0 wins, the search stops
    assert (tmp_path / "fit.trials.csv").read_text(encoding="utf-8").startswith("trial,state,loss")
    assert cli(*args).returncode == 2
    assert cli(*args, "--force").returncode == 0


@pytest.mark.slow
def test_cli_hindcast_prints_the_backtest_table(tmp_path):
    from cadresim.analysis import calibration_hindcast as hc
    from cadresim.engine.schedule import simulate
    from cadresim.io.roster_read import load_roster
    from cadresim.io.roster_write import export_roster

    scenario = tmp_path / "small.yaml"
    scenario.write_text("name: small\nend: 2015-02\nreshuffle: {dates: []}\n"
                        "district: {generator: calibrated, units: {bureau: {count: 6}, street_town: {count: 2}}}\n", encoding="utf-8")
    base = load_scenario(scenario)
    earlier = load_roster(base)
    later = hc.roster_at_end(simulate(base, earlier, 3, 0, True), earlier, base)
    export_roster(later, base, tmp_path / "later")
    res = cli("calibrate", str(scenario), "--hindcast", str(tmp_path / "later" / "roster.csv"), "--later-units",
              str(tmp_path / "later" / "units.csv"), "--param", "grades.staff.exit_rate=0.01,0.06", "-r", "2",
              "--budget", "2", "-o", str(tmp_path / "fit.yaml"))
    assert res.returncode == 0, res.stderr
    assert "Backtest" in res.stdout and "stock.staff.1980s" in res.stdout and "promotions.section" in res.stdout
    assert not math.isnan(load_scenario(tmp_path / "fit.yaml").grades["staff"].exit_rate)


def test_help_has_examples_and_names_values_by_metavars():
    import re

    proc = cli("calibrate", "--help")
    assert proc.returncode == 0 and "Examples" in proc.stdout and "cadresim calibrate " in proc.stdout
    assert not re.search(r"<(bool|int|str|path|float|list\[\w+\]|int range)>|\{[a-z_]+\}", proc.stdout), proc.stdout
