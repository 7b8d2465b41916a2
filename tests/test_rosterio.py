"""A district's own roster: date forms, Chinese headers, Excel, every broken roster, export round trip.

The valid fixture (tests/data/rosters/valid) is an HR file of 2014: a title row above the header, names
and ID-card numbers, older headers, mixed date forms and grassroots experience as a yes/no flag. Each file
in tests/data/rosters/broken breaks it in one way.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli as run_cli

from cadresim import dates
from cadresim.io import roster_cells as rostercells
from cadresim.io import roster_read as rosterio
from cadresim.io import roster_write as rosterwrite
from cadresim.report import roster_figures
from cadresim.engine.districts import one_roster as generate
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import load_scenario, scenario_from_dict, with_overrides
from cadresim.district.roster import check_roster, rule_breaches
from cadresim.engine.replications import run_scenario

ROOT = Path(__file__).resolve().parents[1]
ROSTERS = Path(__file__).parent / "data" / "rosters"
VALID = ROSTERS / "valid"
BROKEN = ROSTERS / "broken"
ym = dates.parse


def read(roster: Path = VALID / "roster.csv", units: Path = VALID / "units.csv", **scenario) -> rosterio.Loaded:
    return rosterio.read_files(scenario_from_dict(scenario), roster, units)


def problems_of(roster: Path, units: Path = VALID / "units.csv") -> list[Problem]:
    with pytest.raises(InputError) as info:
        read(roster, units)
    return info.value.problems


def cli(*args: object, env: dict | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr with whitespace runs made single spaces (the console wraps long lines);
    a traceback fails the test."""
    done = run_cli(*args, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, " ".join(done.stdout.split()), " ".join(done.stderr.split())


# --- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, expected", [
    ("2014-03", "2014-03"), ("2014.03", "2014-03"), ("2014.3", "2014-03"), ("2014/03", "2014-03"),
    ("2014年3月", "2014-03"), ("2014年03月05日", "2014-03"), ("201403", "2014-03"), ("19750305", "1975-03"),
    ("2014-03-05 00:00:00", "2014-03"), ("2014/3/1", "2014-03"), ("２０１４年３月", "2014-03"), ("1975.01", "1975-01"),
    ("1975.10", "1975-10"),
    (41700, "2014-03"), (41700.5, "2014-03"), (201403, "2014-03"), (19750305, "1975-03"), (1975.03, "1975-03"),
    (1975.3, "1975-03"), (1975.12, "1975-12"), (dt.datetime(1975, 3, 5), "1975-03"), (dt.date(1990, 12, 31), "1990-12"),
])
def test_date_forms_of_hr_files(cell, expected):
    assert dates.fmt(rostercells.parse_month(cell)) == expected


@pytest.mark.parametrize("cell, words", [
    (1975.1, "ambiguous"), ("1975.1", "ambiguous"), ("1975", "a year alone"), (1975, "a year alone"), ("2014-13", "no such month"),
    ("Mar-14", "like 2014-03"), ("七五年三月", "like 2014-03"), ("1850-01", "between 1900 and 2100"), (True, "not a date"),
])
def test_unreadable_dates_say_what_is_allowed(cell, words):
    with pytest.raises(ValueError, match=words):
        rostercells.parse_month(cell)


@pytest.mark.parametrize("cell, months", [("36", 36), (36.0, 36), ("3年", 36), ("3年6个月", 42), ("6个月", 6),
                                          ("2.5年", 30), ("是", 24), ("否", 0), ("有", 24), ("无", 0)])
def test_grassroots_as_months_durations_or_a_yes_no_flag(cell, months):
    assert rostercells.parse_grassroots(cell) == months
    assert rostercells.GRASSROOTS_FLAG_MONTHS == 24  # the documented assumption


@pytest.mark.parametrize("cell, female", [("女", True), ("女性", True), ("F", True), ("female", True),
                                          ("男", False), (" 男 ", False), ("M", False)])
def test_sex(cell, female):
    assert rostercells.parse_sex(cell) is female


def test_grade_and_type_names_accept_chinese_variants():
    s = scenario_from_dict({})
    names = rostercells.grade_names(s)
    assert [names[k] for k in ("科员", "副科级", "正科", "副处级", "正处级", "副局")] == s.ladder
    assert names["科员级"] == names["staff"] == "staff" and names["正处"] == "division"
    types = rostercells.type_names(s)
    assert types["街道"] == types["镇"] == types["街镇"] == "street_town" and types["委办局"] == "bureau"
    assert types["区领导"] == "district_leadership"


# --- the valid fixture: an HR file of 2014 -------------------------------------------------------


def test_chinese_headers_of_2014_title_row_and_mixed_dates():
    loaded = read()
    c = loaded.roster.cadres.set_index("cadre_id")
    assert len(c) == 24 and len(loaded.roster.units) == 4
    assert loaded.roster.ids[:3] == ("A001", "A002", "A003")  # the file's ids, in memory only
    first = c.loc[0]
    assert (first.birth, first.work_start, first.grade_since) == (ym("1975-03"), ym("1997-07"), ym("2010-06"))
    assert first.grade == "division" and first.grassroots_months == 24 and not first.female
    assert c.loc[3].birth == ym("1986-09") and c.loc[4].birth == ym("1990-01")  # 198609 and 1990/01
    assert c.loc[13].female and c.loc[13].unit_id == 2  # 朱红, 新华街道 (unit named, not numbered)
    units = loaded.roster.units
    assert units["type"].tolist() == ["bureau", "bureau", "street_town", "district_leadership"]
    assert units["posts_staff"].tolist() == [3, 3, 4, 0]  # 编制
    assert units["posts_deputy_bureau"].tolist() == [0, 0, 0, 2]


def test_names_and_id_numbers_are_dropped_unread_and_defaults_are_noted():
    loaded = read()
    frame = loaded.roster.cadres.astype(str)
    for needle in ("张伟", "310101197503150012", "汉族"):
        assert not frame.isin([needle]).any().any()
    notes = "\n".join(loaded.notes)
    assert "personal identifiers dropped unread: 姓名, 身份证号" in notes
    assert "columns not used: 序号, 民族, 学历" in notes
    assert "是/否 for 24 cadre(s): 是 counted as 24 months" in notes
    assert "posts_held_below (2)" in notes  # no posts column: no one meets the two-posts rule


def test_defaults_for_columns_a_2014_file_lacks():
    c = read().roster.cadres.set_index("cadre_id")
    assert (c["post_since"].loc[[0, 2]] == c["grade_since"].loc[[0, 2]]).all()
    assert c.loc[1].post_since == ym("2011-03")  # 任现职时间 given
    assert c.loc[4].last_promotion == -1 and c.loc[0].last_promotion == c.loc[0].grade_since
    assert (c["posts_held"] == 1).all() and not c["enterprise"].any() and (c["cohort"] == "").all()
    on_probation = c[c["probation_end"] >= 0]
    # only 林芳: 副科 in a street since 2013-06 (副处 in a street has no probation; the others are past it)
    assert on_probation.index.tolist() == [18] and on_probation.probation_end.iloc[0] == ym("2014-06")


def test_excel_input_with_date_cells_numbers_and_integer_ids(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    frame = pd.read_csv(VALID / "roster.csv", skiprows=1, dtype=str, encoding="utf-8-sig")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某区干部名册"])
    sheet.append(list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = list(row)
        cells[3] = 1001 + i  # 工号 as numbers
        birth = rostercells.parse_month(row[5])
        year, month = divmod(birth, 12)
        if i % 3 == 0:
            cells[5] = dt.datetime(year, month + 1, 15)  # a date cell
        elif i % 3 == 1 and month != 9:
            cells[5] = float(f"{year}.{month + 1:02d}")  # a number like 1975.03 (1975.1 would be ambiguous)
        cells[6] = (dt.date(1990, 8, 1) - dt.date(1899, 12, 30)).days if i == 1 else row[6]  # an Excel serial
        sheet.append(cells)
    sheet.append([None] * len(frame.columns))  # a blank row at the end
    book.save(tmp_path / "roster.xlsx")
    csv_roster, xlsx = read().roster, read(tmp_path / "roster.xlsx").roster
    pd.testing.assert_frame_equal(xlsx.cadres, csv_roster.cadres)
    assert xlsx.ids[:2] == ("1001", "1002") and xlsx.digests["roster"] != csv_roster.digests["roster"]


def test_english_headers_and_unit_ids(tmp_path):
    s = scenario_from_dict({})
    roster = read().roster
    rosterwrite.export_roster(roster, s, tmp_path, "csv", "en")
    header = (tmp_path / "roster.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("cadre_id,birth,sex,work_start,grade,title,nonleading,grade_since,unit_id,unit,")
    back = rosterio.read_files(s, tmp_path / "roster.csv", tmp_path / "units.csv").roster
    pd.testing.assert_frame_equal(back.cadres, roster.cadres)
    assert back.ids == roster.ids


# --- every kind of broken roster -----------------------------------------------------------------


BROKEN_CASES = {
    "missing_columns.csv": [("row 2", "missing column 出生年月 (birth)"), ("row 2", "missing column 性别 (sex)")],
    "bad_dates.csv": [("row 3, column 出生年月", "not a year and month"),
                      ("row 4, column 参加工作时间", "a year alone"),
                      ("row 5, column 任现职级时间", "no such month"), ("row 6, column 任现职时间", "like 2014-03")],
    "impossible_ages.csv": [("row 5, column 出生年月", "past the leaving or retirement age"),
                            ("row 7, column 出生年月", "impossible age"),
                            ("row 7, column 参加工作时间", "before the age of 16"),
                            ("row 8, column 出生年月", "impossible age")],
    "duplicate_ids.csv": [("row 9, column 工号", "duplicate id (also in row 3)"),
                          ("row 15, column 工号", "duplicate id (also in row 10)")],
    "unknown_unit_grade.csv": [("row 3, column 单位", "unknown unit"),  # row 8's 调研员: a rank, understood
                               ("row 14, column 现任职级", "unknown grade")],
    "grassroots_too_long.csv": [("row 6, column 基层工作经历(月)", "must be months"),
                                ("row 22, column 基层工作经历(月)", "more grassroots months than months worked")],
    "histories.csv": [("row 11, column 任现职级时间", "before the cadre started work"),
                      ("row 12, column 任现职时间", "before the cadre entered the grade"),
                      ("row 13, column 参加工作时间", "before the age of 16")],
    "id_card_ids.csv": [("column 人员编号", "24 id(s) look like ID-card numbers")],
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_every_problem_of_a_broken_roster_at_once_with_file_row_and_column(name):
    problems = problems_of(BROKEN / name)
    assert len(problems) == len(BROKEN_CASES[name]), problems
    for p, (path, words) in zip(problems, BROKEN_CASES[name]):
        assert p.source == str(BROKEN / name) and p.path == path and words in p.message, p


def test_more_holders_than_posts_names_the_unit_row_and_posts_column():
    problems = problems_of(BROKEN / "too_many_holders.csv")
    assert [(p.source, p.path) for p in problems] == [(str(VALID / "units.csv"), "row 2, column 正处级职数"),
                                                      (str(VALID / "units.csv"), "row 3, column 编制")]
    assert "2 holders of division (正处) in the roster for 1 post(s) in unit 区发展改革委" in problems[0].message


def test_broken_units_file():
    problems = problems_of(VALID / "roster.csv", BROKEN / "units_bad.csv")
    found = [(p.path, p.message[:24]) for p in problems]
    assert found == [("row 3, column 单位类型", "unknown unit type; unit "),
                     ("row 4, column 副处级职数", "must be a whole number, "),
                     ("row 5, column 副局级职数", "must be a whole number, "),
                     ("row 5, column 单位名称", "the same name as row 4: ")]
    assert problems[0].value == "国企"


def test_unit_ids_in_the_roster_need_unit_ids_in_the_units_file(tmp_path):
    s = scenario_from_dict({})
    rosterwrite.export_roster(read().roster, s, tmp_path)
    lines = (tmp_path / "units.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "units.csv").write_text("\n".join(line.split(",", 1)[1] for line in lines), encoding="utf-8")
    (p,) = problems_of(tmp_path / "roster.csv", tmp_path / "units.csv")
    assert p.path == "row 1" and "missing column 单位编号 (unit_id): the roster gives 单位编号" in p.message


def test_problems_of_both_files_and_consistency_in_one_pass(tmp_path):
    """An unreadable cell does not hide the consistency problems of the other rows."""
    text = (BROKEN / "bad_dates.csv").read_text(encoding="utf-8-sig").replace(",1990/01,", ",2000/01,")
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8-sig")
    problems = problems_of(tmp_path / "roster.csv", BROKEN / "units_bad.csv")
    messages = " | ".join(p.message for p in problems)
    assert "not a year and month" in messages and "unknown unit type" in messages
    assert "before the age of 16" in messages  # row 7: born 2000, at work from 2012


def test_missing_files_and_unread_formats(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    problems = problems_of(tmp_path / "nowhere.csv", tmp_path / "old.xls")
    assert [p.message[:20] for p in problems] == ["no such file", "this spreadsheet for"]  # roster first


def test_a_gbk_csv_from_chinese_excel(tmp_path):
    text = (VALID / "roster.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "roster.csv").write_bytes(text.encode("gb18030"))
    assert read(tmp_path / "roster.csv").roster.cadres.equals(read().roster.cadres)


def test_future_and_unknown_cohorts_and_ended_probation(tmp_path):
    text = (VALID / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    text[1] += ",青年英才批次,试用期满时间"
    text[2] += ",c9,"
    text[3] += ",c2,2013-09"
    text[4:] = [line + ",," for line in text[4:]]
    (tmp_path / "roster.csv").write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read(tmp_path / "roster.csv", youth_talent={"cohorts": {"c2": {"start": "2014-09"}}})
    found = [(p.path, p.message[:28]) for p in info.value.problems]
    assert found == [("row 3, column 青年英才批次", "unknown Youth Talent cohort;"),
                     ("row 4, column 试用期满时间", "must be after the start date"),
                     ("row 4, column 青年英才批次", "this cohort starts after the")]


def test_rule_breaches_are_notes_for_a_real_roster_but_problems_for_the_generator():
    s = scenario_from_dict({})
    roster = read().roster
    c = roster.cadres.copy()
    c.loc[c["cadre_id"] == 3, "grade_since"] = ym("2013-01")
    c.loc[c["cadre_id"] == 3, "birth"] = ym("1970-01")  # 副科 at 43, above its age ceiling of 35
    shifted = type(roster)(roster.units, c, roster.start)
    assert len(rule_breaches(shifted, s)) == 1
    assert rule_breaches(shifted, s)[0] in check_roster(shifted, s)
    assert check_roster(shifted, s, rules=False) == []


# --- scenarios naming files ----------------------------------------------------------------------


def test_paths_are_relative_to_the_file_that_set_them(tmp_path, monkeypatch):
    (tmp_path / "mine.yaml").write_text(f"extends: {os.path.relpath(VALID / 'scenario.yaml', tmp_path)}\n")
    s = load_scenario(tmp_path / "mine.yaml")
    assert s.district.roster_file == str((VALID / "roster.csv").resolve())
    monkeypatch.chdir(ROSTERS)
    s = load_scenario(tmp_path / "mine.yaml", ["district.units_file=broken/units_bad.csv"])
    assert s.district.units_file == str((BROKEN / "units_bad.csv").resolve())  # --set: the working folder


def test_the_scenario_hash_follows_the_files_content_not_their_path(tmp_path):
    from cadresim.scenario.loader import scenario_hash
    for name in ("roster.csv", "units.csv"):
        shutil.copy(VALID / name, tmp_path / name)
    here = load_scenario(VALID / "scenario.yaml")
    moved = with_overrides(here, {"district.roster_file": str(tmp_path / "roster.csv"),
                                  "district.units_file": str(tmp_path / "units.csv")})
    assert scenario_hash(moved) == scenario_hash(here)
    with open(tmp_path / "roster.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    assert scenario_hash(moved) != scenario_hash(here)


def test_roster_and_units_files_go_together(tmp_path):
    (tmp_path / "half.yaml").write_text("district:\n  roster_file: roster.csv\n")
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "half.yaml")
    (p,) = info.value.problems
    assert p.path == "district.units_file" and "give district.units_file too" in p.message


def test_the_runner_reads_the_files_a_scenario_names():
    s = load_scenario(VALID / "scenario.yaml")
    res = run_scenario(s, replications=1, seed=5)
    assert res.roster_ids[0] == "A001" and set(res.roster_digests) == {"roster", "units"}
    assert set(res.summary["date"]) == {"2014-03", "2016-12"}


# --- export and the round trip (issue item 5) ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt, lang", [("csv", "zh"), ("xlsx", "en")])
def test_exported_synthetic_district_reads_back_exactly(tmp_path, fmt, lang):
    if fmt == "xlsx":
        pytest.importorskip("openpyxl")
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    roster = generate(s)
    rosterwrite.export_roster(roster, s, tmp_path, fmt, lang)
    back = rosterio.read_files(s, tmp_path / f"roster.{fmt}", tmp_path / f"units.{fmt}")
    pd.testing.assert_frame_equal(back.roster.units, roster.units)
    pd.testing.assert_frame_equal(back.roster.cadres, roster.cadres)
    assert back.roster.ids is None  # ids 0..n-1 kept: the same keyed draws
    assert roster.cadres["nonleading"].sum() > 100  # both tracks survive the files
    # a grown district's history holds a few cadres back in a grade they re-entered after failing probation, and
    # leading holders who stepped down at their leaving age over a unit's 职数
    assert all("above its age ceiling: kept as they are" in note or "over their 职数" in note or note.startswith("  ")
               for note in back.notes)
    header = (tmp_path / f"roster.{fmt}").read_text(encoding="utf-8-sig").splitlines()[0] if fmt == "csv" else ""
    assert fmt != "csv" or ",现职务层次,职务,非领导职务,任现职务层次时间," in header


@pytest.mark.slow
def test_a_run_on_the_exported_district_equals_the_embedded_default(tmp_path):
    from cadresim.io.privacy import resolve_key
    from cadresim.output.run_folder import write_results

    code, _, err = cli("roster", "export", ROOT / "scenarios" / "baseline.yaml", tmp_path / "mine")
    assert code == 0, err
    key = resolve_key(tmp_path / "key", tmp_path / "out")
    started = dt.datetime.now(dt.timezone.utc)
    for name, path in (("files", tmp_path / "mine" / "scenario.yaml"), ("embedded", ROOT / "scenarios" / "baseline.yaml")):
        res = run_scenario(load_scenario(path, ["district.districts=1"]), replications=2, seed=11)
        write_results(res, tmp_path / "out" / name, 1, started, key=key, plots=False)
        write_results(res, tmp_path / "kept" / name, 1, started, keep_ids=True, plots=False)
    for folder in ("out", "kept"):
        a, b = tmp_path / folder / "files", tmp_path / folder / "embedded"
        for table in ("summary.csv", "replications.csv", "timeseries.csv", "eligibility.csv", "teams.csv"):
            assert (a / table).read_bytes() == (b / table).read_bytes(), (folder, table)
        pd.testing.assert_frame_equal(pd.read_parquet(a / "events.parquet"), pd.read_parquet(b / "events.parquet"))


# --- the commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_writes_explained_empty_files_and_refuses_to_overwrite(tmp_path, fmt):
    if fmt == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
    code, _, err = cli("roster", "template", tmp_path / "t", "--format", fmt)
    assert code == 0, err
    roster = tmp_path / "t" / f"roster.{fmt}"
    if fmt == "csv":
        assert roster.read_text(encoding="utf-8-sig").startswith("人员编号,出生年月,性别,参加工作时间,现职务层次")
        notes = (tmp_path / "t" / "columns.csv").read_text(encoding="utf-8-sig")
    else:
        book = openpyxl.load_workbook(roster)
        assert book.worksheets[0].max_row == 1 and book.sheetnames[1] == "说明 columns"
        notes = "\n".join(str(c) for row in book.worksheets[1].iter_rows(values_only=True) for c in row)
    for words in ("出生年月", "birth month", "是否具有两年以上基层工作经历", "counts as 24 months", "2014年3月",
                  "不得使用身份证号", "never an ID-card number", "现任职务", "主任科员", "nonleading.roster_titles",
                  "非领导职务", "副检察长"):
        assert words in notes, words
    code, _, err = cli("roster", "template", tmp_path / "t", "--format", fmt)
    assert code == 2 and "--force" in err
    code, _, err = cli("roster", "check", tmp_path / "t" / "scenario.yaml")
    assert code == 2 and "no data rows" in err


def test_check_prints_the_start_date_figures():
    code, out, err = cli("roster", "check", VALID / "scenario.yaml")
    assert code == 0, err
    assert "roster valid (files): 24 cadres in 4 units on 2014-03" in out
    for words in ("dropped unread: 姓名, 身份证号", "Holders and posts by grade", "Start-date figures on 2014-03",
                  "80后 at", "mean age at", "Youth Talent"):
        assert words in out, words
    assert "张伟" not in out + err


def test_start_date_figures_are_those_of_model_section_6():
    s = load_scenario(VALID / "scenario.yaml")
    roster = rosterio.load_roster(s)
    values = roster_figures.start_figures(s, roster)
    # division level: 张伟 1975, 王芳 1968, 黄勇 1971, 周杰 1978, 朱红 1969, 胡斌 1973, 郭颖 1980 (正处: 张伟, 黄勇, 朱红)
    assert values["post80_division_level"] == 1
    assert values["post70_division_head_share"] == pytest.approx(2 / 3)
    assert values["division_level_mean_age"] == pytest.approx((39 + 45 + 42 + 35 + 44 + 41 + 34) / 7)
    assert values["division_level_grassroots_share"] == 1
    assert values["post80_section_eligible"] == 0  # one post held each: the two-posts rule fails
    assert {m for m, _, _ in roster_figures.FIGURES} <= set(values)
    assert roster_figures.cohort_figures(s, roster) == {}


def test_broken_roster_exits_2_and_run_writes_nothing(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"district:\n  roster_file: {BROKEN / 'bad_dates.csv'}\n  units_file: {VALID / 'units.csv'}\n")
    code, _, err = cli("roster", "check", scenario)
    assert code == 2 and "4 problem(s)" in err
    code, _, err = cli("validate", scenario)
    assert code == 2 and "row 3, column 出生年月: not a year and month" in err
    code, _, err = cli("run", scenario, "-r", 1, "-o", tmp_path / "out", env={"CADRESIM_KEY_FILE": str(tmp_path / "k")})
    assert code == 2 and "row 3, column 出生年月: not a year and month" in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*")) and not (tmp_path / "k").exists()


def test_validate_reads_the_roster_files(tmp_path):
    scenario = tmp_path / "own.yaml"
    scenario.write_text(f"district:\n  roster_file: {VALID / 'roster.csv'}\n  units_file: {VALID / 'units.csv'}\n")
    code, out, _ = cli("validate", scenario)
    assert code == 0 and "valid scenario" in out and "cadres in" in out and "checked" in out


def test_roster_commands_have_help():
    for command in (["roster"], ["roster", "template"], ["roster", "export"], ["roster", "check"]):
        code, out, _ = cli(*command, "--help")
        assert code == 0 and "Usage" in out


# --- non-leading ranks and the 职务 column (issue 17) --------------------------------------------

NONLEADING = ROSTERS / "nonleading"


def nl_read(text: str | None = None, tmp_path: Path | None = None, **scenario) -> rosterio.Loaded:
    """The non-leading fixture, or its text changed (written to ``tmp_path``)."""
    path = NONLEADING / "roster.csv"
    if text is not None:
        path = tmp_path / "roster.csv"
        path.write_text(text, encoding="utf-8-sig")
    return read(path, **scenario)


def nl_text() -> str:
    return (NONLEADING / "roster.csv").read_text(encoding="utf-8-sig")


def nl_problems(text: str, tmp_path: Path, **scenario) -> list[Problem]:
    with pytest.raises(InputError) as info:
        nl_read(text, tmp_path, **scenario)
    return info.value.problems


def test_a_2014_roster_with_titles_places_both_tracks():
    loaded = nl_read()
    c = loaded.roster.cadres.set_index("cadre_id")
    ids = dict(zip(loaded.roster.ids, range(len(loaded.roster.ids))))
    track = {i: (c.loc[ids[i]].grade, bool(c.loc[ids[i]].nonleading)) for i in ids}
    assert track["A008"] == ("section", True) and track["A009"] == ("deputy_section", True)  # 主任科员, 副主任科员
    assert track["B007"] == ("division", True) and track["B008"] == ("deputy_division", True)  # 调研员, 副调研员
    assert track["A003"] == ("section", False) and track["C001"] == ("division", False)  # 科长; 党工委书记
    assert track["C005"] == ("section", False) and track["B006"] == ("staff", False)  # 所长; an empty 职务
    section = c[c["grade"].isin(["deputy_section", "section"])]
    assert section["nonleading"].sum() * 3 >= len(section)  # a third of 科级 cadres in non-leading ranks
    assert c.loc[c["grade"] == "division", "nonleading"].any()


def test_over_quota_and_beyond_the_establishment_are_notes_one_line_per_unit():
    notes = nl_read().notes
    first = next(i for i, n in enumerate(notes) if "over their 职数" in n)
    assert notes[first].startswith("3 unit(s) with non-leading holders over their 职数 or beyond the staff establishment")
    lines = notes[first + 1:first + 4]
    assert lines[0] == ("  区发展改革委 (unit 0): 2 section-level (副主任科员/主任科员) for a 职数 of 1 (0.5 x 3 staff "
                        "posts); 3 staff and 2 non-leading holders for an establishment of 3")
    assert "区财政局 (unit 1): 2 division-level (副调研员/调研员) for a 职数 of 1 (0.5 x 2 division-level" in lines[1]
    assert lines[2] == "  新华街道 (unit 2): 3 staff and 2 non-leading holders for an establishment of 4"
    assert not any("no column 非领导职务" in n for n in notes)  # 职务 says it


def test_check_and_run_a_roster_with_non_leading_ranks(tmp_path):
    code, out, err = cli("roster", "check", NONLEADING / "scenario.yaml")
    assert code == 0, err
    assert "roster valid (files): 30 cadres in 4 units" in out and "note: 3 unit(s) with non-leading holders" in out
    assert "区财政局 (unit 1): 2 division-level" in out and "non-leading rank holders" in out and "2 主任科员" in out
    code, out, err = cli("run", NONLEADING / "scenario.yaml", "-r", 2, "--no-plots", "-o", tmp_path / "out",
                         env={"CADRESIM_KEY_FILE": str(tmp_path / "key")})
    assert code == 0, err
    stocks = pd.read_csv(tmp_path / "out" / "timeseries.csv")
    start = stocks[(stocks["date"] == "2014-03") & (stocks["replication"] == 0)]
    assert start.groupby("track")["count"].sum().to_dict() == {"leading": 24, "nonleading": 6}


@pytest.mark.parametrize("level, title, expected", [
    ("正科级", "主任科员", ("section", True)), ("正科", "", ("section", False)), ("正科级", "科长", ("section", False)),
    ("主任科员", "", ("section", True)), ("副主任科员", "副主任科员", ("deputy_section", True)),
    ("副处级", "副调研员", ("deputy_division", True)), ("section", "principal staff member", ("section", True)),
    ("正科级", "非领导职务", ("section", True)), ("正科级", "区财政局科长", ("section", False)),
])
def test_level_and_title_forms(tmp_path, level, title, expected):
    text = nl_text().replace(",正科级,科长,2012年3月,", f",{level},{title},2012年3月,")  # 李强, row 5
    c = nl_read(text, tmp_path).roster.cadres
    row = c[c["cadre_id"] == 2].iloc[0]
    assert (row.grade, bool(row.nonleading)) == expected


@pytest.mark.parametrize("cell, placed", [
    ("科员", ("staff", False)), ("办事员", ("staff", False)), ("区财政局局长", (None, False)),
    ("党组成员、副局长", (None, False)), ("街道办事处副主任", (None, False)), ("调研员", ("division", True)),
    ("ＤＥＰＵＴＹ Researcher", ("deputy_division", True)), ("leading", (None, False)),
    ("主任科员（正科级）", ("section", True)), ("区委办副调研员", ("deputy_division", True)),
    ("正科级副主任科员", ("deputy_section", True)), ("办公室主任(兼)", (None, False)),
])
def test_titles_read_by_default(cell, placed):
    from cadresim.io.roster_titles import Placement, title_parser
    assert title_parser(scenario_from_dict({}))(cell) == Placement(*placed)


def test_a_local_title_is_refused_once_per_cell_with_what_is_accepted_and_how_to_map_it(tmp_path):
    text = nl_text().replace(",正科级,科长,2012年3月,", ",正科级,专职委员,2012年3月,")
    (p,) = nl_problems(text, tmp_path)
    assert p.source == str(tmp_path / "roster.csv") and p.path == "row 5, column 现任职务" and p.value == "专职委员"
    for words in ("unknown 职务 (title)", "副主任科员, deputy principal staff member, 主任科员", "科长", "党组书记",
                  "nonleading.roster_titles: {专职委员: leading}", "the level comes from 现职务层次"):
        assert words in p.message, words
    c = nl_read(text, tmp_path, nonleading={"roster_titles": {"专职委员": "nonleading"}}).roster.cadres
    assert c[c["cadre_id"] == 2].iloc[0].nonleading


def test_a_title_at_another_level_names_the_row_and_both_columns(tmp_path):
    text = nl_text().replace(",正科级,科长,2012年3月,", ",副处级,主任科员,2012年3月,")
    (p,) = nl_problems(text, tmp_path)
    assert p.path == "row 5, columns 现职务层次 and 现任职务" and p.value == "主任科员 / 副处级"
    assert "现任职务 主任科员 is held at 正科 (section) but 现职务层次 gives 副处 (deputy_division)" in p.message
    text = nl_text().replace(",正科级,科长,2012年3月,", ",主任科员,科长,2012年3月,")
    (p,) = nl_problems(text, tmp_path)
    assert p.path == "row 5, columns 现职务层次 and 现任职务" and "names a non-leading rank but" in p.message


def test_an_english_nonleading_column_and_its_agreement_with_the_title(tmp_path):
    lines = nl_text().splitlines()
    lines[1] += ",nonleading"
    lines[2:] = [line + (",yes" if any(r in line for r in ("科员,", "调研员,")) and ",科员," not in line else ",no")
                 for line in lines[2:]]
    assert nl_read("\n".join(lines), tmp_path).roster.cadres.equals(nl_read().roster.cadres)
    lines[4] = lines[4][:-2] + "yes"  # 李强, 科长
    (p,) = nl_problems("\n".join(lines), tmp_path)
    assert p.path == "row 5, columns 现任职务 and nonleading" and "nonleading says yes" in p.message


def test_the_ranks_are_the_scenarios(tmp_path):
    s = {"nonleading": {"ranks": {"division": {"name_zh": "正处级调研员", "name": "researcher"}}}}
    with pytest.raises(InputError) as info:
        read(NONLEADING / "roster.csv", **s)
    (p,) = info.value.problems
    assert p.value == "调研员" and "正处级调研员" in p.message
    text = nl_text().replace(",正处级,调研员,", ",正处级调研员,,")
    c = nl_read(text, tmp_path, **s).roster.cadres
    assert c.loc[c["grade"] == "division", "nonleading"].sum() == 1


def test_broken_titles_exit_2_and_write_nothing(tmp_path):
    text = nl_text().replace(",正科级,科长,2012年3月,", ",副处级,主任科员,2012年3月,").replace(",科员,科员,2012/08,",
                                                                                           ",科员,见习,2012/08,")
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8-sig")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"district:\n  roster_file: roster.csv\n  units_file: {VALID / 'units.csv'}\n")
    code, _, err = cli("roster", "check", scenario)
    assert code == 2 and "2 problem(s)" in err and "Traceback" not in err
    code, _, err = cli("run", scenario, "-r", 1, "-o", tmp_path / "out", env={"CADRESIM_KEY_FILE": str(tmp_path / "k")})
    assert code == 2 and "unknown 职务 (title)" in err and "columns 现职务层次 and 现任职务" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "k").exists()
