import numpy as np

from cadresim import dates
from cadresim.rules.eligibility import Pool, attribution, eligible, failures
from cadresim.scenario.schema import default_grades

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
