"""The engine against manpower theory (docs/model.md), through cadresim.validation.checks.

Statistical checks use a tolerance of 4 standard errors of the mean over the replications (stated in
each check's text); exact identities use 0. These are not pinned-seed regressions: see
tests/test_golden.py for that.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cadresim.validation import checks as validation

pytestmark = pytest.mark.validation
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def assert_all(checks: list[validation.Check]) -> None:
    assert checks
    failed = [str(c) for c in checks if not c.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("name", ["pull_3grades.yaml", "pull_3grades_seniority.yaml", "pull_5grades.yaml",
                                  "pull_5grades_seniority.yaml"])
@pytest.mark.slow
def test_pull_model(name):
    assert_all(validation.pull_model_checks(name, replications=6))  # 12 in docs/validation.md


@pytest.mark.slow
def test_white_vacancy_chains():
    assert_all(validation.white_checks(replications=6))


@pytest.mark.slow
def test_markov_recursion():
    assert_all(validation.markov_checks())


@pytest.mark.slow
def test_absorbing_markov_chain():
    assert_all(validation.absorbing_checks())


@pytest.mark.slow
def test_littles_law():
    assert_all(validation.little_checks())


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_bookkeeping_and_event_replay(path):
    assert_all(validation.bookkeeping_checks(path))


def test_limit_cases():
    assert_all(validation.limit_checks(ROOT / "scenarios" / "baseline.yaml"))


def test_a_check_can_fail():
    assert not validation.statistical("g", "c", 1.0, [1.2, 1.21, 1.19, 1.2]).passed
    assert not validation.Check("g", "c", 0, 1, 0).passed
