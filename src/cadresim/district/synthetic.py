"""The synthetic district: units, posts and the start roster (MODEL.md section 6).

Two generators, chosen by ``district.generator``:

* ``simple``: any ladder. Every post of every post-limited grade gets one holder with a
  plausible history that obeys the scenario's rules; nothing is calibrated.
* ``calibrated`` (the default): the default ladder, shaped so that the roster meets the
  start-date figures of MODEL.md section 6 (the targets below) for every generator seed.

A roster is built in stages on a :class:`Draft` (parallel arrays, one entry per post):
seats, sexes, births, careers, grassroots experience, Youth Talent, probation. The
calibrated generator adds its adjustments between the stages, each in a small function
named for the figure it sets. Every draw comes from one ``np.random.default_rng`` seeded
with ``district.seed`` and passed down; draws are made in whole-district batches, so a
scenario that changes a rule sees the same draws. Months are int indices
(``cadresim.dates``); -1 means "none".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.rules.eligibility import Pool, eligible
from cadresim.errors import InputError, Problem
from cadresim.district.roster import CADRE_COLUMNS, UNIT_COLUMNS, Roster
from cadresim.scenario.schema import DEFAULT_LADDER, Cohort, Grade, Scenario, default_grades

# --- calibration targets (MODEL.md section 6) ----------------------------------------------------

#: 80后 holders of division-level posts: "only 3" [seed]; section 6: exactly 3 (scaled with the posts).
POST80_DIVISION_LEVEL = 3
#: Division-level posts of the default district, the base of that scaling (section 6: 171 副处 + 66 正处).
DEFAULT_DIVISION_LEVEL_POSTS = 237
#: Share of division-level holders with >= 2 years' grassroots experience: "over 90%" [seed];
#: section 6: 90% to 95%. An exact count, not a draw.
DIVISION_LEVEL_GRASSROOTS_SHARE = 0.925
#: Grassroots experience that figure counts: 2 years (MODEL.md section 3, the 副处 rule) [rule].
GRASSROOTS_MONTHS = 24
#: Share of 正处 holders born in the 1970s: "not high" [seed]; section 6: 10%..20% [assumption].
POST70_DIVISION_HEAD_SHARE = 0.15
#: 80后 正科 holders eligible for 副处: "very few" [seed]; section 6: 1 to 8 [assumption]. An exact count,
#: drawn per seed in this range (inclusive).
POST80_SECTION_ELIGIBLE = (2, 6)
#: Ages [youngest, oldest + 1) of those 80后 division-level holders [assumption].
POST80_DIVISION_LEVEL_AGES = (30, 35)
#: Ages of the 70后 正处 holders: "those born in 1970 are 44" (section 1) [seed].
POST70_DIVISION_HEAD_AGES = (40, 45)

# --- the shape of the calibrated district [assumption unless marked] -----------------------------

#: Age bands (share, youngest, oldest + 1) of each grade's holders on the start date. The oldest is cut at
#: each cadre's leaving or retirement age and ages run evenly up to it, so that exits are steady (section 6:
#: no start-up spike); the division-level bands give a mean age near 46 (section 6: 45 to 48).
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
SIMPLE_MAX_TENURE_YEARS = 8
FEMALE_SHARE_LEADERS = 0.35  # women among leaders (staff: recruitment.female_share)
ENTERPRISE_SHARE = 0.08  # cadres with enterprise experience
WORK_START_AGE = (22, 27)  # age at starting work, inclusive
EARLIEST_WORK_AGE = 20  # no generated history starts work younger [model]
PRIOR_GRASSROOTS_SHARE = 0.45  # leaders with grassroots spells before their current post
PRIOR_GRASSROOTS_MONTHS = (12, 72)  # their length, inclusive
ENTERPRISE_MONTHS = (24, 60)  # bottom grade: enterprise work before hiring, as intake.recruit
NO_LIMIT_AGE = 65  # oldest age drawn when neither a leaving age nor retirement applies [model]
UNIT_LABELS = {"bureau": "Bureau", "street_town": "Street/Town", "district_leadership": "District leadership",
               "city_bureau": "City bureau"}


# --- entry point ---------------------------------------------------------------------------------


def generate(scenario: Scenario) -> Roster:
    """The synthetic start roster of ``scenario``, deterministic given ``district.seed``.

    The calibrated district depends only on the scenario's ``district`` section and start date,
    not on its policy: it is built under the package's default rules, so every scenario over
    the same district starts from the same roster and their differences stay paired.

    Raises:
        InputError: when the calibrated generator is asked for a ladder it does not know.
    """
    if scenario.district.generator == "calibrated" and scenario.ladder == DEFAULT_LADDER:
        scenario = Scenario(start=scenario.start, end=scenario.end, district=scenario.district)
    d = scenario.district
    if d.copies == 1 and all(u.level == "district" for u in d.units.values()):
        return _one_district(scenario)
    return _city(scenario)


def _one_district(scenario: Scenario) -> Roster:
    rng = np.random.default_rng(scenario.district.seed)
    units = unit_table(scenario)
    if scenario.district.generator == "calibrated":
        draft = _calibrated(scenario, units, rng)
    else:
        draft = _simple(scenario, units, rng)
    return Roster(units.assign(district=0), draft.frame(scenario), scenario.start_month)


def _city(scenario: Scenario) -> Roster:
    """``district.copies`` districts, each generated on its own seed, and the city-level units
    (generated with the simple generator) above them; unit and cadre ids run on across parts."""
    d = scenario.district
    local = {k: u for k, u in d.units.items() if u.level == "district"}
    city = {k: u for k, u in d.units.items() if u.level == "city"}
    parts = []
    for i in range(d.copies if local else 0):
        sub = d.model_copy(update={"units": local, "copies": 1, "seed": d.seed * 1000 + i})
        parts.append((_one_district(scenario.model_copy(update={"district": sub})), i, f"D{i + 1:02d} "))
    if city:
        sub = d.model_copy(update={"units": city, "copies": 1, "seed": d.seed * 1000 + 999, "generator": "simple"})
        parts.append((_one_district(scenario.model_copy(update={"district": sub})), -1, ""))
    units, cadres, n_units, n_cadres = [], [], 0, 0
    for roster, group, prefix in parts:
        u, c = roster.units.copy(), roster.cadres.copy()
        c["unit_id"] += n_units
        c["cadre_id"] += n_cadres
        u["unit_id"] += n_units
        units.append(u.assign(name=prefix + u["name"], district=group))
        cadres.append(c)
        n_units, n_cadres = n_units + len(u), n_cadres + len(c)
    return Roster(pd.concat(units, ignore_index=True), pd.concat(cadres, ignore_index=True), scenario.start_month)


def _simple(scenario: Scenario, units: pd.DataFrame, rng: np.random.Generator) -> Draft:
    """Plausible, rule-consistent holders for any ladder (rate-based grades stay empty)."""
    d = _seats(scenario, units)
    _sexes(scenario, d, rng)
    _enterprise(d, rng)
    bands = _simple_bands(scenario)
    for k in np.unique(d.grade):
        _fill_births(scenario, d, np.flatnonzero(d.grade == k), bands[k], rng)
    tenure = np.full(len(scenario.ladder), 12 * SIMPLE_MAX_TENURE_YEARS)
    _careers(scenario, d, _draws(d, rng), tenure, max_held=2)
    _grassroots(scenario, d, rng)
    _youth_talent(scenario, d, rng)
    _probation(scenario, d)
    return d


def _calibrated(scenario: Scenario, units: pd.DataFrame, rng: np.random.Generator) -> Draft:
    """The default district, meeting the start-date targets of MODEL.md section 6."""
    _require_default_ladder(scenario)
    d = _seats(scenario, units)
    _sexes(scenario, d, rng)
    _enterprise(d, rng)
    _calibrated_births(scenario, d, rng)
    tenure = np.array([12 * MAX_TENURE_YEARS.get(k, 0) for k in scenario.ladder])
    draws = _draws(d, rng)
    _careers(scenario, d, draws, tenure, max_held=3)
    _grassroots(scenario, d, rng)
    _division_level_grassroots(scenario, d, rng)
    _youth_talent(scenario, d, rng)
    _probation(scenario, d)  # the eligibility count below reads it
    _post80_section_eligible(scenario, d, rng, draws, tenure)
    _probation(scenario, d)  # again: that count may have moved some entries into the grade
    return d


def _require_default_ladder(scenario: Scenario) -> None:
    """Raise InputError unless every grade has an AGE_BANDS entry and the roles the targets use exist."""
    unknown = [k for k in scenario.ladder if k not in AGE_BANDS]
    roles = scenario.roles
    if unknown or not (roles.division_level and roles.section_level and roles.division_head):
        raise InputError([Problem("scenario", "district.generator", "the calibrated generator needs the default "
                                  "ladder and its roles (section level, division level, division head); use "
                                  "district.generator: simple for another ladder", "calibrated")])


# --- units and seats -----------------------------------------------------------------------------


def unit_table(scenario: Scenario) -> pd.DataFrame:
    """Units of every type in ``district.units`` (in order), ids 0.., with ``posts_<grade>`` columns."""
    rows = []
    for key, utype in scenario.district.units.items():
        label = UNIT_LABELS.get(key, key.replace("_", " ").capitalize())
        for i in range(utype.count):
            rows.append({"unit_id": len(rows), "name": f"{label} {i + 1:02d}" if utype.count > 1 else label,
                         "type": key, **{f"posts_{g}": int(utype.posts.get(g, 0)) for g in scenario.ladder}})
    columns = [*UNIT_COLUMNS, *(f"posts_{g}" for g in scenario.ladder)]
    return pd.DataFrame(rows, columns=columns).astype({c: "int64" for c in columns if c.startswith("posts_")}
                                                       | {"unit_id": "int64"})


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
        return len(self.unit_id)

    def pool(self, idx: np.ndarray) -> Pool:
        """Eligibility view of holders ``idx``."""
        return Pool(self.birth[idx], self.work_start[idx], self.grade_since[idx], self.grassroots_months[idx],
                    self.posts_held[idx], self.probation_end[idx])

    def frame(self, scenario: Scenario) -> pd.DataFrame:
        """The cadre table of the roster (``roster.CADRE_COLUMNS``), cadre ids = row numbers."""
        data = {name: getattr(self, name) for name in CADRE_COLUMNS if hasattr(self, name)}  # grade: replaced
        data.update(cadre_id=np.arange(self.n), grade=np.array(scenario.ladder, dtype=object)[self.grade],
                    last_promotion=np.where(self.grade > 0, self.grade_since, -1))
        return pd.DataFrame({c: pd.Series(data[c], dtype=t) for c, (t, _) in CADRE_COLUMNS.items()})


def _seats(scenario: Scenario, units: pd.DataFrame) -> Draft:
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


# --- people: sexes, enterprise, births -----------------------------------------------------------


def _exactly(keys: np.ndarray, m: int) -> np.ndarray:
    """Mask of the ``m`` entries with the smallest keys."""
    mask = np.zeros(len(keys), bool)
    mask[np.argsort(keys, kind="stable")[:m]] = True
    return mask


def _sexes(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Women: ``recruitment.female_share`` of the bottom grade, FEMALE_SHARE_LEADERS above it (exact counts)."""
    keys = rng.random(d.n)
    for k in np.unique(d.grade):
        idx = np.flatnonzero(d.grade == k)
        share = scenario.recruitment.female_share if k == 0 else FEMALE_SHARE_LEADERS
        d.female[idx] = _exactly(keys[idx], round(share * len(idx)))


def _enterprise(d: Draft, rng: np.random.Generator) -> None:
    """ENTERPRISE_SHARE of all holders have enterprise experience (exact count)."""
    d.enterprise = _exactly(rng.random(d.n), round(ENTERPRISE_SHARE * d.n))


def limit_ages(scenario: Scenario, grade: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Age (years) at which each cadre must leave: the grade's leaving age or retirement, whichever is first.

    As ``context.leave_months``: women at division level and above retire at ``female_senior``.
    """
    ret, div = scenario.retirement, scenario.role_indices("division_level")
    senior = grade >= (min(div) if div else len(scenario.ladder))
    female_age = np.where(senior, ret.female_senior or NO_LIMIT_AGE, ret.female or NO_LIMIT_AGE)
    limit = np.where(female, female_age, ret.male or NO_LIMIT_AGE)
    leaving = np.array([scenario.grades[k].leaving_age or NO_LIMIT_AGE for k in scenario.ladder])
    return np.minimum(np.minimum(limit, leaving[grade]), NO_LIMIT_AGE)


def _even_births(rng: np.random.Generator, n: int, start: int, ages: tuple[int, int],
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


def _fill_births(scenario: Scenario, d: Draft, idx: np.ndarray, bands: tuple[tuple[float, int, int], ...],
                 rng: np.random.Generator, latest: int | None = None) -> None:
    """Births of holders ``idx`` (one grade) spread over ``bands``, each cut at the holder's age limit."""
    limits = limit_ages(scenario, d.grade[idx], d.female[idx])
    for limit in np.unique(limits):
        group = rng.permutation(idx[limits == limit])
        counts = _band_counts([share for share, _, _ in bands], len(group))
        for (_, young, old), part in zip(bands, np.split(group, np.cumsum(counts)[:-1])):
            old = min(old, int(limit))
            d.birth[part] = _even_births(rng, len(part), scenario.start_month, (min(young, old - 1), old), latest)


def _band_counts(shares: list[float], n: int) -> np.ndarray:
    """Split ``n`` by ``shares`` (largest remainder)."""
    raw = np.array(shares) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: n - counts.sum()]] += 1
    return counts


def _simple_bands(scenario: Scenario) -> list[tuple[tuple[float, int, int], ...]]:
    """One band per grade: from the youngest age its rules allow up to its age limit."""
    entry = entry_months(scenario)
    bands = []
    for k, key in enumerate(scenario.ladder):
        young = max(scenario.recruitment.age[0] + 2 * k, EARLIEST_WORK_AGE + 1 + int(np.ceil(entry[k] / 12)))
        ceiling = scenario.grades[key].age_ceiling
        bands.append(((1.0, young if ceiling is None else min(young, ceiling), NO_LIMIT_AGE),))
    return bands


# --- calibrated births ---------------------------------------------------------------------------


def _calibrated_births(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Births by AGE_BANDS, with the exact 80后 division-level and 70后 正处 holders pinned first."""
    pinned = np.zeros(d.n, bool)
    for grade, decade, count, ages in _decade_pins(scenario, d):
        idx = np.flatnonzero(d.grade == grade)
        chosen = idx[_exactly(rng.random(len(idx)), count)]
        d.birth[chosen] = _even_births(rng, count, scenario.start_month, ages, dates.month(decade + 9, 12),
                                       dates.month(decade, 1))
        pinned[chosen] = True
    for k, key in enumerate(scenario.ladder):
        idx = np.flatnonzero((d.grade == k) & ~pinned)
        _fill_births(scenario, d, idx, AGE_BANDS[key], rng, _latest_unpinned_birth(scenario, k))


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


# --- careers -------------------------------------------------------------------------------------


def entry_months(scenario: Scenario) -> np.ndarray:
    """Fewest months from starting work to entering each grade that its rules and those below allow."""
    out, prev = [], 0
    for k, key in enumerate(scenario.ladder):
        rules = scenario.grades[key]
        m = 0 if k == 0 else prev + round(12 * (rules.years_in_grade_below or 0))
        prev = max(m, round(12 * (rules.years_of_work or 0)))
        out.append(prev)
    return np.array(out, dtype=np.int64)


def _draws(d: Draft, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Uniform draws, one per holder and purpose, for the career stage."""
    return {purpose: rng.random(d.n) for purpose in
            ("tenure", "work", "held", "post", "prior", "prior_months", "enterprise_months")}


def _careers(scenario: Scenario, d: Draft, u: dict[str, np.ndarray], max_tenure: np.ndarray,
             max_held: int) -> None:
    """Work start, entry into the grade, posts held and the current post's start, for every holder."""
    bottom = d.grade == 0
    _bottom_careers(scenario, d, np.flatnonzero(bottom), u)
    _leader_careers(scenario, d, np.flatnonzero(~bottom), u, max_tenure)
    _posts_held(scenario, d, np.arange(d.n), u, max_held)
    _post_since(scenario, d, np.arange(d.n), u)


def _work_age(u: np.ndarray) -> np.ndarray:
    """Age in months at starting work, uniform over WORK_START_AGE, from uniform draws ``u``."""
    lo, hi = WORK_START_AGE
    return 12 * lo + np.floor(u * 12 * (hi - lo + 1)).astype(np.int64)


def _bottom_careers(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray]) -> None:
    """Bottom grade: started work at WORK_START_AGE, hired after any grassroots or enterprise work (as recruits)."""
    r, age = scenario.recruitment, scenario.start_month - d.birth[idx]
    lo, hi = (round(12 * y) for y in r.grassroots_years)
    grassroots = np.where(u["prior"][idx] < r.grassroots_share,
                          lo + np.floor(u["prior_months"][idx] * (hi - lo + 1)).astype(np.int64), 0)
    lo, hi = ENTERPRISE_MONTHS
    firms = np.where(d.enterprise[idx], lo + np.floor(u["enterprise_months"][idx] * (hi - lo + 1)), 0)
    room = np.maximum(age - 1 - 12 * EARLIEST_WORK_AGE, 0)
    grassroots = np.minimum(grassroots, room)
    pre = np.minimum(grassroots + firms.astype(np.int64), room)
    work_age = np.maximum(np.minimum(_work_age(u["work"][idx]), age - 1 - pre), 16 * 12)
    d.work_start[idx] = d.birth[idx] + work_age
    d.grade_since[idx] = np.minimum(d.work_start[idx] + pre, scenario.start_month)
    d.prior_grassroots[idx] = grassroots


def _leader_careers(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray],
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
    work_age = np.maximum(np.minimum(_work_age(u["work"][idx]), d.grade_since[idx] - d.birth[idx] - entry), 16 * 12)
    d.work_start[idx] = d.birth[idx] + work_age


def _post_cap(scenario: Scenario) -> int:
    """Longest time in the current post for leaders: a year less than the rotation rule's limit (Art. 54)."""
    years = scenario.rotation.max_years_in_post
    return max(12, round(12 * (10 if years is None else years)) - 12)


def _posts_held(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray], max_held: int) -> None:
    """Distinct posts held in the grade: more likely the longer in grade; leaders past the post cap moved."""
    tenure = scenario.start_month - d.grade_since[idx]
    leader = d.grade[idx] > 0
    second = np.where(leader, np.minimum(0.85, tenure / 72), 0.3)
    draw = u["held"][idx]
    held = 1 + (draw < second) + ((tenure > 72) & (draw < 0.3 * second))
    held = np.where(tenure < 24, 1, np.minimum(held, max_held))
    d.posts_held[idx] = np.where(leader & (tenure > _post_cap(scenario)), np.maximum(held, 2), held)


def _post_since(scenario: Scenario, d: Draft, idx: np.ndarray, u: dict[str, np.ndarray]) -> None:
    """Start of the current post: the grade's start for a first post, else a year per earlier post later,
    and (leaders) within the post cap."""
    start, since, held = scenario.start_month, d.grade_since[idx], d.posts_held[idx]
    lo = since + 12 * (held - 1)
    lo = np.minimum(np.where(d.grade[idx] > 0, np.maximum(lo, start - _post_cap(scenario)), lo), start)
    later = lo + np.floor(u["post"][idx] * (start - lo + 1)).astype(np.int64)
    d.post_since[idx] = np.where(held == 1, since, later)


# --- grassroots experience -----------------------------------------------------------------------


def _grassroots(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Grassroots months: the current post in a grassroots unit, plus earlier spells (capped by months worked)."""
    start = scenario.start_month
    spell, length = rng.random(d.n), rng.random(d.n)
    lo, hi = PRIOR_GRASSROOTS_MONTHS
    prior = np.where(spell < PRIOR_GRASSROOTS_SHARE, lo + np.floor(length * (hi - lo + 1)).astype(np.int64), 0)
    prior = np.where(d.grade == 0, d.prior_grassroots, prior)
    current = np.where(d.grassroots_unit, start - d.post_since, 0)
    d.grassroots_months = np.minimum(prior + current, start - d.work_start)


def _division_level_grassroots(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Exactly DIVISION_LEVEL_GRASSROOTS_SHARE of division-level holders have GRASSROOTS_MONTHS or more.

    Those short of it are holders in non-grassroots units (a grassroots unit's holders have served there).
    """
    keys, length = rng.random(d.n), rng.random(d.n)
    idx = np.flatnonzero(np.isin(d.grade, scenario.role_indices("division_level")))
    short_n = len(idx) - round(DIVISION_LEVEL_GRASSROOTS_SHARE * len(idx))
    short = idx[_exactly(keys[idx] + d.grassroots_unit[idx], short_n)]
    worked = scenario.start_month - d.work_start
    d.grassroots_months[short] = np.minimum(np.floor(length[short] * GRASSROOTS_MONTHS), worked[short])
    need = np.setdiff1d(idx[d.grassroots_months[idx] < GRASSROOTS_MONTHS], short)
    top = GRASSROOTS_MONTHS + np.floor(length[need] * 48).astype(np.int64)
    d.grassroots_months[need] = np.minimum(top, worked[need])


# --- Youth Talent and probation ------------------------------------------------------------------


def _youth_talent(scenario: Scenario, d: Draft, rng: np.random.Generator) -> None:
    """Members of cohorts that started before the start date, drawn at random from each cohort's pool;
    a secondment still running on the start date has given them its grassroots months so far."""
    start = scenario.start_month
    for name, cohort in scenario.youth_talent.cohorts.items():
        keys = rng.random(d.n)
        began = dates.parse(cohort.start)
        if began >= start:
            continue
        pool = np.flatnonzero(_cohort_pool(scenario, d, cohort, began) & (d.cohort == ""))
        members = pool[_exactly(keys[pool], cohort.size)]
        d.cohort[members] = name
        _seconded(scenario, d, members, began, cohort.secondment_months)


def _cohort_pool(scenario: Scenario, d: Draft, cohort: Cohort, began: int) -> np.ndarray:
    """Holders who were in the cohort's grades and within its age cap when it began."""
    grades = [scenario.grade_index(g) for g in (cohort.grades or scenario.roles.section_level)]
    grades = [k for k in grades if k >= 0]
    below = np.array([round(12 * (scenario.grades[k].years_in_grade_below or 0)) for k in scenario.ladder])
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


def _probation(scenario: Scenario, d: Draft) -> None:
    """On probation: promoted within ``probation.months`` into a grade that puts their unit type on probation."""
    months, start = scenario.probation.months, scenario.start_month
    types = [scenario.grades[k].probation_in for k in scenario.ladder]
    applies = np.array([t in types[k] for k, t in zip(d.grade, d.unit_type)], dtype=bool)
    end = d.grade_since + months
    d.probation_end = np.where(applies & (d.grade > 0) & (months > 0) & (end > start), end, -1)


# --- 80后 section chiefs eligible for the first division-level grade -----------------------------


def _post80_section_eligible(scenario: Scenario, d: Draft, rng: np.random.Generator,
                             u: dict[str, np.ndarray], max_tenure: np.ndarray) -> None:
    """Exactly k (drawn in POST80_SECTION_ELIGIBLE) 80后 holders of the grade below the first division-level
    grade meet its rules; the others who would lack a second post at that level ("两个科长岗位").

    The rules are the package's defaults (MODEL.md section 3), so the district's history does not shift when
    a scenario relaxes a rule: the relaxed rule then shows at the start, as it should.
    """
    target = min(scenario.role_indices("division_level"))
    rules = _strict_rules(scenario, target)
    k = int(rng.integers(POST80_SECTION_ELIGIBLE[0], POST80_SECTION_ELIGIBLE[1] + 1))
    keys = rng.random(d.n)
    rows = np.flatnonzero((d.grade == target - 1) & ((d.birth // 12) // 10 == 198))
    ok = eligible(rules, d.pool(rows), scenario.start_month)
    needed = round(12 * (rules.years_in_grade_below or 0))
    room = scenario.start_month - d.birth[rows] - 12 * EARLIEST_WORK_AGE - entry_months(scenario)[target - 1]
    chosen = _exactly(keys[rows] - 2 * ok - (room >= needed), k)
    _make_eligible(scenario, d, rows[chosen & ~ok], rules, u, max_tenure)
    _lack_second_post(scenario, d, rows[~chosen & ok])


def _strict_rules(scenario: Scenario, target: int) -> Grade:
    """The package's default rules for grade ``target`` (the scenario's when the package has none)."""
    key = scenario.ladder[target]
    return default_grades().get(key, scenario.grades[key])


def _make_eligible(scenario: Scenario, d: Draft, idx: np.ndarray, rules: Grade, u: dict[str, np.ndarray],
                   max_tenure: np.ndarray) -> None:
    """Give holders ``idx`` the years in grade, posts and grassroots months that ``rules`` ask for."""
    _leader_careers(scenario, d, idx, u, max_tenure, round(12 * (rules.years_in_grade_below or 0)))
    d.posts_held[idx] = np.maximum(d.posts_held[idx], max(2, rules.posts_held_below or 1))
    _post_since(scenario, d, idx, u)
    need = round(12 * (rules.grassroots_years or 0)) + np.floor(u["prior_months"][idx] * 24).astype(np.int64)
    d.grassroots_months[idx] = np.minimum(np.maximum(d.grassroots_months[idx], need),
                                          scenario.start_month - d.work_start[idx])


def _lack_second_post(scenario: Scenario, d: Draft, idx: np.ndarray) -> None:
    """Holders ``idx`` have held only their current post in the grade."""
    d.posts_held[idx] = 1
    d.post_since[idx] = d.grade_since[idx]
    stint = np.where(d.grassroots_unit[idx], scenario.start_month - d.post_since[idx], 0)
    d.grassroots_months[idx] = np.maximum(d.grassroots_months[idx], stint)
