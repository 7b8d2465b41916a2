"""Realized rates against the parameters that set them (cadresim.validation.rates).

Each check's tolerance is stated in its text: 4 standard errors of the mean over replications for the
rotation shares, 4 binomial standard errors for probation failures and other exits, 0 for the counts
no draw decides. A check must also fail when its parameter is wrong: the last test compares the same
runs with parameters off by half.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cadresim import load_scenario, with_overrides
from cadresim.engine.districts import one_roster as generate
from cadresim.engine.schedule import simulate
from cadresim.processes import rotation
from cadresim.validation import rates

pytestmark = pytest.mark.validation
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def assert_all(checks):
    assert checks
    failed = [str(c) for c in checks if not c.passed]
    assert not failed, "\n".join(failed)


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    return scenario, rates.tallies(scenario, generate(scenario), 20, 11)


def test_realized_rates_of_the_baseline_match_their_parameters(baseline):
    assert_all(rates.rate_checks(*baseline))


@pytest.mark.slow
def test_targeted_rotation_across_unit_types_moves_its_rate_too():
    scenario = load_scenario(SCENARIOS / "rotation.yaml")
    checks = rates.rate_checks(scenario, rates.tallies(scenario, generate(scenario), 10, 11))
    assert_all([c for c in checks if "rotation" in c.check])


def test_the_checks_fail_for_rates_off_by_half(baseline):
    scenario, counted = baseline
    wrong = with_overrides(scenario, {"rotation.cross_unit_rate": 0.025, "rotation.internal_rate": 0.04,
                                      "grades.staff.exit_rate": 0.015, "grades.section.exit_rate": 0.0075,
                                      "probation.fail_rate": 0.01, "secondment.count": 5,
                                      "secondment.months": 9})
    failed = [c.check for c in rates.rate_checks(wrong, counted) if not c.passed]
    for words in ("across units", "within their unit", "from staff", "from section ", "probation",
                  "number seconded", "did not last"):
        assert any(words in text for text in failed), words


def test_the_replayed_rotation_pool_is_the_engines(monkeypatch):
    # the engine's voluntary pool is the order its first quota walk goes down each April
    pools = {}
    original = rotation.fill_quota

    def recording(run, now, order, quota, moved, plan, purpose):
        pools.setdefault(now, len(order))
        original(run, now, order, quota, moved, plan, purpose)

    monkeypatch.setattr(rotation, "fill_quota", recording)
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    roster = generate(scenario)
    counted = rates.tally(scenario, roster, simulate(scenario, roster, 3, 0).events)
    assert len(pools) == 4 and counted.rotation_pool == sum(pools.values())


def test_other_exits_are_counted_over_the_months_at_risk():
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    roster = generate(scenario)
    counted = rates.tally(scenario, roster, simulate(scenario, roster, 3, 0).events)
    months = scenario.end_month - scenario.start_month + 1
    present = np.bincount([scenario.ladder.index(g) for g in roster.cadres["grade"]], minlength=6)
    # about the start stock for every month (the district's posts are all held at the start)
    assert np.all(np.abs(counted.at_risk / months - present) < 0.1 * present)
