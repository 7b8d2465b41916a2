"""Invariants over random small districts and scenarios (hypothesis).

The engine itself raises InvariantError when a post has two holders, a cadre holds two
posts or a post of another grade, headcount is not conserved, or a promotion breaks a rule
in force without being recorded as an exception (an independent scalar re-check, which
counts a rule's fractional years in months as eligibility does). These
tests drive it through many random organizations and levers and check what remains.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadresim import dates
from cadresim.engine.schedule import simulate
from conftest import tiny, unit

GRADES = ["staff", "deputy_section", "section", "deputy_division", "division", "deputy_bureau"]
YEARS = st.integers(0, 500).map(lambda k: k / 100)  # fractional years, which the audit re-checks in months
AGES = {"staff": (23, 58), "deputy_section": (27, 54), "section": (30, 54), "deputy_division": (36, 54),
        "division": (42, 57), "deputy_bureau": (46, 59)}


@st.composite
def districts(draw):
    units = []
    for uid in range(draw(st.integers(1, 4))):
        utype = draw(st.sampled_from(["bureau", "street_town"]))
        posts = {g: draw(st.integers(0, 4)) for g in GRADES[:5]}
        posts["staff"] = draw(st.integers(1, 6))
        units.append(unit(uid, utype, **posts))
    units.append(unit(len(units), "district_leadership", deputy_bureau=draw(st.integers(0, 3))))
    cadres = []
    start = dates.parse("2014-03")
    for u in units:
        for g in GRADES:
            for _ in range(u.get(f"posts_{g}", 0)):
                if draw(st.booleans()) and g != "staff" and len(cadres) % 5 == 0:
                    continue  # leave some posts open at the start
                age = draw(st.integers(*AGES[g]))
                birth = start - 12 * age - draw(st.integers(0, 11))
                work = birth + 12 * draw(st.integers(18, min(22, age)))
                since = draw(st.integers(work, start))
                cadres.append({
                    "cadre_id": len(cadres), "birth": birth, "female": draw(st.booleans()), "work_start": work,
                    "grade": g, "grade_since": since, "unit_id": u["unit_id"], "post_since": since,
                    "last_promotion": since if g != "staff" else -1, "posts_held": draw(st.integers(1, 3)),
                    "grassroots_months": draw(st.integers(0, start - work)), "enterprise": False, "cohort": "",
                    "probation_end": -1, "secondment_end": -1})
    return units, cadres


levers = st.fixed_dictionaries({
    "rotation": st.fixed_dictionaries({"cross_unit_rate": st.floats(0, 0.5), "internal_rate": st.floats(0, 0.4),
                                       "targeting": st.sampled_from(["random", "young", "lacking"]),
                                       "cross_type_share": st.one_of(st.none(), st.floats(0, 1))}),
    "secondment": st.fixed_dictionaries({"count": st.integers(0, 3)}),
    "probation": st.fixed_dictionaries({"fail_rate": st.floats(0, 0.5)}),
    "selection": st.fixed_dictionaries({"cascade": st.booleans(), "rounds": st.sampled_from([[3, 6, 9, 12], "immediate"]),
                                        "exceptional": st.fixed_dictionaries({"per_year": st.integers(0, 2)})}),
    "reshuffle": st.fixed_dictionaries({"dates": st.sampled_from([[], ["2016-12"], ["2015-06", "2016-12"]])}),
    "youth_talent": st.fixed_dictionaries({"cohorts": st.fixed_dictionaries(
        {"c2": st.fixed_dictionaries({"start": st.just("2014-09"), "size": st.integers(0, 3)})})}),
    "grades": st.fixed_dictionaries({g: st.fixed_dictionaries({"exit_rate": st.floats(0, 0.3)}) for g in GRADES[:1]}
                                    | {g: st.fixed_dictionaries({"exit_rate": st.floats(0, 0.3), "years_in_grade_below":
                                                                 YEARS}) for g in GRADES[1:]}),
})


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(districts(), levers, st.integers(0, 1000))
def test_random_districts_keep_every_invariant(district, lever, seed):
    units, cadres = district
    scenario, roster = tiny(units, cadres, lever)
    res = simulate(scenario, roster, seed, 0)  # raises InvariantError on any broken invariant
    ev, end = res.events, scenario.end_month
    # nobody still in the organization past the month they had to leave
    assert np.all(res.final["leave_month"] > end)
    # every fill belongs to a chain that was opened (posts open at the start included)
    opened = set(ev.loc[ev["event"] == "vacancy_opened", "chain_id"])
    fills = ev[ev["event"] == "vacancy_filled"]
    assert set(fills["chain_id"]) <= opened
    # a chain never fills more posts than it has moved through grades plus sideways moves
    per_chain = fills.groupby("chain_id").size()
    assert (per_chain <= len(GRADES) + ev["event"].eq("rotation").sum() + ev["event"].eq("placement").sum()).all()
    # promotions go one grade up
    promos = ev[ev["event"] == "promotion"]
    assert promos["grade"].isin(GRADES[1:]).all()
