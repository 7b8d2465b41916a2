"""What readers see of scenarios and settings: titles, setting labels and their Chinese text, unit names."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadresim.district.synthetic import unit_names
from cadresim.engine.districts import one_roster as generate
from cadresim.report import setting_labels
from cadresim.scenario import docs as docgen
from cadresim.scenario.loader import load_scenario, scenario_hash

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_every_setting_and_cited_source_has_its_chinese_text():
    keys = {row.key for table in docgen.tables() for row in table.rows if not row.mapping}
    assert keys - set(setting_labels.MEANINGS_ZH) == set(), "add the Chinese meaning of new settings"
    assert set(setting_labels.MEANINGS_ZH) - keys == set(), "a Chinese meaning of a setting that is gone"
    assert set(docgen.CITATIONS) == set(setting_labels.CITATIONS_ZH)


def test_settings_read_as_words():
    assert setting_labels.setting_label("youth_talent.cohorts.c2.size") == "Youth Talent cohort c2: members"
    assert setting_labels.setting_label("rotation.cross_unit_rate").startswith("Rotation: yearly probability")
    assert setting_labels.setting_label("grades.deputy_division.age_ceiling").startswith("Deputy division head: ")
    assert setting_labels.setting_label("youth_talent.cohorts.c2.size", "zh") == "青年英才c2期：学员人数"
    assert setting_labels.meaning("grades.section.age_ceiling", "zh").startswith("任职条件：晋升到本职级时的最高年龄")
    assert setting_labels.citation("grades.deputy_division.years_of_work", "zh").startswith("《条例》第八条第一项")
    assert setting_labels.citation("retirement.male") == docgen.citation("retirement.male")


@pytest.mark.parametrize("value, en, zh", [(1 / 3, "0.333", "0.333"), (0.015, "0.015", "0.015"), (3.0, "3", "3"),
                                           (None, "null", "不设"), (True, "true", "是"), ([3, 6], "[3, 6]", "[3, 6]")])
def test_setting_values_are_written_as_readers_write_them(value, en, zh):
    assert setting_labels.value_text(value) == en and setting_labels.value_text(value, "zh") == zh


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_has_an_english_and_a_chinese_title(path):
    title = load_scenario(path).title
    assert title.en and title.zh and any("\u4e00" <= c <= "\u9fff" for c in title.zh)


def test_a_title_is_not_inherited_and_changes_no_number(tmp_path):
    (tmp_path / "base.yaml").write_text("name: base\ntitle: {en: Base, zh: 基准}\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\n", encoding="utf-8")
    base, child = load_scenario(tmp_path / "base.yaml"), load_scenario(tmp_path / "child.yaml")
    assert child.title.en == "" and child.title.text("zh", child.name) == "child"
    assert base.title.text("zh", base.name) == "基准" and scenario_hash(base) == scenario_hash(child)


@pytest.mark.parametrize("name", ["baseline", "city"])
def test_unit_names_of_the_synthetic_district_in_english_and_chinese(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    units = generate(scenario).units
    english, chinese = unit_names(scenario), unit_names(scenario, "zh")
    assert english == dict(zip(units["unit_id"], units["name"])), "the English names are the roster's"
    assert set(chinese) == set(english)
    assert chinese[0].endswith("委办局01") and any(n.endswith("街镇01") for n in chinese.values())
    assert not any(n.startswith(("Bureau", "Street")) for n in chinese.values())
