"""Eligibility for promotion (docs/model.md): pure, vectorized over a candidate pool.

Candidates are cadres of the grade directly below the target grade; each rule
in force gives a boolean array of those who fail it. A cadre is eligible only
if no rule fails. The same functions serve selection, the metrics and the
eligibility attribution, so that what is reported is what is applied. Spans of
years become whole months through ``spans.months``, as in the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cadresim.rules.ages import age, division_start
from cadresim.rules.spans import months
from cadresim.scenario.schema import Grade, Scenario

RULES = ("years_in_grade_below", "years_of_work", "grassroots_years", "posts_held_below", "age_ceiling",
         "probation")


@dataclass(frozen=True)
class Pool:
    """Attributes of a set of candidates (parallel arrays, months as ints)."""

    birth: np.ndarray
    work_start: np.ndarray
    grade_since: np.ndarray
    grassroots_months: np.ndarray
    posts_held: np.ndarray
    probation_end: np.ndarray

    def take(self, idx: np.ndarray) -> "Pool":
        """The sub-pool at positions ``idx``."""
        return Pool(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


def failures(rules: Grade, pool: Pool, now: int) -> dict[str, np.ndarray]:
    """For each rule in force, who in ``pool`` fails it at month ``now``."""
    out: dict[str, np.ndarray] = {}
    if rules.years_in_grade_below is not None:
        out["years_in_grade_below"] = (now - pool.grade_since) < months(rules.years_in_grade_below)
    if rules.years_of_work is not None:
        out["years_of_work"] = (now - pool.work_start) < months(rules.years_of_work)
    if rules.grassroots_years is not None:
        out["grassroots_years"] = pool.grassroots_months < months(rules.grassroots_years)
    if rules.posts_held_below is not None:
        out["posts_held_below"] = pool.posts_held < rules.posts_held_below
    if rules.age_ceiling is not None:
        out["age_ceiling"] = age(pool.birth, now) > rules.age_ceiling
    out["probation"] = pool.probation_end > now
    return out


def eligible(rules: Grade, pool: Pool, now: int) -> np.ndarray:
    """Boolean mask of the candidates who meet every rule in force."""
    ok = np.ones(len(pool.birth), dtype=bool)
    for failed in failures(rules, pool, now).values():
        ok &= ~failed
    return ok


def eligible_same_level(rules: Grade, pool: Pool, now: int) -> np.ndarray:
    """Boolean mask of holders of the grade's non-leading rank who may take one of its leading posts: a
    leading appointment, so the age ceiling and probation apply, and no rule of the level below."""
    ok = pool.probation_end <= now
    if rules.age_ceiling is not None:
        ok &= age(pool.birth, now) <= rules.age_ceiling
    return ok


def attribution(rules: Grade, pool: Pool, now: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each rule: (fails it, fails it and no other rule): the binding constraint."""
    fails = failures(rules, pool, now)
    if not fails:
        return {}
    count = np.sum(np.vstack(list(fails.values())), axis=0)
    return {rule: (failed, failed & (count == 1)) for rule, failed in fails.items()}


def waivable_single_failure(rules: Grade, pool: Pool, now: int, last_promotion: np.ndarray) -> np.ndarray:
    """Candidates for exceptional promotion (Art. 9): fail exactly one rule, not the age ceiling or
    probation, and not promoted within the last year."""
    fails = failures(rules, pool, now)
    if not fails:
        return np.zeros(len(pool.birth), dtype=bool)
    count = np.sum(np.vstack(list(fails.values())), axis=0)
    hard = fails["probation"] | fails.get("age_ceiling", False)
    return (count == 1) & ~hard & ((now - last_promotion) >= 12)


def division_grassroots_months(scenario: Scenario) -> int | None:
    """Grassroots experience (months) that the lowest division-level grade asks for under ``scenario``:
    the threshold of "lacking grassroots experience" in secondment and of the division-level grassroots
    share. None when that rule is off or the ladder has no division level."""
    g = division_start(scenario)
    if g >= len(scenario.ladder):
        return None
    years = scenario.grades[scenario.ladder[g]].grassroots_years
    return None if years is None else months(years)
