"""The roster under construction and the stages that build it, shared by both generators.

A roster is built in stages on a :class:`Draft` (parallel arrays, one entry per post): seats,
sexes, births, careers, grassroots experience, Youth Talent, probation. Every stage takes the
one ``np.random.Generator`` of the district, passed down, and draws in whole-district batches,
so a scenario that changes a rule sees the same draws. Months are int indices
(``cadresim.dates``); -1 means "none".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.district.roster import CADRE_COLUMNS
from cadresim.rules.ages import LEGAL_WORKING_AGE, limit_ages
from cadresim.rules.eligibility import Pool
from cadresim.rules.spans import months, months_or_zero
from cadresim.scenario.schema import Cohort, Scenario

# --- the shape of every synthetic district [assumption unless marked] ------------------------------

FEMALE_SHARE_LEADERS = 0.35  # women among leaders (staff: recruitment.female_share)
ENTERPRISE_SHARE = 0.08  # cadres with enterprise experience
WORK_START_AGE = (22, 27)  # age at starting work, inclusive
EARLIEST_WORK_AGE = 20  # no generated history starts work younger [model]
PRIOR_GRASSROOTS_SHARE = 0.45  # leaders with grassroots spells before their current post
PRIOR_GRASSROOTS_MONTHS = (12, 72)  # their length, inclusive
ENTERPRISE_MONTHS = (24, 60)  # bottom grade: enterprise work before hiring, as intake.recruit
OLDEST_DRAWN_AGE = 65  # oldest age drawn, also when neither a leaving age nor retirement applies [model]


@dataclass
class Draft:
    """The roster under construction: parallel arrays, one entry per post (months as ints, -1: none)."""

    unit_id: np.ndarray
    unit_type: np.ndarray  # type key of the unit
    grassroots_unit: np.ndarray  # the unit counts as grassroots
    grade: np.ndarray  # ladder index
    female: np.ndarray
    enterprise: np.ndarray
    birth: np.ndarray
    work_start: np.ndarray
    grade_since: np.ndarray
    post_since: np.ndarray
    posts_held: np.ndarray
    prior_grassroots: np.ndarray  # bottom grade: grassroots months brought when hired
    grassroots_months: np.ndarray
    cohort: np.ndarray
    probation_end: np.ndarray
    secondment_end: np.ndarray

    @property
    def n(self) -> int:
        """Number of posts (holders) in the draft."""
        return len(self.unit_id)

    def pool(self, idx: np.ndarray) -> Pool:
        """Eligibility view of holders ``idx``."""
        return Pool(self.birth[idx], self.work_start[idx], self.grade_since[idx], self.grassroots_months[idx],
                    self.posts_held[idx], self.probation_end[idx])

    def frame(self, scenario: Scenario) -> pd.DataFrame:
        """The cadre table of the roster (``roster.CADRE_COLUMNS``), cadre ids = row numbers."""
        data = {name: getattr(self, name) for name in CADRE_COLUMNS if hasattr(self, name)}  # grade: replaced
        data.update(cadre_id=np.arange(self.n), grade=np.array(scenario.ladder, dtype=object)[self.grade],
                    last_promotion=np.where(self.grade > 0, self.grade_since, -1),
                    nonleading=np.zeros(self.n, dtype=bool))
        return pd.DataFrame({c: pd.Series(data[c], dtype=t) for c, (t, _) in CADRE_COLUMNS.items()})


def seats(scenario: Scenario, units: pd.DataFrame) -> Draft:
    """One entry per post of every post-limited grade, sorted by unit, then grade."""
    limited = [k for k, key in enumerate(scenario.ladder) if scenario.grades[key].kind == "post_limited"]
    counts = units[[f"posts_{scenario.ladder[k]}" for k in limited]].to_numpy(np.int64).ravel()
    row = np.repeat(np.repeat(np.arange(len(units)), len(limited)), counts)
    grade = np.repeat(np.tile(np.array(limited, dtype=np.int64), len(units)), counts)
    types = units["type"].to_numpy(object)[row]
    grassroots = np.array([scenario.district.units[t].grassroots for t in types], dtype=bool)
    n = len(row)
    return Draft(units["unit_id"].to_numpy(np.int64)[row], types, grassroots, grade, np.zeros(n, bool),
                 np.zeros(n, bool), _none(n), _none(n), _none(n), _none(n), np.ones(n, np.int64),
                 np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, "", dtype=object), _none(n), _none(n))


def _none(n: int) -> np.ndarray:
    """``n`` months set to -1 ("none" until a stage fills them in)."""
    return np.full(n, -1, dtype=np.int64)


def exactly(keys: np.ndarray, m: int) -> np.ndarray:
    """Mask of the ``m`` entries with the smallest keys."""
    mask = np.zeros(len(keys), bool)
    mask[np.argsort(keys, kind="stable")[:m]] = True
    return mask


def draw_sexes(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Women: ``recruitment.female_share`` of the bottom grade, FEMALE_SHARE_LEADERS above it (exact counts)."""
    keys = rng.random(d.n)
    for k in np.unique(d.grade):
        idx = np.flatnonzero(d.grade == k)
        share = scenario.recruitment.female_share if k == 0 else FEMALE_SHARE_LEADERS
        d.female[idx] = exactly(keys[idx], round(share * len(idx)))


def draw_enterprise(d: Draft, rng: np.random.Generator) -> None:
    """ENTERPRISE_SHARE of all holders have enterprise experience (exact count)."""
    d.enterprise = exactly(rng.random(d.n), round(ENTERPRISE_SHARE * d.n))


def even_births(rng: np.random.Generator, n: int, start: int, ages: tuple[int, int],
                 latest: int | None = None, earliest: int | None = None) -> np.ndarray:
    """``n`` birth months spread evenly (stratified) over ages [ages[0], ages[1]) on ``start``.

    Args:
        latest: the latest birth month allowed (None: the ages alone decide).
        earliest: the earliest birth month allowed (None: the ages alone decide).
    """
    lo, hi = start - 12 * ages[1] + 1, start - 12 * ages[0]
    lo = lo if earliest is None else max(lo, earliest)
    hi = max(lo, hi if latest is None else min(hi, latest))
    u = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    return lo + np.floor(u * (hi - lo + 1)).astype(np.int64)


def fill_births(scenario: Scenario, d: Draft, idx: np.ndarray, bands: tuple[tuple[float, int, int], ...],
                 rng: np.random.Generator, latest: int | None = None) -> None:
    """Births of holders ``idx`` (one grade) spread over ``bands``, each cut at the holder's age limit."""
    limits = np.minimum(limit_ages(scenario, d.grade[idx], d.female[idx]), OLDEST_DRAWN_AGE)
    for limit in np.unique(limits):
        group = rng.permutation(idx[limits == limit])
        counts = _band_counts([share for share, _, _ in bands], len(group))
        for (_, young, old), part in zip(bands, np.split(group, np.cumsum(counts)[:-1])):
            old = min(old, int(limit))
            d.birth[part] = even_births(rng, len(part), scenario.start_month, (min(young, old - 1), old), latest)


def _band_counts(shares: list[float], n: int) -> np.ndarray:
    """Split ``n`` by ``shares`` (largest remainder)."""
    raw = np.array(shares) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: n - counts.sum()]] += 1
    return counts


def entry_months(scenario: Scenario) -> np.ndarray:
    """Fewest months from starting work to entering each grade that its rules and those below allow."""
    out, prev = [], 0
    for k, key in enumerate(scenario.ladder):
        rules = scenario.grades[key]
        m = 0 if k == 0 else prev + months_or_zero(rules.years_in_grade_below)
        prev = max(m, months_or_zero(rules.years_of_work))
        out.append(prev)
    return np.array(out, dtype=np.int64)


def career_draws(d: Draft, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Uniform draws, one per holder and purpose, for the career stage."""
    return {purpose: rng.random(d.n) for purpose in
            ("tenure", "work", "held", "post", "prior", "prior_months", "enterprise_months")}


def careers(scenario: Scenario, d: Draft, u: dict[str, np.ndarray], max_tenure: np.ndarray,
             max_held: int) -> None:
    """Work start, entry into the grade, posts held and the current post's start, for every holder."""
    bottom = d.grade == 0
    _bottom_careers(scenario, d, np.flatnonzero(bottom), u)
    leader_careers(scenario, d, np.flatnonzero(~bottom), u, max_tenure)
    _posts_held(scenario, d, np.arange(d.n), u, max_held)
    set_post_since(scenario, d, np.arange(d.n), u)


def _work_age(u: np.ndarray) -> np.ndarray:
    """Age in months at starting work, uniform over WORK_START_AGE, from uniform draws ``u``."""
    lo, hi = WORK_START_AGE
    return 12 * lo + np.floor(u * 12 * (hi - lo + 1)).astype(np.int64)


def _bottom_careers(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray]) -> None:
    """Bottom grade: started work at WORK_START_AGE, hired after any grassroots or enterprise work (as recruits)."""
    r, age = scenario.recruitment, scenario.start_month - d.birth[idx]
    lo, hi = (months(y) for y in r.grassroots_years)
    grassroots = np.where(u["prior"][idx] < r.grassroots_share,
                          lo + np.floor(u["prior_months"][idx] * (hi - lo + 1)).astype(np.int64), 0)
    lo, hi = ENTERPRISE_MONTHS
    firms = np.where(d.enterprise[idx], lo + np.floor(u["enterprise_months"][idx] * (hi - lo + 1)), 0)
    room = np.maximum(age - 1 - 12 * EARLIEST_WORK_AGE, 0)
    grassroots = np.minimum(grassroots, room)
    pre = np.minimum(grassroots + firms.astype(np.int64), room)
    work_age = np.maximum(np.minimum(_work_age(u["work"][idx]), age - 1 - pre), 12 * LEGAL_WORKING_AGE)
    d.work_start[idx] = d.birth[idx] + work_age
    d.grade_since[idx] = np.minimum(d.work_start[idx] + pre, scenario.start_month)
    d.prior_grassroots[idx] = grassroots


def leader_careers(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray],
                    max_tenure: np.ndarray, min_tenure: int = 0) -> None:
    """Grades above the bottom: time in grade between what the age ceiling forces and what the years in the
    grades below and of work allow, then a work start at WORK_START_AGE that leaves room for them."""
    start, k = scenario.start_month, d.grade[idx]
    age, entry = start - d.birth[idx], entry_months(scenario)[k]
    ceiling = np.array([12 * (scenario.grades[key].age_ceiling or 200) + 11 for key in scenario.ladder])
    t_lo = np.maximum(np.maximum(age - ceiling[k], 0), min_tenure)
    t_hi = np.maximum(age - 12 * EARLIEST_WORK_AGE - entry, t_lo)
    tenure = np.minimum(t_lo + np.floor(u["tenure"][idx] * (max_tenure[k] + 1)).astype(np.int64), t_hi)
    d.grade_since[idx] = start - tenure
    work_age = np.maximum(np.minimum(_work_age(u["work"][idx]), d.grade_since[idx] - d.birth[idx] - entry),
                          12 * LEGAL_WORKING_AGE)
    d.work_start[idx] = d.birth[idx] + work_age


def _post_cap(scenario: Scenario) -> int:
    """Longest time in the current post for leaders: a year less than the rotation rule's limit (Art. 54)."""
    years = scenario.rotation.max_years_in_post
    return max(12, months(10 if years is None else years) - 12)


def _posts_held(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray], max_held: int) -> None:
    """Distinct posts held in the grade: more likely the longer in grade; leaders past the post cap moved."""
    tenure = scenario.start_month - d.grade_since[idx]
    leader = d.grade[idx] > 0
    second = np.where(leader, np.minimum(0.85, tenure / 72), 0.3)
    draw = u["held"][idx]
    held = 1 + (draw < second) + ((tenure > 72) & (draw < 0.3 * second))
    held = np.where(tenure < 24, 1, np.minimum(held, max_held))
    d.posts_held[idx] = np.where(leader & (tenure > _post_cap(scenario)), np.maximum(held, 2), held)


def set_post_since(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray]) -> None:
    """Start of the current post: the grade's start for a first post, else a year per earlier post later,
    and (leaders) within the post cap."""
    start, since, held = scenario.start_month, d.grade_since[idx], d.posts_held[idx]
    lo = since + 12 * (held - 1)
    lo = np.minimum(np.where(d.grade[idx] > 0, np.maximum(lo, start - _post_cap(scenario)), lo), start)
    later = lo + np.floor(u["post"][idx] * (start - lo + 1)).astype(np.int64)
    d.post_since[idx] = np.where(held == 1, since, later)


def draw_grassroots(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Grassroots months: the current post in a grassroots unit, plus earlier spells (capped by months worked)."""
    start = scenario.start_month
    spell, length = rng.random(d.n), rng.random(d.n)
    lo, hi = PRIOR_GRASSROOTS_MONTHS
    prior = np.where(spell < PRIOR_GRASSROOTS_SHARE, lo + np.floor(length * (hi - lo + 1)).astype(np.int64), 0)
    prior = np.where(d.grade == 0, d.prior_grassroots, prior)
    current = np.where(d.grassroots_unit, start - d.post_since, 0)
    d.grassroots_months = np.minimum(prior + current, start - d.work_start)


def draw_youth_talent(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Members of cohorts that started before the start date, drawn at random from each cohort's pool;
    a secondment still running on the start date has given them its grassroots months so far."""
    start = scenario.start_month
    for name, cohort in scenario.youth_talent.cohorts.items():
        keys = rng.random(d.n)
        began = dates.parse(cohort.start)
        if began >= start:
            continue
        pool = np.flatnonzero(_cohort_pool(scenario, d, cohort, began) & (d.cohort == ""))
        members = pool[exactly(keys[pool], cohort.size)]
        d.cohort[members] = name
        _seconded(scenario, d, members, began, cohort.secondment_months)


def _cohort_pool(scenario: Scenario, d: Draft, cohort: Cohort, began: int) -> np.ndarray:
    """Holders who were in the cohort's grades and within its age cap when it began."""
    grades = [scenario.grade_index(g) for g in (cohort.grades or scenario.roles.section_level)]
    grades = [k for k in grades if k >= 0]
    below = np.array([months_or_zero(scenario.grades[k].years_in_grade_below) for k in scenario.ladder])
    was_in = (d.grade_since <= began) | (np.isin(d.grade - 1, grades) & (d.grade_since - below[d.grade] <= began))
    young = (began - d.birth) // 12 <= cohort.age_cap
    return np.isin(d.grade, grades) & was_in & young & (d.work_start <= began)


def _seconded(scenario: Scenario, d: Draft, members: np.ndarray, began: int, months: int) -> None:
    """Members' secondment: its end if still running, and the grassroots months it has given so far."""
    start, end = scenario.start_month, began + months
    d.secondment_end[members] = end if (months and end > start) else -1
    gained = np.where(d.grassroots_unit[members], 0, min(start, end) - began)
    d.grassroots_months[members] = np.minimum(d.grassroots_months[members] + gained,
                                              start - d.work_start[members])


def set_probation(scenario: Scenario, d: Draft) -> None:
    """On probation: promoted within ``probation.months`` into a grade that puts their unit type on probation."""
    months, start = scenario.probation.months, scenario.start_month
    types = [scenario.grades[k].probation_in for k in scenario.ladder]
    applies = np.array([t in types[k] for k, t in zip(d.grade, d.unit_type)], dtype=bool)
    end = d.grade_since + months
    d.probation_end = np.where(applies & (d.grade > 0) & (months > 0) & (end > start), end, -1)
