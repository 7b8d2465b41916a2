"""The calibrated synthetic district: the default ladder shaped to meet the start-date figures.

The targets below are the figures of the speech and their planning ranges (listed with their
sources in docs/assumptions.md, "Calibration targets of the default district"). The generator
runs the stages of :mod:`cadresim.district.draft` and adds its adjustments between them,
each in a small function named for the figure it sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.district.draft import (EARLIEST_WORK_AGE, Draft, career_draws, careers, draw_enterprise, draw_grassroots,
                                     draw_sexes, draw_youth_talent, entry_months, even_births, exactly, fill_births,
                                     leader_careers, seats, set_post_since, set_probation)
from cadresim.errors import InputError, Problem
from cadresim.rules.eligibility import division_grassroots_months, eligible
from cadresim.rules.spans import months_or_zero
from cadresim.scenario.schema import Grade, Scenario, default_grades

# --- calibration targets ---------------------------------------------------------------------------

#: 80后 holders of division-level posts: "only 3" [seed]; target: exactly 3 (scaled with the posts).
POST80_DIVISION_LEVEL = 3
#: Division-level posts of the default district, the base of that scaling (target: 171 副处 + 66 正处).
DEFAULT_DIVISION_LEVEL_POSTS = 237
#: Share of division-level holders with the grassroots experience of the division-level rule (2 years)
#: [rule]: "over 90%" [seed]; target: 90% to 95%. An exact count, not a draw.
DIVISION_LEVEL_GRASSROOTS_SHARE = 0.925
#: Share of 正处 holders born in the 1970s: "not high" [seed]; target: 10%..20% [assumption].
POST70_DIVISION_HEAD_SHARE = 0.15
#: 80后 正科 holders eligible for 副处: "very few" [seed]; target: 1 to 8 [assumption]. An exact count,
#: drawn per seed in this range (inclusive).
POST80_SECTION_ELIGIBLE = (2, 6)
#: Ages [youngest, oldest + 1) of those 80后 division-level holders [assumption].
POST80_DIVISION_LEVEL_AGES = (30, 35)
#: Ages of the 70后 正处 holders: "those born in 1970 are 44" [seed].
POST70_DIVISION_HEAD_AGES = (40, 45)

# --- the shape of the calibrated district [assumption unless marked] -----------------------------

#: Age bands (share, youngest, oldest + 1) of each grade's holders on the start date. The oldest is cut at
#: each cadre's leaving or retirement age and ages run evenly up to it, so that exits are steady (no
#: start-up spike); the division-level bands give a mean age near 46 (target: 45 to 48).
AGE_BANDS: dict[str, tuple[tuple[float, int, int], ...]] = {
    "staff": ((0.5, 23, 36), (0.5, 36, 60)),
    "deputy_section": ((0.5, 27, 36), (0.5, 36, 55)),
    "section": ((0.2, 28, 35), (0.8, 35, 55)),  # the first band: young, mostly 80后, 正科 chiefs
    "deputy_division": ((1.0, 36, 55),),  # plus the 80后 of POST80_DIVISION_LEVEL
    "division": ((1.0, 45, 58),),  # plus the 70后 of POST70_DIVISION_HEAD_SHARE
    "deputy_bureau": ((1.0, 50, 60),),
}
#: Longest time in grade (years) beyond what the grade's age ceiling already forces.
MAX_TENURE_YEARS = {"deputy_section": 10, "section": 10, "deputy_division": 8, "division": 7, "deputy_bureau": 6}


def calibrated(scenario: Scenario, units: pd.DataFrame, rng: np.random.Generator) -> Draft:
    """The default district, meeting the start-date targets above."""
    _require_default_ladder(scenario)
    d = seats(scenario, units)
    draw_sexes(scenario, d, rng)
    draw_enterprise(d, rng)
    calibrated_births(scenario, d, rng)
    tenure = np.array([12 * MAX_TENURE_YEARS.get(k, 0) for k in scenario.ladder])
    draws = career_draws(d, rng)
    careers(scenario, d, draws, tenure, max_held=3)
    draw_grassroots(scenario, d, rng)
    _division_level_grassroots(scenario, d, rng)
    draw_youth_talent(scenario, d, rng)
    set_probation(scenario, d)  # the eligibility count below reads it
    _post80_section_eligible(scenario, d, rng, draws, tenure)
    set_probation(scenario, d)  # again: that count may have moved some entries into the grade
    return d


def _require_default_ladder(scenario: Scenario) -> None:
    """Raise InputError unless every grade has an AGE_BANDS entry and the roles the targets use exist."""
    unknown = [k for k in scenario.ladder if k not in AGE_BANDS]
    roles = scenario.roles
    if unknown or not (roles.division_level and roles.section_level and roles.division_head):
        raise InputError([Problem("scenario", "district.generator", "the calibrated generator needs the default "
                                  "ladder and its roles (section level, division level, division head); use "
                                  "district.generator: simple for another ladder", "calibrated")])


def calibrated_births(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Births by AGE_BANDS, with the exact 80后 division-level and 70后 正处 holders pinned first."""
    pinned = np.zeros(d.n, bool)
    for grade, decade, count, ages in _decade_pins(scenario, d):
        idx = np.flatnonzero(d.grade == grade)
        chosen = idx[exactly(rng.random(len(idx)), count)]
        d.birth[chosen] = even_births(rng, count, scenario.start_month, ages, dates.month(decade + 9, 12),
                                       dates.month(decade, 1))
        pinned[chosen] = True
    for k, key in enumerate(scenario.ladder):
        idx = np.flatnonzero((d.grade == k) & ~pinned)
        fill_births(scenario, d, idx, AGE_BANDS[key], rng, _latest_unpinned_birth(scenario, k))


def _decade_pins(scenario: Scenario, d: Draft) -> list[tuple[int, int, int, tuple[int, int]]]:
    """(grade, birth decade, count, ages) of the holders whose birth decade is a target."""
    division = scenario.role_indices("division_level")
    head = scenario.grade_index(scenario.roles.division_head)
    heads = int(np.sum(d.grade == head))
    return [(min(division), 1980, post80_division_level(int(np.isin(d.grade, division).sum())),
             POST80_DIVISION_LEVEL_AGES),
            (head, 1970, round(POST70_DIVISION_HEAD_SHARE * heads), POST70_DIVISION_HEAD_AGES)]


def post80_division_level(posts: int) -> int:
    """The 80后 division-level target for a district with ``posts`` division-level posts (at least 1)."""
    return max(1, round(POST80_DIVISION_LEVEL * posts / DEFAULT_DIVISION_LEVEL_POSTS))


def _latest_unpinned_birth(scenario: Scenario, k: int) -> int | None:
    """Unpinned division-level holders are born before the 1980s; unpinned 正处 before the 1970s."""
    if k == scenario.grade_index(scenario.roles.division_head):
        return dates.month(1969, 12)
    return dates.month(1979, 12) if k in scenario.role_indices("division_level") else None


def _division_level_grassroots(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Exactly DIVISION_LEVEL_GRASSROOTS_SHARE of division-level holders have the grassroots experience that
    the division-level rule asks for (2 years) or more.

    Those short of it are holders in non-grassroots units (a grassroots unit's holders have served there).
    """
    keys, length = rng.random(d.n), rng.random(d.n)
    idx = np.flatnonzero(np.isin(d.grade, scenario.role_indices("division_level")))
    short_n = len(idx) - round(DIVISION_LEVEL_GRASSROOTS_SHARE * len(idx))
    short = idx[exactly(keys[idx] + d.grassroots_unit[idx], short_n)]
    worked = scenario.start_month - d.work_start
    required = division_grassroots_months(scenario) or 0
    d.grassroots_months[short] = np.minimum(np.floor(length[short] * required), worked[short])
    need = np.setdiff1d(idx[d.grassroots_months[idx] < required], short)
    top = required + np.floor(length[need] * 48).astype(np.int64)
    d.grassroots_months[need] = np.minimum(top, worked[need])


def _post80_section_eligible(scenario: Scenario, d: Draft, rng: np.random.Generator,
                             u: dict[str, np.ndarray], max_tenure: np.ndarray) -> None:
    """Exactly k (drawn in POST80_SECTION_ELIGIBLE) 80后 holders of the grade below the first division-level
    grade meet its rules; the others who would lack a second post at that level ("两个科长岗位").

    The rules are the package's defaults (docs/model.md), so the district's history does not shift when
    a scenario relaxes a rule: the relaxed rule then shows at the start, as it should.
    """
    target = min(scenario.role_indices("division_level"))
    rules = _strict_rules(scenario, target)
    k = int(rng.integers(POST80_SECTION_ELIGIBLE[0], POST80_SECTION_ELIGIBLE[1] + 1))
    keys = rng.random(d.n)
    rows = np.flatnonzero((d.grade == target - 1) & ((d.birth // 12) // 10 == 198))
    ok = eligible(rules, d.pool(rows), scenario.start_month)
    needed = months_or_zero(rules.years_in_grade_below)
    room = scenario.start_month - d.birth[rows] - 12 * EARLIEST_WORK_AGE - entry_months(scenario)[target - 1]
    chosen = exactly(keys[rows] - 2 * ok - (room >= needed), k)
    _make_eligible(scenario, d, rows[chosen & ~ok], rules, u, max_tenure)
    _lack_second_post(scenario, d, rows[~chosen & ok])


def _strict_rules(scenario: Scenario, target: int) -> Grade:
    """The package's default rules for grade ``target`` (the scenario's when the package has none)."""
    key = scenario.ladder[target]
    return default_grades().get(key, scenario.grades[key])


def _make_eligible(scenario: Scenario, d: Draft, idx: np.ndarray, rules: Grade, u: dict[str, np.ndarray],
                   max_tenure: np.ndarray) -> None:
    """Give holders ``idx`` the years in grade, posts and grassroots months that ``rules`` ask for."""
    leader_careers(scenario, d, idx, u, max_tenure, months_or_zero(rules.years_in_grade_below))
    d.posts_held[idx] = np.maximum(d.posts_held[idx], max(2, rules.posts_held_below or 1))
    set_post_since(scenario, d, idx, u)
    need = months_or_zero(rules.grassroots_years) + np.floor(u["prior_months"][idx] * 24).astype(np.int64)
    d.grassroots_months[idx] = np.minimum(np.maximum(d.grassroots_months[idx], need),
                                          scenario.start_month - d.work_start[idx])


def _lack_second_post(scenario: Scenario, d: Draft, idx: np.ndarray) -> None:
    """Holders ``idx`` have held only their current post in the grade."""
    d.posts_held[idx] = 1
    d.post_since[idx] = d.grade_since[idx]
    stint = np.where(d.grassroots_unit[idx], scenario.start_month - d.post_since[idx], 0)
    d.grassroots_months[idx] = np.maximum(d.grassroots_months[idx], stint)
