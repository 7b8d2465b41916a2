"""Ages, and the month each cadre must leave for age (docs/model.md).

A cadre leaves in the month after the birthday that reaches the first of two limits: the
statutory retirement age (men; women; women at division level and above) and their grade's
leaving age. Exits, the reshuffle, the roster check and the synthetic district all ask here.
"""

from __future__ import annotations

import numpy as np

from cadresim.scenario.schema import Scenario

#: An age no one reaches: the limit of a cadre to whom no retirement or leaving age applies.
NO_AGE_LIMIT = 10_000
#: The youngest age at which anyone works (the legal minimum); younger starts are impossible histories.
LEGAL_WORKING_AGE = 16


def age(birth: np.ndarray | int, now: int) -> np.ndarray:
    """Age in completed years at month ``now`` of cadres born in months ``birth``."""
    return (now - np.asarray(birth)) // 12


def division_start(scenario: Scenario) -> int:
    """Index of the lowest division-level grade (``len(ladder)`` when the ladder has none)."""
    idx = scenario.role_indices("division_level")
    return min(idx) if idx else len(scenario.ladder)


def retirement_ages(scenario: Scenario, grade: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Statutory retirement age (completed years) of each cadre; NO_AGE_LIMIT when none applies.

    Args:
        grade: ladder indices of the cadres' grades (levels).
        female: True for women (who retire at ``female_senior`` from the lowest division-level grade up).
    """
    ret = scenario.retirement
    senior = np.asarray(grade) >= division_start(scenario)
    female_age = np.where(senior, _or_none(ret.female_senior), _or_none(ret.female))
    return np.where(female, female_age, _or_none(ret.male))


def limit_ages(scenario: Scenario, grade: np.ndarray, female: np.ndarray,
               nonleading: np.ndarray | None = None) -> np.ndarray:
    """Age (completed years) at which each cadre must leave: their grade's leaving age or retirement,
    whichever comes first (retirement alone for holders of a non-leading rank); NO_AGE_LIMIT when neither
    applies.

    Args:
        grade: ladder indices of the cadres' grades.
        female: True for women (who retire at ``female_senior`` from the lowest division-level grade up).
        nonleading: True for holders of a non-leading rank (None: nobody).
    """
    limit = retirement_ages(scenario, grade, female)
    leaving = np.array([_or_none(scenario.grades[k].leaving_age) for k in scenario.ladder], dtype=np.int64)
    own = leaving[grade] if nonleading is None else np.where(nonleading, NO_AGE_LIMIT, leaving[grade])
    return np.minimum(limit, own)


def leave_months(scenario: Scenario, birth: np.ndarray, grade: np.ndarray, female: np.ndarray,
                 nonleading: np.ndarray | None = None) -> np.ndarray:
    """Month in which each cadre must leave for age: the month after the birthday reaching their limit."""
    return np.asarray(birth) + 12 * limit_ages(scenario, grade, female, nonleading) + 1


def retire_months(scenario: Scenario, birth: np.ndarray, grade: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Month in which each cadre retires: the month after the birthday reaching the retirement age."""
    return np.asarray(birth) + 12 * retirement_ages(scenario, grade, female) + 1


def _or_none(limit: int | None) -> int:
    """An age limit, or NO_AGE_LIMIT when it is off."""
    return NO_AGE_LIMIT if limit is None else limit
