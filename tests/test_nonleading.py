"""Non-leading ranks (非领导职务) on tiny hand-made districts: the months and the people each rule moves."""

from __future__ import annotations

from cadresim import dates
from cadresim.engine.schedule import setup
from cadresim.processes.selection import candidates
from conftest import at, cadre, events, tiny, unit

ON = {"nonleading": {"enabled": True}}



def test_a_section_chief_at_55_steps_down_to_principal_staff_member_and_retires_at_60():
    sc, roster = tiny([unit(0, staff=2, section=1)], [cadre(0, "section", birth="1959-06", since="2005-01")],
                      ON | {"end": "2019-12"})
    res, ev = events(sc, roster)
    down = at(ev, "to_nonleading", cadre_id=0)
    assert down[["date", "grade", "detail"]].values.tolist() == [["2014-07", "section", "age"]]
    assert at(ev, "vacancy_filled", cadre_id=0, detail="nonleading")["grade"].tolist() == ["staff"]
    assert at(ev, "exit", cadre_id=0)[["date", "detail"]].values.tolist() == [["2019-07", "age"]]


def test_with_the_track_off_the_chief_leaves_at_55():
    sc, roster = tiny([unit(0, staff=2, section=1)], [cadre(0, "section", birth="1959-06", since="2005-01")])
    _, ev = events(sc, roster)
    assert at(ev, "exit", cadre_id=0)["date"].tolist() == ["2014-07"] and at(ev, "to_nonleading").empty


def test_a_step_down_without_a_vacant_staff_post_is_over_the_establishment():
    sc, roster = tiny([unit(0, staff=1, section=1)], [cadre(0, "section", birth="1959-06", since="2005-01"),
                                                       cadre(1, "staff", birth="1985-01", since="2008-07")], ON)
    _, ev = events(sc, roster)
    assert at(ev, "to_nonleading", cadre_id=0)["detail"].tolist() == ["age;over_establishment"]


def test_the_december_review_appoints_within_half_the_establishment_longest_serving_first():
    # 4 staff posts: room for 2 section-level ranks; three staff qualify (3+ years), the two longest win
    staff = [cadre(i, "staff", birth="1985-01", since=s, work=s) for i, s in
             enumerate(["2006-07", "2008-07", "2010-07", "2013-07"])]
    sc, roster = tiny([unit(0, staff=4)], staff, ON | {"end": "2014-12"})
    _, ev = events(sc, roster)
    made = at(ev, "nonleading_appointment")
    assert made[["date", "cadre_id", "grade"]].values.tolist() == [["2014-12", 0, "deputy_section"],
                                                                  ["2014-12", 1, "deputy_section"]]


def test_over_quota_holders_are_kept_and_block_new_appointments():
    staff = [cadre(0, "deputy_section", since="2005-01", posts_held=0, nonleading=True),
             cadre(1, "section", since="2005-01", posts_held=0, nonleading=True),
             cadre(2, "staff", birth="1985-01", since="2006-07", work="2006-07")]
    sc, roster = tiny([unit(0, staff=3)], staff, ON | {"end": "2014-12"})
    res, ev = events(sc, roster)
    # quota floor(0.5 x 3) = 1, held 2: no one appointed; the 副主任科员 (9 years at 副科级) becomes 主任科员? no:
    # 主任科员 is in the same section-level group, which is full
    assert at(ev, "nonleading_appointment").empty
    assert sorted(res.final["key"][res.final["nonleading"]].tolist()) == [0, 1]


def test_a_principal_staff_member_takes_a_vacant_section_chief_post_keeping_time_at_level():
    sc, roster = tiny([unit(0, staff=2, section=1)], [
        cadre(0, "section", birth="1978-01", since="2009-01", posts_held=0, nonleading=True)], ON)
    res, ev = events(sc, roster)
    took = at(ev, "leading_appointment", cadre_id=0)
    assert took[["date", "grade", "detail"]].values.tolist() == [["2014-03", "section", "from_nonleading"]]
    i = list(res.final["key"]).index(0)
    assert not res.final["nonleading"][i] and res.final["grade_since"][i] == dates.parse("2009-01")
    assert res.final["posts_held"][i] == 1


def test_a_non_leading_holder_above_the_age_ceiling_cannot_take_a_leading_post():
    sc, roster = tiny([unit(0, staff=2, section=1)], [
        cadre(0, "section", birth="1970-01", since="2009-01", posts_held=0, nonleading=True)], ON)
    _, ev = events(sc, roster)
    assert at(ev, "leading_appointment").empty and len(at(ev, "vacancy_left_open"))


def test_time_at_level_opens_the_next_level_but_only_leading_posts_count_for_two_posts():
    start = dates.parse("2014-03")
    sc, roster = tiny([unit(0, staff=2, section=1, deputy_division=1)], [
        cadre(0, "section", birth="1978-01", since="2006-01", posts_held=2, nonleading=True),
        cadre(1, "section", birth="1979-01", since="2006-01", posts_held=0, nonleading=True),
        cadre(2, "section", birth="1980-01", since="2012-01", posts_held=1)], ON)
    run = setup(sc, roster, 1, 0, False)
    pool = candidates(run, sc.ladder.index("deputy_division"), start)
    keys = run.org.key[pool.idx]
    assert dict(zip(keys[:3].tolist(), pool.ok[:3].tolist())) == {0: True, 1: False, 2: False}
    off = tiny([unit(0, staff=2, section=1, deputy_division=1)], roster.cadres.to_dict("records"),
               {"nonleading": {"enabled": True, "opens_next_level": False}})
    run = setup(*off, 1, 0, False)
    pool = candidates(run, sc.ladder.index("deputy_division"), start)
    assert run.org.key[pool.idx].tolist() == [2]


def test_a_failed_probation_after_a_leading_appointment_returns_to_the_rank():
    sc, roster = tiny([unit(0, staff=2, section=1)], [
        cadre(0, "section", birth="1978-01", since="2009-01", posts_held=0, nonleading=True)],
        ON | {"probation": {"fail_rate": 1.0}})
    res, ev = events(sc, roster)
    fail = at(ev, "probation_fail", cadre_id=0)
    assert fail[["date", "detail"]].values.tolist()[0] == ["2015-03", "same_level"]  # and again each year
    i = list(res.final["key"]).index(0)
    assert res.final["grade_since"][i] == dates.parse("2009-01")


def test_pools_drawn_up_at_once_never_promote_a_rank_holder_twice():
    # a 副调研员 sits in the 正处 pool (the level below) and in the 副处 pool (their own level); the
    # reshuffle's young-member fill draws up both pools before filling: once promoted, they are out of both
    from cadresim.processes.selection import fill

    start = dates.parse("2014-03")
    sc, roster = tiny([unit(0, staff=2, deputy_division=1, division=1)], [
        cadre(0, "deputy_division", birth="1975-01", since="2008-01", posts_held=0, nonleading=True)], ON)
    run = setup(sc, roster, 1, 0, False)
    g = sc.ladder.index("division")
    pools = {k: candidates(run, k, start) for k in (g - 1, g)}
    posts = {k: int(run.org.vacancies(k)[0]) for k in (g - 1, g)}
    assert fill(run, posts[g], pools[g], start, set()) == 1
    assert fill(run, posts[g - 1], pools[g - 1], start, set()) == 0
