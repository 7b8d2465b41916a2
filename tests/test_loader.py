"""Reading scenario files: defaults, errors with file and key, extends/merge, --set overrides, hashing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import load_scenario, scenario_from_dict, scenario_hash, with_overrides
from cadresim.scenario.schema import DEFAULT_LADDER, Cohort, Scenario

DATA = Path(__file__).parent / "data" / "scenarios"


def problems_of(path: Path, overrides: list[str] | None = None) -> list[Problem]:
    """The problems ``load_scenario`` reports for ``path`` (fails the test if it loads)."""
    with pytest.raises(InputError) as info:
        load_scenario(path, overrides=overrides)
    return info.value.problems


def only_problem(path: Path, overrides: list[str] | None = None) -> Problem:
    problems = problems_of(path, overrides)
    assert len(problems) == 1, problems
    return problems[0]


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults ------------------------------------------------------------------------------------


def test_empty_file_loads_the_defaults_named_after_the_file():
    s = load_scenario(DATA / "empty.yaml")
    assert s.name == "empty"
    assert s.model_dump(exclude={"name"}) == Scenario().model_dump(exclude={"name"})


def test_default_values_match_model_md():
    s = scenario_from_dict({})
    assert s.ladder == DEFAULT_LADDER
    assert (s.start, s.end, s.reshuffle.dates) == ("2014-03", "2017-06", ["2016-12"])
    assert [s.grades[g].age_ceiling for g in DEFAULT_LADDER[1:]] == [35, 40, 45, 50, 55]
    assert s.district.units["bureau"].posts == {"staff": 16, "deputy_section": 4, "section": 5,
                                                 "deputy_division": 2, "division": 1}
    assert s.youth_talent.cohorts == {"c1": Cohort(start="2013-03", size=40)}


def test_loaded_scenario_is_frozen():
    s = load_scenario(DATA / "empty.yaml")
    with pytest.raises(Exception):
        s.rotation.cross_unit_rate = 0.5  # type: ignore[misc]


# --- unknown keys, wrong types -------------------------------------------------------------------


def test_unknown_keys_name_file_path_and_nearest_key():
    path = DATA / "typos.yaml"
    found = {p.path: p for p in problems_of(path)}
    assert set(found) == {"rotaton", "rotation.cross_unit_rat", "grades.section.age_cieling"}
    assert {p.source for p in found.values()} == {str(path)}
    assert "did you mean 'rotation'?" in found["rotaton"].message
    assert "did you mean 'cross_unit_rate'?" in found["rotation.cross_unit_rat"].message
    assert "did you mean 'age_ceiling'?" in found["grades.section.age_cieling"].message
    assert "internal_rate" in found["rotation.cross_unit_rat"].message  # the allowed keys are listed


def test_unknown_key_in_a_base_file_names_the_base():
    problem = only_problem(DATA / "typo_child.yaml")
    assert problem.source == str(DATA / "typo_parent.yaml")
    assert problem.path == "secondment.cuont"
    assert "did you mean 'count'?" in problem.message


def test_unknown_key_inside_a_new_keyed_entry(tmp_path):
    path = write(tmp_path, "youth_talent:\n  cohorts:\n    c2:\n      sise: 60\n")
    problem = only_problem(path)
    assert (problem.source, problem.path) == (str(path), "youth_talent.cohorts.c2.sise")
    assert "did you mean 'size'?" in problem.message


def test_wrong_types_keep_the_full_dotted_path():
    path = DATA / "wrong_types.yaml"
    found = {p.path: p for p in problems_of(path)}
    assert set(found) == {"rotation.month", "rotation.internal_rate", "district.units.street_town.posts.staff"}
    assert found["rotation.month"].value == "april"
    assert "integer" in found["rotation.month"].message
    assert found["rotation.internal_rate"].value == "high"
    assert "number" in found["rotation.internal_rate"].message
    assert {p.source for p in found.values()} == {str(path)}


def test_out_of_range_probability_is_refused(tmp_path):
    problem = only_problem(write(tmp_path, "rotation:\n  cross_unit_rate: 1.5\n"))
    assert problem.path == "rotation.cross_unit_rate"
    assert problem.value == 1.5


def test_bad_year_month_is_refused(tmp_path):
    problem = only_problem(write(tmp_path, "end: June 2017\n"))
    assert problem.path == "end"
    assert "year-month" in problem.message


def test_a_bad_union_value_is_one_problem(tmp_path):
    problem = only_problem(write(tmp_path, "recruitment:\n  intake: lots\n"))
    assert problem.path == "recruitment.intake"


# --- impossible values ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, path, words", [
    ("district:\n  units:\n    bureau:\n      posts:\n        staff: -1\n",
     "district.units.bureau.posts.staff", "0 or more"),
    ("grades:\n  section:\n    age_ceiling: 20\n", "grades.section.age_ceiling", "entry age"),
    ("reshuffle:\n  dates: ['2013-12']\n", "reshuffle.dates[0]", "after the start"),
    ("snapshots: ['2018-01']\n", "snapshots[0]", "between start"),
    ("youth_talent:\n  cohorts:\n    c1:\n      start: '2018-03'\n", "youth_talent.cohorts.c1.start", "after the end"),
    ("end: '2014-01'\nreshuffle:\n  dates: []\n", "end", "after start"),
])
def test_impossible_values(tmp_path, text, path, words):
    file = write(tmp_path, text)
    problem = only_problem(file)
    assert (problem.source, problem.path) == (str(file), path)
    assert words in problem.message


def test_several_problems_are_all_reported_one_each():
    path = DATA / "impossible.yaml"
    problems = problems_of(path)
    assert sorted(p.path for p in problems) == sorted([
        "district.units.bureau.posts.staff", "grades.section.age_ceiling", "reshuffle.dates[0]",
        "snapshots[0]", "youth_talent.cohorts.c1.start"])
    assert {p.source for p in problems} == {str(path)}
    assert {p.path: p.value for p in problems}["district.units.bureau.posts.staff"] == -1


def test_error_text_lists_every_problem():
    with pytest.raises(InputError) as info:
        load_scenario(DATA / "impossible.yaml")
    assert len(str(info.value).splitlines()) == 5
    assert "impossible.yaml: grades.section.age_ceiling:" in str(info.value)


# --- YAML safety ---------------------------------------------------------------------------------


def test_malformed_yaml_names_file_and_line():
    problem = only_problem(DATA / "malformed.yaml")
    assert problem.source == str(DATA / "malformed.yaml")
    assert problem.path.startswith("line 4,")
    assert "not valid YAML" in problem.message


def test_python_tag_is_refused_and_never_run(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("os.system", lambda *a: calls.append(a) or 0)  # what an unsafe loader would call
    payload = '!!python/object/apply:os.system ["echo hacked"]'
    path = write(tmp_path, f"name: tagged\ndescription: {payload}\n")
    problem = only_problem(path)
    assert problem.source == str(path)
    assert "python/object/apply" in problem.message
    assert calls == []


def test_a_scenario_must_be_a_mapping(tmp_path):
    problem = only_problem(write(tmp_path, "- a\n- b\n"))
    assert "mapping" in problem.message


def test_missing_file_is_an_input_error(tmp_path):
    problem = only_problem(tmp_path / "nope.yaml")
    assert problem.source == str(tmp_path / "nope.yaml")


def test_duplicate_key_is_reported(tmp_path):
    problem = only_problem(write(tmp_path, "rotation:\n  month: 5\nrotation:\n  internal_rate: 0.1\n"))
    assert problem.path.startswith("line 3")


# --- extends and merging -------------------------------------------------------------------------


def test_extends_is_relative_to_the_file_and_merges_mappings():
    s = load_scenario(DATA / "sub" / "child.yaml")
    assert s.rotation.cross_unit_rate == 0.2  # child
    assert s.rotation.internal_rate == 0.05  # parent, kept by the deep merge
    assert s.rotation.month == 4  # package default
    assert (s.selection.score.merit, s.selection.score.years_in_grade) == (2.0, 0.2)
    assert s.youth_talent.cohorts["c1"].size == 30
    assert s.youth_talent.cohorts["c1"].start == "2013-03"  # default entry under the parent's change


def test_lists_are_replaced_whole():
    assert load_scenario(DATA / "parent.yaml").reshuffle.dates == ["2015-12", "2016-12"]
    assert load_scenario(DATA / "sub" / "child.yaml").reshuffle.dates == ["2016-12"]


def test_child_name_defaults_to_the_child_file_stem():
    assert load_scenario(DATA / "parent.yaml").name == "parent-name"
    child = load_scenario(DATA / "sub" / "child.yaml")
    assert child.name == "child"
    assert child.description == "a base scenario that child files extend"  # other keys are inherited
    assert child.extends is None


def test_null_drops_a_cohort_in_a_single_file():
    assert "c1" not in load_scenario(DATA / "no_cohort.yaml").youth_talent.cohorts


def test_null_drops_a_cohort_defined_by_the_base():
    cohorts = load_scenario(DATA / "drop_parent_cohort.yaml").youth_talent.cohorts
    assert "c3" in load_scenario(DATA / "parent.yaml").youth_talent.cohorts
    assert "c3" not in cohorts
    assert cohorts["c1"].size == 30


def test_null_drops_a_default_cohort_through_extends():
    assert "c1" not in load_scenario(DATA / "drop_default_cohort.yaml").youth_talent.cohorts


def test_extends_cycle_is_an_input_error_naming_the_files():
    problem = only_problem(DATA / "cycle_a.yaml")
    assert problem.path == "extends"
    assert "cycle" in problem.message
    assert problem.source in {str(DATA / "cycle_a.yaml"), str(DATA / "cycle_b.yaml")}
    assert "cycle_a.yaml" in problem.message and "cycle_b.yaml" in problem.message


def test_missing_extends_file_is_an_input_error_naming_the_file():
    problem = only_problem(DATA / "missing_parent.yaml")
    assert (problem.source, problem.path) == (str(DATA / "missing_parent.yaml"), "extends")
    assert "does_not_exist.yaml" in str(problem.value)


def test_extends_must_be_a_string(tmp_path):
    problem = only_problem(write(tmp_path, "extends: [a.yaml]\n"))
    assert problem.path == "extends"


def test_a_problem_in_an_inherited_list_names_the_base():
    problem = only_problem(DATA / "reshuffle_child.yaml")
    assert problem.path == "reshuffle.dates[0]"
    assert problem.source == str(DATA / "reshuffle_parent.yaml")


# --- --set overrides -----------------------------------------------------------------------------


def test_set_overrides_apply_last_and_create_a_new_cohort_with_defaults():
    s = load_scenario(DATA / "parent.yaml",
                      overrides=["youth_talent.cohorts.c2.size=60", "rotation.cross_unit_rate=0.15"])
    assert s.rotation.cross_unit_rate == 0.15
    assert s.rotation.internal_rate == 0.05
    assert s.youth_talent.cohorts["c2"] == Cohort(size=60)
    assert s.youth_talent.cohorts["c2"].start == "2014-09"
    assert s.youth_talent.cohorts["c1"].size == 30
    assert s.name == "parent-name"


def test_bad_set_key_is_reported_as_from_set():
    problem = only_problem(DATA / "empty.yaml", overrides=["rotation.cross_unit_rat=0.15"])
    assert (problem.source, problem.path) == ("--set", "rotation.cross_unit_rat")
    assert "did you mean 'cross_unit_rate'?" in problem.message


def test_bad_set_value_is_reported_as_from_set():
    problem = only_problem(DATA / "empty.yaml", overrides=["rotation.month=april"])
    assert (problem.source, problem.path, problem.value) == ("--set", "rotation.month", "april")


def test_set_without_equals_sign_is_reported():
    problem = only_problem(DATA / "empty.yaml", overrides=["rotation.month"])
    assert problem.source == "--set"
    assert "dotted.key=value" in problem.message


def test_problem_from_file_is_not_blamed_on_set():
    problems = problems_of(DATA / "typos.yaml", overrides=["rotation.month=5"])
    assert "--set" not in {p.source for p in problems}


def test_with_overrides_returns_a_revalidated_copy():
    base = scenario_from_dict({})
    changed = with_overrides(base, {"rotation.cross_unit_rate": 0.15, "youth_talent.cohorts.c2.size": 60})
    assert changed.rotation.cross_unit_rate == 0.15
    assert changed.youth_talent.cohorts["c2"] == Cohort(size=60)
    assert base.rotation.cross_unit_rate == 0.05
    with pytest.raises(InputError) as info:
        with_overrides(base, {"rotation.cross_unit_rate": 2.0})
    assert [(p.source, p.path) for p in info.value.problems] == [("--set", "rotation.cross_unit_rate")]


# --- hashing -------------------------------------------------------------------------------------


def test_scenario_hash_follows_parameters_not_labels():
    base = scenario_from_dict({})
    assert scenario_hash(base) == scenario_hash(scenario_from_dict({}))
    relabelled = with_overrides(base, {"name": "other", "description": "another text"})
    assert scenario_hash(relabelled) == scenario_hash(base)
    assert scenario_hash(with_overrides(base, {"rotation.cross_unit_rate": 0.15})) != scenario_hash(base)
    assert scenario_hash(with_overrides(base, {"youth_talent.cohorts.c2.size": 60})) != scenario_hash(base)


# --- custom ladders ------------------------------------------------------------------------------


def test_three_grade_ladder_needs_no_default_grades():
    s = load_scenario(DATA / "three_grades.yaml")
    assert s.ladder == ["g1", "g2", "g3"]
    assert set(s.grades) == {"g1", "g2", "g3"}
    assert s.grades["g3"].years_in_grade_below == 3
    assert set(s.district.units) == {"office"}
    assert s.district.units["office"].posts == {"g1": 10, "g2": 4, "g3": 1}
    assert s.district.generator == "simple"
    assert (s.roles.section_level, s.roles.division_head) == ([], None)
    assert s.youth_talent.cohorts == {} and s.recruitment.lateral == {}


def test_custom_ladder_reports_a_grade_without_an_entry(tmp_path):
    text = (DATA / "three_grades.yaml").read_text(encoding="utf-8")
    text = text.replace("  g2: {", "  g9: {").replace("g2: 4, ", "")
    found = {p.path: p for p in problems_of(write(tmp_path, text))}
    assert set(found) == {"grades.g2", "grades.g9"}
    assert "no entry" in found["grades.g2"].message
    assert "not a grade of the ladder" in found["grades.g9"].message


def test_custom_ladder_still_requires_its_own_grades(tmp_path):
    text = (DATA / "three_grades.yaml").read_text(encoding="utf-8").replace("  g2: {", "  g9: {")
    found = {p.path for p in problems_of(write(tmp_path, text))}
    assert {"grades.g2", "grades.g9"} <= found
