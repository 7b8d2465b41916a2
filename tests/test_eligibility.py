import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadresim import dates
from cadresim.rules.audit import Candidate, breaches
from cadresim.rules.eligibility import Pool, attribution, eligible, failures
from cadresim.rules.spans import months
from cadresim.scenario.schema import Grade, default_grades

NOW = dates.parse("2014-03")
RULES = default_grades()["deputy_division"]  # 3y in grade, 5y work, 2y grassroots, 2 posts, age <= 45


def pool(**kw) -> Pool:
    base = dict(birth=dates.parse("1980-01"), work_start=dates.parse("2003-07"),
                grade_since=NOW - 36, grassroots_months=24, posts_held=2, probation_end=-1)
    base.update(kw)
    return Pool(*(np.atleast_1d(np.asarray(base[f])) for f in Pool.__dataclass_fields__))


def test_a_cadre_exactly_at_every_threshold_is_eligible():
    assert eligible(RULES, pool(), NOW).tolist() == [True]


def test_each_rule_fails_one_month_short():
    cases = {
        "years_in_grade_below": pool(grade_since=NOW - 35),
        "years_of_work": pool(work_start=NOW - 59),
        "grassroots_years": pool(grassroots_months=23),
        "posts_held_below": pool(posts_held=1),
        "age_ceiling": pool(birth=NOW - 12 * 46),
        "probation": pool(probation_end=NOW + 1),
    }
    for rule, p in cases.items():
        fails = failures(RULES, p, NOW)
        assert fails[rule].tolist() == [True], rule
        assert [r for r, f in fails.items() if f[0]] == [rule]
        assert eligible(RULES, p, NOW).tolist() == [False]


def test_age_ceiling_uses_completed_years():
    # born 1968-04: 45 until 2014-03 inclusive, 46 from 2014-04
    assert eligible(RULES, pool(birth=dates.parse("1968-04")), NOW).tolist() == [True]
    assert eligible(RULES, pool(birth=dates.parse("1968-03")), NOW).tolist() == [False]


def test_rules_switched_off_are_not_checked():
    relaxed = RULES.model_copy(update={"posts_held_below": None, "grassroots_years": None})
    assert eligible(relaxed, pool(posts_held=1, grassroots_months=0), NOW).tolist() == [True]


def test_attribution_marks_the_binding_rule():
    p = Pool(*(np.concatenate([getattr(a, f) for a in (pool(posts_held=1), pool(posts_held=1, grassroots_months=0))])
               for f in Pool.__dataclass_fields__))
    attr = attribution(RULES, p, NOW)
    fail, alone = attr["posts_held_below"]
    assert fail.tolist() == [True, True]
    assert alone.tolist() == [True, False]


# --- one conversion of years to months, shared by eligibility and the audit ------------------------

YEARS = st.integers(0, 1000).map(lambda k: k / 100)  # 0 to 10 years in steps of 0.01
AUDIT_NAMES = {"years_in_grade_below": "years in grade below", "years_of_work": "years of work",
               "grassroots_years": "grassroots experience", "posts_held_below": "posts held",
               "age_ceiling": "age ceiling", "probation": "on probation"}


def test_a_span_is_the_fewest_whole_months_at_least_that_long():
    assert (months(2), months(2.0), months(1.04), months(0.5), months(0), months(7 / 12)) == (24, 24, 13, 6, 0, 7)
    for k in range(0, 1001):  # exact arithmetic: 12 * k / 100 months, rounded up
        assert months(k / 100) == math.ceil(Fraction(12 * k, 100)), k / 100


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.none(), YEARS), st.one_of(st.none(), YEARS), st.one_of(st.none(), YEARS),
       st.one_of(st.none(), st.integers(1, 3)), st.one_of(st.none(), st.integers(30, 60)),
       st.integers(0, 130), st.integers(0, 130), st.integers(0, 130), st.integers(1, 3), st.integers(25, 60),
       st.integers(-1, 3))
@pytest.mark.slow
def test_eligibility_and_the_audit_always_agree(in_grade, work, grassroots, posts, ceiling, months_in_grade,
                                                months_worked, grassroots_months, posts_held, age_years, probation):
    rules = Grade(years_in_grade_below=in_grade, years_of_work=work, grassroots_years=grassroots,
                  posts_held_below=posts, age_ceiling=ceiling)
    birth, probation_end = NOW - 12 * age_years - 5, (NOW + probation if probation >= 0 else -1)
    facts = dict(birth=birth, work_start=NOW - months_worked, grade_since=NOW - months_in_grade,
                 grassroots_months=grassroots_months, posts_held=posts_held, probation_end=probation_end)
    fails = failures(rules, pool(**facts), NOW)
    failed = {AUDIT_NAMES[rule] for rule, f in fails.items() if f[0]}
    assert failed == set(breaches(rules, Candidate(grade=2, **facts), target=3, now=NOW))
    assert eligible(rules, pool(**facts), NOW)[0] == (not failed)


def test_a_fractional_year_rule_counts_the_months_it_asks_for():
    rules = Grade(years_in_grade_below=1.04)  # 12.48 months: 13 months in grade
    assert eligible(rules, pool(grade_since=NOW - 12), NOW).tolist() == [False]
    assert eligible(rules, pool(grade_since=NOW - 13), NOW).tolist() == [True]
    assert breaches(rules, Candidate(2, dates.parse("1980-01"), NOW - 100, NOW - 12, 0, 1, -1), 3, NOW) == [
        "years in grade below"]
