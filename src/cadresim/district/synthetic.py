"""The synthetic district: units, posts and the start roster.

Two generators, chosen by ``district.generator``:

* ``simple``: any ladder. Every post of every post-limited grade gets one holder with a
  plausible history that obeys the scenario's rules; nothing is calibrated.
* ``calibrated`` (the default): the default ladder, shaped so that the roster meets the
  start-date figures (the targets of :mod:`cadresim.district.calibration`) for every
  generator seed.

Both build the roster in stages on a :class:`cadresim.district.draft.Draft`. Every draw
comes from one ``np.random.default_rng`` seeded with ``district.seed`` and passed down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadresim.district.calibration import calibrated
from cadresim.district.draft import (EARLIEST_WORK_AGE, OLDEST_DRAWN_AGE, Draft, career_draws, careers,
                                     draw_enterprise, draw_grassroots, draw_sexes, draw_youth_talent, entry_months,
                                     fill_births, seats, set_probation)
from cadresim.district.roster import UNIT_COLUMNS, Roster
from cadresim.scenario.schema import DEFAULT_LADDER, Scenario, UnitType

SIMPLE_MAX_TENURE_YEARS = 8
UNIT_LABELS = {"bureau": "Bureau", "street_town": "Street/Town", "district_leadership": "District leadership",
               "city_bureau": "City bureau"}


def generate(scenario: Scenario) -> Roster:
    """The synthetic start roster of ``scenario``, deterministic given ``district.seed``.

    The calibrated district depends only on the scenario's ``district`` section and start date,
    not on its policy: it is built under the package's default rules, so every scenario over
    the same district starts from the same roster and their differences stay paired.

    Raises:
        InputError: when the calibrated generator is asked for a ladder it does not know.
    """
    if scenario.district.generator == "grown":
        raise ValueError("a grown district comes from cadresim.engine.districts, not from the generator")
    if scenario.district.generator == "calibrated" and scenario.ladder == DEFAULT_LADDER:
        scenario = Scenario(start=scenario.start, end=scenario.end, district=scenario.district)
    d = scenario.district
    if d.copies == 1 and all(u.level == "district" for u in d.units.values()):
        return _one_district(scenario)
    return _city(scenario)


def _one_district(scenario: Scenario) -> Roster:
    """One district from its own seed, with the generator the scenario names."""
    rng = np.random.default_rng(scenario.district.seed)
    units = unit_table(scenario)
    if scenario.district.generator == "calibrated":
        draft = calibrated(scenario, units, rng)
    else:
        draft = _simple(scenario, units, rng)
    return Roster(units.assign(district=0), draft.frame(scenario), scenario.start_month)


def _city(scenario: Scenario) -> Roster:
    """``district.copies`` districts, each generated on its own seed, and the city-level units
    (generated with the simple generator) above them; unit and cadre ids run on across parts."""
    parts = [(_one_district(sub), group, _prefix(group)) for sub, group in _city_parts(scenario)]
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


def _city_parts(scenario: Scenario) -> list[tuple[Scenario, int]]:
    """The parts of a city, in unit-id order: each district (group 0..) on its own seed, then the
    city-level units (group -1), each as a one-district scenario."""
    d = scenario.district
    local = {k: u for k, u in d.units.items() if u.level == "district"}
    city = {k: u for k, u in d.units.items() if u.level == "city"}
    parts = []
    for i in range(d.copies if local else 0):
        sub = d.model_copy(update={"units": local, "copies": 1, "seed": d.seed * 1000 + i})
        parts.append((scenario.model_copy(update={"district": sub}), i))
    if city:
        sub = d.model_copy(update={"units": city, "copies": 1, "seed": d.seed * 1000 + 999, "generator": "simple"})
        parts.append((scenario.model_copy(update={"district": sub}), -1))
    return parts


def _prefix(group: int, lang: str = "en") -> str:
    """What a city's unit names start with: its district ("D01 ", "01区"), nothing for city-level units."""
    if group < 0:
        return ""
    return f"{group + 1:02d}区" if lang == "zh" else f"D{group + 1:02d} "


def unit_name(key: str, utype: UnitType, i: int, lang: str = "en") -> str:
    """The name of the ``i``-th unit (from 0) of type ``key``: "Bureau 03" in English, "委办局03" in
    Chinese (the type's ``name_zh``; its English name where it has none); a type of one unit is
    named by its type alone."""
    zh = lang == "zh" and bool(utype.name_zh)
    label = utype.name_zh if zh else UNIT_LABELS.get(key, key.replace("_", " ").capitalize())
    return f"{label}{'' if zh else ' '}{i + 1:02d}" if utype.count > 1 else label


def unit_names(scenario: Scenario, lang: str = "en") -> dict[int, str]:
    """Every unit's name in ``lang`` by unit id, as :func:`generate` numbers the synthetic district's
    units (the English names are those of its roster)."""
    d = scenario.district
    if d.copies == 1 and all(u.level == "district" for u in d.units.values()):
        return dict(zip(unit_table(scenario)["unit_id"], unit_table(scenario, lang)["name"]))
    names: dict[int, str] = {}
    for sub, group in _city_parts(scenario):
        table = unit_table(sub, lang)
        names.update({len(names) + k: _prefix(group, lang) + name for k, name in enumerate(table["name"])})
    return names


def _simple(scenario: Scenario, units: pd.DataFrame, rng: np.random.Generator) -> Draft:
    """Plausible, rule-consistent holders for any ladder (rate-based grades stay empty)."""
    d = seats(scenario, units)
    draw_sexes(scenario, d, rng)
    draw_enterprise(d, rng)
    bands = _simple_bands(scenario)
    for k in np.unique(d.grade):
        fill_births(scenario, d, np.flatnonzero(d.grade == k), bands[k], rng)
    tenure = np.full(len(scenario.ladder), 12 * SIMPLE_MAX_TENURE_YEARS)
    careers(scenario, d, career_draws(d, rng), tenure, max_held=2)
    draw_grassroots(scenario, d, rng)
    draw_youth_talent(scenario, d, rng)
    set_probation(scenario, d)
    return d


def _simple_bands(scenario: Scenario) -> list[tuple[tuple[float, int, int], ...]]:
    """One band per grade: from the youngest age its rules allow up to its age limit."""
    entry = entry_months(scenario)
    bands = []
    for k, key in enumerate(scenario.ladder):
        young = max(scenario.recruitment.age[0] + 2 * k, EARLIEST_WORK_AGE + 1 + int(np.ceil(entry[k] / 12)))
        ceiling = scenario.grades[key].age_ceiling
        bands.append(((1.0, young if ceiling is None else min(young, ceiling), OLDEST_DRAWN_AGE),))
    return bands


def unit_table(scenario: Scenario, lang: str = "en") -> pd.DataFrame:
    """Units of every type in ``district.units`` (in order), ids 0.., named in ``lang``
    (:func:`unit_name`), with ``posts_<grade>`` columns."""
    rows = []
    for key, utype in scenario.district.units.items():
        for i in range(utype.count):
            rows.append({"unit_id": len(rows), "name": unit_name(key, utype, i, lang),
                         "type": key, **{f"posts_{g}": int(utype.posts.get(g, 0)) for g in scenario.ladder}})
    columns = [*UNIT_COLUMNS, *(f"posts_{g}" for g in scenario.ladder)]
    return pd.DataFrame(rows, columns=columns).astype({c: "int64" for c in columns if c.startswith("posts_")}
                                                       | {"unit_id": "int64"})
