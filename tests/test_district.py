"""The calibrated and simple generators (docs/model.md): every figure is recomputed here from the roster
table, never taken from the generator's internals. The grown district has its own tests (test_growth.py)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from cadresim import dates
from cadresim.district.draft import OLDEST_DRAWN_AGE
from cadresim.district.roster import CADRE_COLUMNS, Roster, check_roster
from cadresim.district.synthetic import generate
from cadresim.errors import InputError
from cadresim.rules.ages import NO_AGE_LIMIT, leave_months, limit_ages
from cadresim.rules.eligibility import Pool, eligible
from cadresim.scenario.loader import scenario_from_dict
from cadresim.scenario.schema import Scenario

SEEDS = range(1, 21)
DIVISION_LEVEL = ["deputy_division", "division"]
SCALED = {"bureau": {"count": 80}, "street_town": {"count": 26}}
THREE_GRADES = {
    "ladder": ["g1", "g2", "g3"],
    "grades": {"g1": {"exit_rate": 0.03},
               "g2": {"exit_rate": 0.02, "years_in_grade_below": 2, "age_ceiling": 40, "leaving_age": 55},
               "g3": {"exit_rate": 0.01, "years_in_grade_below": 3, "years_of_work": 5}},
    "district": {"generator": "simple",
                 "units": {"office": {"count": 2, "posts": {"g1": 20, "g2": 8, "g3": 2}},
                           "bureau": None, "street_town": None, "district_leadership": None}},
}


@functools.lru_cache(maxsize=None)
def district(seed: int, scaled: bool = False):
    units = SCALED if scaled else {}
    scenario = scenario_from_dict({"district": {"seed": seed, "units": units, "generator": "calibrated"}})
    return scenario, generate(scenario)


# --- independent views of the roster -------------------------------------------------------------


def decade(c: pd.DataFrame) -> pd.Series:
    return c["birth"] // 12 // 10 * 10


def age(c: pd.DataFrame, now: int) -> pd.Series:
    return (now - c["birth"]) // 12


def pool(c: pd.DataFrame) -> Pool:
    return Pool(*(c[f].to_numpy(np.int64) for f in ("birth", "work_start", "grade_since", "grassroots_months",
                                                     "posts_held", "probation_end")))


def eligible_for(s: Scenario, c: pd.DataFrame, target: str, now: int) -> pd.DataFrame:
    """Holders of the grade below ``target`` who meet its rules."""
    below = c[c["grade"] == s.ladder[s.ladder.index(target) - 1]]
    return below[eligible(s.grades[target], pool(below), now)]


def limit(s: Scenario, c: pd.DataFrame) -> pd.Series:
    """Age at which each cadre must leave: the grade's leaving age or retirement."""
    r, division = s.retirement, [s.ladder.index(g) for g in s.roles.division_level]
    senior = c["grade"].map(s.ladder.index) >= (min(division) if division else len(s.ladder))
    retire = np.where(c["female"], np.where(senior, r.female_senior or 999, r.female or 999), r.male or 999)
    leaving = c["grade"].map(lambda g: s.grades[g].leaving_age or 999)
    return pd.Series(np.minimum(retire, leaving), index=c.index)


def least_months_before(s: Scenario) -> dict[str, int]:
    """Fewest months from starting work to entering each grade: years in the grades below, years of work."""
    out, total = {}, 0
    for k, key in enumerate(s.ladder):
        g = s.grades[key]
        total = 0 if k == 0 else total + 12 * (g.years_in_grade_below or 0)
        total = max(total, 12 * (g.years_of_work or 0))
        out[key] = total
    return out


def assert_seats_match_posts(s: Scenario, roster) -> None:
    c, units = roster.cadres, roster.units
    assert list(c["cadre_id"]) == list(range(len(c)))
    order = list(zip(c["unit_id"], c["grade"].map(s.ladder.index)))
    assert order == sorted(order)
    for g in s.ladder:
        posts = units.set_index("unit_id")[f"posts_{g}"]
        want = posts if s.grades[g].kind == "post_limited" else posts * 0
        got = c[c["grade"] == g].groupby("unit_id").size().reindex(posts.index, fill_value=0)
        assert (got == want).all(), g


def assert_histories_obey_rules(s: Scenario, c: pd.DataFrame, now: int, max_posts: int) -> None:
    assert (age(c, now) < limit(s, c)).all(), "someone is at or past their leaving age"
    ceiling = c["grade"].map(lambda g: s.grades[g].age_ceiling or 999)
    promoted = c["last_promotion"] >= 0
    assert ((c["grade_since"] - c["birth"]) // 12 <= ceiling)[promoted].all()
    assert (c["grade_since"] - c["work_start"] >= c["grade"].map(least_months_before(s))).all()
    assert (c["work_start"] - c["birth"] >= 16 * 12).all()
    assert (c["post_since"] >= c["grade_since"]).all() and (c["post_since"] <= now).all()
    assert c["posts_held"].between(1, max_posts).all()
    assert ((c["posts_held"] == 1) <= (c["post_since"] == c["grade_since"])).all()
    assert (c["grassroots_months"] <= now - c["work_start"]).all() and (c["grassroots_months"] >= 0).all()
    bottom = c["grade"] == s.ladder[0]
    assert (c["last_promotion"] == np.where(bottom, -1, c["grade_since"])).all()


def assert_probation(s: Scenario, roster) -> None:
    c, now = roster.cadres, roster.start
    types = c["unit_id"].map(roster.units.set_index("unit_id")["type"])
    applies = np.array([t in s.grades[g].probation_in for g, t in zip(c["grade"], types)])
    recent = now - c["grade_since"] < s.probation.months
    want = np.where(applies & recent & (c["last_promotion"] >= 0), c["grade_since"] + s.probation.months, -1)
    assert (c["probation_end"] == want).all()


# --- the calibrated default district, seeds 1..20 ------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_roster_is_consistent(seed):
    s, roster = district(seed)
    assert check_roster(roster, s) == []
    assert list(roster.cadres.columns) == list(CADRE_COLUMNS)
    assert len(roster.units) == 54 and len(roster.cadres) == 2086
    assert roster.units["name"].iloc[[0, 40, 53]].tolist() == ["Bureau 01", "Street/Town 01", "District leadership"]
    assert_seats_match_posts(s, roster)
    assert_histories_obey_rules(s, roster.cadres, roster.start, max_posts=3)
    assert_probation(s, roster)


@pytest.mark.parametrize("seed", SEEDS)
def test_division_level_targets(seed):
    s, roster = district(seed)
    c, now = roster.cadres, roster.start
    div = c[c["grade"].isin(s.roles.division_level)]
    heads = c[c["grade"] == s.roles.division_head]
    assert len(div) == 237
    assert (decade(div) == 1980).sum() == 3
    assert 0.90 <= (div["grassroots_months"] >= 24).mean() <= 0.95
    assert 0.10 <= (decade(heads) == 1970).mean() <= 0.20
    assert 45 <= age(div, now).mean() <= 48


@pytest.mark.parametrize("seed", SEEDS)
def test_very_few_post80_section_chiefs_are_eligible(seed):
    s, roster = district(seed)
    c = roster.cadres
    ok = eligible_for(s, c, "deputy_division", roster.start)  # only 正科 holders are candidates
    assert 1 <= (decade(ok) == 1980).sum() <= 8
    assert (decade(c[c["grade"] == "section"]) == 1980).sum() >= 30  # many 80后 section chiefs, few eligible


@pytest.mark.parametrize("seed", SEEDS)
def test_youth_talent_cohort_is_mid_secondment(seed):
    s, roster = district(seed)
    c, cohort = roster.cadres, s.youth_talent.cohorts["c1"]
    began = dates.parse(cohort.start)
    members = c[c["cohort"] == "c1"]
    assert len(members) == cohort.size == 40
    assert set(c["cohort"]) == {"", "c1"}
    assert members["grade"].isin(["deputy_section", "section"]).all()
    assert (age(members, began) <= cohort.age_cap).all()
    assert (members["secondment_end"] == began + cohort.secondment_months).all()
    assert (members["secondment_end"] > roster.start).all()
    assert (c.loc[c["cohort"] == "", "secondment_end"] == -1).all()
    assert ((members["grade"] == "section") | (members["grade_since"] <= began)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_pools_of_eligible_candidates_are_healthy(seed):
    s, roster = district(seed)
    c, now = roster.cadres, roster.start
    section = eligible_for(s, c, "deputy_division", now)
    assert len(section) >= 30 and decade(section).isin([1960, 1970]).mean() > 0.8
    assert len(eligible_for(s, c, "division", now)) >= 24
    assert len(eligible_for(s, c, "deputy_bureau", now)) >= 15


@pytest.mark.parametrize("seed", SEEDS)
def test_people_and_time_in_post(seed):
    s, roster = district(seed)
    c, now = roster.cadres, roster.start
    leaders = c[c["grade"] != "staff"]
    assert 0.30 <= leaders["female"].mean() <= 0.40
    assert 0.45 <= c.loc[c["grade"] == "staff", "female"].mean() <= 0.55
    assert 0.06 <= c["enterprise"].mean() <= 0.10
    assert ((c["work_start"] - c["birth"]) // 12).between(22, 27).mean() > 0.9
    section_level = c[c["grade"].isin(s.roles.section_level)]
    assert (now - section_level["post_since"] < 120).all()  # the 10-year rule forces no move at the start


@pytest.mark.parametrize("seed", SEEDS)
def test_exits_for_age_are_steady(seed):
    """Age limits are reached as often in the first year as in the second: no start-up spike."""
    s, roster = district(seed)
    c = roster.cadres
    leave = c["birth"] + 12 * limit(s, c) + 1
    first = (leave < roster.start + 12).sum()
    second = ((leave >= roster.start + 12) & (leave < roster.start + 24)).sum()
    assert 2 / 3 <= first / second <= 1.5


def test_same_seed_same_roster_other_seed_other_roster():
    s = scenario_from_dict({"district": {"seed": 7, "generator": "calibrated"}})
    a, b = generate(s), generate(s)
    pd.testing.assert_frame_equal(a.cadres, b.cadres)
    pd.testing.assert_frame_equal(a.units, b.units)
    other = generate(scenario_from_dict({"district": {"seed": 8, "generator": "calibrated"}}))
    pd.testing.assert_frame_equal(a.units, other.units)
    assert not a.cadres.equals(other.cadres)


def test_a_scaled_district_meets_its_scaled_targets():
    s, roster = district(3, scaled=True)
    c, now = roster.cadres, roster.start
    assert check_roster(roster, s) == []
    assert_seats_match_posts(s, roster)
    assert_histories_obey_rules(s, c, now, max_posts=3)
    div = c[c["grade"].isin(DIVISION_LEVEL)]
    assert len(div) == 474 and (decade(div) == 1980).sum() == round(3 * 474 / 237)
    assert 0.90 <= (div["grassroots_months"] >= 24).mean() <= 0.95
    assert 0.10 <= (decade(c[c["grade"] == "division"]) == 1970).mean() <= 0.20
    assert 45 <= age(div, now).mean() <= 48
    assert 1 <= (decade(eligible_for(s, c, "deputy_division", now)) == 1980).sum() <= 8
    assert (c["cohort"] == "c1").sum() == 40


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_dynamics_have_no_start_up_spike(seed):
    """The calibrated district: one replication to 2016-11; division-level vacancies are filled in ordinary
    rounds and promotions in the first 12 months are at most 1.5 times those in the next 12."""
    from cadresim.engine.schedule import simulate

    s, roster = district(seed)
    ev = simulate(s, roster, 2014, 0).events
    start, last_round, end = roster.start, dates.parse("2016-09"), dates.parse("2016-11")
    promoted = ev.loc[ev["event"] == "promotion", "month"]
    assert (promoted < start + 12).sum() <= 1.5 * promoted.between(start + 12, start + 23).sum()
    div = ev[ev["grade"].isin(DIVISION_LEVEL)]
    opened = div[(div["event"] == "vacancy_opened") & (div["month"] <= last_round)].sort_values("month")
    fills = div[div["event"] == "vacancy_filled"].sort_values("month")
    served = pd.merge_asof(opened[["month", "post_id"]], fills[["month", "post_id", "detail"]].rename(
        columns={"month": "filled"}), left_on="month", right_on="filled", by="post_id", direction="forward")
    ordinary = (served["detail"] == "promotion") & (served["filled"] <= end)
    assert ordinary.mean() >= 0.90


# --- the simple generator ------------------------------------------------------------------------


def test_simple_generator_fills_a_custom_three_grade_ladder():
    s = scenario_from_dict(THREE_GRADES)
    roster = generate(s)
    c = roster.cadres
    assert check_roster(roster, s) == []
    assert roster.units["name"].tolist() == ["Office 01", "Office 02"]
    assert c["grade"].value_counts().to_dict() == {"g1": 40, "g2": 16, "g3": 4}
    assert_seats_match_posts(s, roster)
    assert_histories_obey_rules(s, c, roster.start, max_posts=2)
    assert (age(c, roster.start) >= s.recruitment.age[0]).all()
    assert (c["cohort"] == "").all() and (c["secondment_end"] == -1).all()
    assert_probation(s, roster)


def test_simple_generator_leaves_rate_based_grades_empty():
    data = {**THREE_GRADES, "grades": {**THREE_GRADES["grades"],
                                       "g2": {"kind": "rate_based", "promotion_rate": 0.2, "years_in_grade_below": 2}}}
    data["district"] = {**THREE_GRADES["district"], "units": {
        **THREE_GRADES["district"]["units"], "office": {"count": 2, "posts": {"g1": 20, "g3": 2}}}}
    s = scenario_from_dict(data)
    roster = generate(s)
    assert check_roster(roster, s) == []
    assert roster.cadres["grade"].value_counts().to_dict() == {"g1": 40, "g3": 4}
    assert (roster.units["posts_g2"] == 0).all()


def test_simple_generator_on_the_default_ladder_keeps_the_rules():
    s = scenario_from_dict({"district": {"generator": "simple", "seed": 4}})
    roster = generate(s)
    assert check_roster(roster, s) == []
    assert_seats_match_posts(s, roster)
    assert_histories_obey_rules(s, roster.cadres, roster.start, max_posts=2)
    assert (roster.cadres["cohort"] == "c1").sum() == 40


def test_calibrated_generator_refuses_a_ladder_it_does_not_know():
    data = {**THREE_GRADES, "district": {**THREE_GRADES["district"], "generator": "calibrated"}}
    with pytest.raises(InputError, match="simple"):
        generate(scenario_from_dict(data))


# --- one leaving rule for the engine, the roster check and the generator ---------------------------


def test_the_leaving_month_is_the_one_the_roster_check_and_the_engine_use():
    s, roster = district(1)
    c = roster.cadres
    grade = c["grade"].map(s.ladder.index).to_numpy()
    want = c["birth"] + 12 * limit(s, c) + 1
    assert (leave_months(s, c["birth"].to_numpy(), grade, c["female"].to_numpy()) == want).all()
    late = c.assign(birth=roster.start - 12 * (limit(s, c) + 1))  # a year past their limit
    flagged = check_roster(Roster(roster.units, late.iloc[:5], roster.start), s, rules=False)
    assert [p.message for p in flagged] == ["past the leaving or retirement age of the grade before the start "
                                           "date 2014-03"] * 5


def test_no_age_limit_keeps_a_cadre_and_the_simple_generator_draws_up_to_its_oldest_age():
    data = {**THREE_GRADES, "retirement": {"male": None, "female": None, "female_senior": None},
            "grades": {**THREE_GRADES["grades"], "g2": {**THREE_GRADES["grades"]["g2"], "leaving_age": None}}}
    s = scenario_from_dict(data)
    roster = generate(s)
    assert check_roster(roster, s) == []
    assert age(roster.cadres, roster.start).max() < OLDEST_DRAWN_AGE
    assert (limit_ages(s, np.array([0, 1, 2]), np.array([True, False, True])) == NO_AGE_LIMIT).all()
    old = roster.cadres.assign(birth=roster.start - 12 * 67)  # 67: no rule makes them leave
    assert check_roster(Roster(roster.units, old, roster.start), s, rules=False) == []


def test_the_simple_generator_counts_a_fractional_year_as_eligibility_does():
    data = {**THREE_GRADES, "grades": {**THREE_GRADES["grades"],
                                       "g2": {**THREE_GRADES["grades"]["g2"], "years_in_grade_below": 1.04}}}
    s = scenario_from_dict(data)
    roster = generate(s)
    assert check_roster(roster, s) == []
    assert_histories_obey_rules(s, roster.cadres, roster.start, max_posts=2)  # 13 months, not 12.48
