"""Broken and hostile input (issue 15): every case is refused early, with a message naming the file, key or
row, the value and what is allowed; exit code 2, no traceback, nothing written.

Each case is small: the documented limits are lowered with monkeypatch where a real-sized file would be
slow to build. ``benchmarks/replay_hostile_input.py`` replays the full-sized cases and measures them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli as run_cli

from cadresim import limits
from cadresim.errors import InputError, Problem
from cadresim.io import roster_cells
from cadresim.io import roster_read
from cadresim.io.roster_write import export_roster, write_table
from cadresim.io.spreadsheet_escape import escape_cell, escape_frame, escape_rows, unescape_cell
from cadresim.scenario.loader import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
VALID = Path(__file__).parent / "data" / "rosters" / "valid"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX files and modes")


def cli(*args: object) -> tuple[int, str]:
    """Exit code and all output, whitespace runs made single spaces; a traceback fails the test."""
    done = run_cli(*args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, " ".join((done.stdout + done.stderr).split())


@pytest.fixture
def district(tmp_path: Path) -> Path:
    """A copy of the 24-cadre fixture (roster.csv, units.csv, scenario.yaml) to break."""
    folder = tmp_path / "district"
    shutil.copytree(VALID, folder)
    return folder


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)


def set_cell(path: Path, header: str, row: int, value: str) -> None:
    """Set the cell of ``header`` in data row ``row`` (1: the first below the header row)."""
    rows = rows_of(path)
    top = next(i for i, r in enumerate(rows) if header in r)
    rows[top + row][rows[top].index(header)] = value
    write_rows(path, rows)


def refused(folder: Path, *words: str, command: str = "check") -> str:
    """``roster check`` (or ``validate``) of ``folder/scenario.yaml`` exits 2 with every word in the output."""
    args = ("roster", "check") if command == "check" else ("validate",)
    code, text = cli(*args, folder / "scenario.yaml")
    assert code == 2, text
    assert "roster valid" not in text
    for word in words:
        assert word in text, text
    return text


def yaml_file(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- sizes of the district -----------------------------------------------------------------------


def test_posts_of_a_billion_are_refused_before_the_district_is_built(district):
    set_cell(district / "units.csv", "编制", 1, "1000000000")
    refused(district, "units.csv: row 2, column 编制", "at most 10,000 posts", "1000000000")


def test_a_posts_count_past_int64_is_refused_not_an_overflow(district):
    set_cell(district / "units.csv", "副科级职数", 2, "99999999999999999999")
    refused(district, "row 3, column 副科级职数", "at most 15 digits")


def test_total_posts_and_cadre_rows_have_documented_maxima(district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CADRES", 20)
    refused(district, "units.csv: posts in all units: at most 20", "cadres (data rows): at most 20", "docs/limits.md")


def test_units_rows_have_a_documented_maximum(district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNITS", 3)
    refused(district, "units.csv: units (data rows): at most 3 (a documented limit")


def test_synthetic_district_posts_and_units_are_checked_in_the_scenario(tmp_path):
    path = yaml_file(tmp_path, "district: {copies: 100, generator: calibrated}\n")
    code, text = cli("validate", path)
    assert code == 2 and "posts in the district (copies x counts x posts): at most 120,000" in text


def test_a_cohort_is_bounded_by_the_posts_it_draws_from():
    """In the synthetic district, by the posts of its grades; with a roster, by MAX_CADRES (a cohort larger
    than the roster's pool is a warning of the run, tests/test_cli.py)."""
    code, text = cli("validate", ROOT / "scenarios/youth2.yaml", "--set", "youth_talent.cohorts.c2.size=1.0e+8")
    assert code == 2 and "youth_talent.cohorts.c2.size: must be at most 120,000" in text
    code, text = cli("validate", ROOT / "scenarios/youth2.yaml", "--set", "youth_talent.cohorts.c2.size=5000")
    assert code == 2 and "more members than the 594 posts of the grades they are drawn from" in text


# --- runs and dates ------------------------------------------------------------------------------


def test_replications_and_jobs_are_refused_before_anything_runs(tmp_path):
    code, text = cli("run", ROOT / "scenarios/baseline.yaml", "-r", 1_000_000_000, "-j", 10_000, "-o", tmp_path / "o")
    assert code == 2 and "replications: at most 100,000" in text and "worker processes: at most 256" in text
    assert not (tmp_path / "o").exists()


def test_sweeps_have_documented_maxima(tmp_path):
    grid = [a for k in "abcdef" for a in ("--grid", f"{k}=" + ",".join(map(str, range(10))))]
    code, text = cli("sweep", ROOT / "scenarios/baseline.yaml", *grid, "-o", tmp_path / "o")
    assert code == 2 and "points of the grid (the product of the numbers of values): at most 100,000" in text
    code, text = cli("sweep", ROOT / "scenarios/baseline.yaml", "--grid", "rotation.internal_rate=0.1,0.2", "-r",
                     600_000, "-o", tmp_path / "o")
    assert code == 2 and "at most 100,000" in text
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("setting, words", [
    ("end=9999-12", "end: outside the months a scenario may name, 1950-01 to 2100-12"),
    ("start=0001-01", "start: outside the months a scenario may name"),
    ("youth_talent.cohorts.c2.start=1949-12", "outside the months"),
])
def test_dates_outside_the_window_are_refused(tmp_path, setting, words):
    code, text = cli("run", ROOT / "scenarios/youth2.yaml", "--set", setting, "-q", "-o", tmp_path / "o")
    assert code == 2 and words in text and not (tmp_path / "o").exists()


def test_a_horizon_over_a_hundred_years_is_refused():
    code, text = cli("validate", ROOT / "scenarios/baseline.yaml", "--set", "start=1990-01", "--set", "end=2100-12")
    assert code == 2 and "end: more than 100 years after start (1990-01)" in text


@pytest.mark.parametrize("setting, words", [
    ("rotation.min_years_in_post=.inf", "must be a finite number"),
    ("selection.score.merit=.nan", "must be a finite number"),
    ("probation.months=99999999999999999999", "must be at most 1,200"),
    ("district.units.bureau.posts.staff=99999999999999999999", "must be at most 10,000"),
    ("recruitment.intake=-5", "greater than or equal to 0"),
])
def test_numbers_past_their_bounds_are_refused(setting, words):
    code, text = cli("validate", ROOT / "scenarios/baseline.yaml", "--set", setting)
    assert code == 2 and words in text, text


# --- scenario files ------------------------------------------------------------------------------


def test_a_mapping_alias_bomb_is_refused_without_expanding_it(tmp_path):
    names = "abcdefghi"
    lines = ["x0: &x0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}"]
    lines += [f"x{i}: &x{i} {{" + ", ".join(f"{n}: *x{i - 1}" for n in names) + "}" for i in range(1, 9)]
    code, text = cli("validate", yaml_file(tmp_path, "\n".join(lines) + "\n"))
    assert code == 2 and "more than 20,000 values once its aliases (*name) are expanded" in text


def test_a_list_alias_bomb_at_a_known_key_is_refused(tmp_path):
    lines = ["  - &x0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"  - &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    code, text = cli("validate", yaml_file(tmp_path, "snapshots:\n" + "\n".join(lines) + "\n"))
    assert code == 2 and "aliases" in text and len(text) < 2_000


def test_aliases_within_the_limit_still_work(tmp_path):
    path = yaml_file(tmp_path, "rotation: &r {cross_unit_rate: 0.1}\nsecondment: {count: 3}\n"
                               "reshuffle: {dates: &d [2016-12]}\nsnapshots: *d\n")
    assert load_scenario(path).snapshots == ["2016-12"]


def test_a_mapping_that_contains_itself_is_refused(tmp_path):
    code, text = cli("validate", yaml_file(tmp_path, "rotation: &a {month: *a}\n"))
    assert code == 2 and "an alias refers to a mapping or list that contains it" in text


@pytest.mark.parametrize("text", ["rotation: " + "[" * 3000 + "]" * 3000 + "\n",
                                  "".join(f"{' ' * i}k{i}:\n" for i in range(600)) + " " * 600 + "x: 1\n"])
def test_yaml_nested_thousands_deep_is_refused_not_a_recursion_error(tmp_path, text):
    code, out = cli("validate", yaml_file(tmp_path, text))
    assert code == 2 and "nested more than 32 levels deep" in out


def test_a_set_key_thousands_deep_is_refused():
    code, text = cli("validate", ROOT / "scenarios/baseline.yaml", "--set", "a" + ".a" * 3000 + "=1")
    assert code == 2 and "a key more than 32 levels deep" in text


@pytest.mark.slow
def test_a_set_value_bomb_is_refused():
    value = "[" + ", ".join(["[" + ", ".join(["[1, 1, 1, 1, 1, 1, 1, 1, 1]"] * 50) + "]"] * 50) + "]"
    code, text = cli("validate", ROOT / "scenarios/baseline.yaml", "--set", f"snapshots={value}")
    assert code == 2 and "--set snapshots" in text and "more than 20,000 values" in text


def test_a_scenario_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_YAML_BYTES", 100)
    code, text = cli("validate", yaml_file(tmp_path, "# x\n" * 50))
    assert code == 2 and "scenario file too large: 200 bytes, at most 100" in text


def test_a_long_extends_chain_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXTENDS", 3)
    for i in range(6):
        yaml_file(tmp_path, f"extends: s{i + 1}.yaml\n" if i < 5 else "name: last\n", f"s{i}.yaml")
    code, text = cli("validate", tmp_path / "s0.yaml")
    assert code == 2 and "more than 3 scenario files in one extends chain" in text


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n", "rotation: {? [1]: 2}\n"])
def test_unhashable_keys_are_refused_as_invalid_yaml(tmp_path, text):
    code, out = cli("validate", yaml_file(tmp_path, text))
    assert code == 2 and "unhashable" in out


def test_scenario_problems_are_listed_up_to_a_limit_then_counted(tmp_path):
    path = yaml_file(tmp_path, "".join(f"unknown_{i}: 1\n" for i in range(150)))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert len(problems) == limits.MAX_PROBLEMS + 1 and "and 50 more problem(s) not shown" in problems[-1].message


@POSIX
@pytest.mark.parametrize("kind, words", [("folder", "a folder, not a file"), ("loop", "leads back to itself"),
                                         ("fifo", "a named pipe")])
def test_a_scenario_path_that_is_not_a_file_says_what_it_is(tmp_path, kind, words):
    path = tmp_path / "s.yaml"
    {"folder": path.mkdir, "loop": lambda: path.symlink_to("s.yaml"), "fifo": lambda: os.mkfifo(path)}[kind]()
    code, text = cli("validate", path)
    assert code == 2 and words in text


def test_a_problem_shows_a_huge_value_cut_short():
    shown = str(Problem("f", "k", "bad", "x" * 1_000_000))
    assert len(shown) < 300 and "..." in shown
    assert str(Problem("f", "k", "bad", [1, 2])) == "f: k: bad (got [1, 2])"


# --- roster and units files: what they are ---------------------------------------------------------


@POSIX
@pytest.mark.parametrize("kind, words", [
    ("folder", "roster.csv: a folder, not a file"),
    ("loop", "roster.csv: a symbolic link that leads back to itself (a loop)"),
    ("dev_zero", "roster.csv: a link to /dev/zero, a device, not a file"),
    ("fifo", "roster.csv: a named pipe (FIFO), not a file"),
    ("dangling", "roster.csv: a symbolic link to nowhere.csv, which does not exist"),
])
def test_a_roster_that_is_not_a_regular_file_says_what_it_is(district, kind, words):
    path = district / "roster.csv"
    path.unlink()
    {"folder": path.mkdir, "loop": lambda: path.symlink_to("roster.csv"),
     "dev_zero": lambda: path.symlink_to("/dev/zero"), "fifo": lambda: os.mkfifo(path),
     "dangling": lambda: path.symlink_to("nowhere.csv")}[kind]()
    refused(district, words)


def test_a_roster_over_the_size_limit_is_refused_unread(district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TABLE_BYTES", 1_000)
    refused(district, "roster.csv: roster or units file too large", "at most 1,000")


def test_rows_cells_and_cell_length_have_documented_maxima(district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 10)
    refused(district, "roster.csv: row 11: more than 10 rows")
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 1_000)
    monkeypatch.setattr(limits, "MAX_TABLE_COLUMNS", 12)
    refused(district, "roster.csv: row 2: 14 cells in one row, at most 12")
    monkeypatch.setattr(limits, "MAX_TABLE_COLUMNS", 1_000)
    set_cell(district / "roster.csv", "学历", 3, "x" * 40_000)
    refused(district, "roster.csv: row 5, column N: a cell of 40,000 characters, at most 32,767 (Excel's own limit)")


# --- roster and units files: CSV ---------------------------------------------------------------------


def test_a_cell_past_the_csv_readers_limit_is_a_message_not_a_traceback(district):
    set_cell(district / "roster.csv", "学历", 3, "x" * 140_000)
    refused(district, "roster.csv: row 5: a cell longer than 131,072 characters", "stray quote")


def test_a_stray_quote_is_named_with_its_row(district):
    lines = (district / "roster.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[4] = '"' + lines[4]
    (district / "roster.csv").write_text("".join(lines), encoding="utf-8-sig")
    refused(district, "roster.csv: row 5, column A: a cell holding several lines that look like rows of the file",
            "starts with a double quote")


@pytest.mark.parametrize("separator, words", [(";", "separated by semicolons (;), not commas"),
                                              ("\t", "separated by tabs, not commas")])
def test_a_csv_with_another_separator_gets_a_hint(district, separator, words):
    write_rows(district / "roster.csv", rows_of(district / "roster.csv"), delimiter=separator)
    refused(district, "no header row found", words)


def test_excel_serial_numbers_written_as_text_are_read_as_dates(district):
    """As the README documents: a CSV saved from a sheet whose date column was formatted as numbers."""
    before = roster_read.read_files(scenario_from_dict({}), district / "roster.csv", district / "units.csv")
    rows = rows_of(district / "roster.csv")
    pos = rows[1].index("出生年月")
    for row in rows[2:]:
        year, month0 = divmod(roster_cells.parse_month(row[pos]), 12)
        row[pos] = str((dt.date(year, month0 + 1, 15) - dt.date(1899, 12, 30)).days)  # e.g. 27468 for 1975-03-15
    write_rows(district / "roster.csv", rows)
    after = roster_read.read_files(scenario_from_dict({}), district / "roster.csv", district / "units.csv")
    assert after.roster.cadres.equals(before.roster.cadres)
    assert roster_cells.parse_month("27470") == roster_cells.parse_month(27470) == roster_cells.parse_month("1975-03")
    assert roster_cells.parse_month("27470.5") == roster_cells.parse_month("1975-03")
    with pytest.raises(ValueError, match="19753 is ambiguous \\(the Excel date 1954-01-29, or 1975-03\\)"):
        roster_cells.parse_month("19753")
    assert roster_cells.parse_month("19750") == roster_cells.parse_month("1954-01")  # no month 0: a serial
    assert roster_cells.SERIAL_PARSERS["month"]("19753") == roster_cells.parse_month("1954-01")
    assert roster_cells.serial_column(["27468", "19753", None, "1975-03"])
    assert not roster_cells.serial_column(["1975-03", "19753", "1980.01"])


def test_bad_cells_are_listed_up_to_a_limit_per_column_then_counted(district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROBLEMS_PER_COLUMN", 5)
    rows = rows_of(district / "roster.csv")
    pos = rows[1].index("出生年月")
    for row in rows[2:]:
        row[pos] = "soon"
    write_rows(district / "roster.csv", rows)
    with pytest.raises(InputError) as info:
        roster_read.read_files(scenario_from_dict({}), district / "roster.csv", district / "units.csv")
    births = [p for p in info.value.problems if "出生年月" in p.path]
    assert len(births) == 6 and births[-1].path == "rows 8 to 26, column 出生年月"
    assert "19 more bad cells in this column" in births[-1].message


# --- duplicate columns -------------------------------------------------------------------------------


def _add_column(path: Path, header: str, copy_of: str, change=lambda i, v: v) -> None:
    rows = rows_of(path)
    pos = rows[1].index(copy_of)
    rows[0].append("")
    rows[1].append(header)
    for i, row in enumerate(rows[2:]):
        row.append(change(i, row[pos]))
    write_rows(path, rows)


def test_duplicate_columns_that_differ_are_refused_naming_both_and_a_row(district):
    _add_column(district / "roster.csv", "出生年月", "出生年月", lambda i, v: "1960-01" if i % 2 else v)
    refused(district, "roster.csv: row 4, columns F and O: columns F (出生年月) and O (出生年月) both give 出生年月 "
            "(birth) but differ in 12 row(s), the first here", "'1968-11' and '1960-01'")


def test_an_empty_cell_in_the_column_used_does_not_hide_the_other(district):
    """Where the column used is empty and the other is not, they differ: the default would hide a value."""
    _add_column(district / "roster.csv", "出生日期", "出生年月")
    set_cell(district / "roster.csv", "出生年月", 2, "")
    refused(district, "columns F (出生年月) and O (出生日期) both give 出生年月 (birth) but differ in 1 row(s)")


def test_duplicate_columns_that_agree_are_noted_truthfully(district):
    _add_column(district / "roster.csv", "出生日期", "出生年月", lambda i, v: v.replace(".", "-") + "-15"
                if re.fullmatch(r"\d{4}[-.]\d{2}", v) else v)
    loaded = roster_read.read_files(scenario_from_dict({}), district / "roster.csv", district / "units.csv")
    assert any("出生日期 (column O: the same values as column F (出生年月))" in n for n in loaded.notes), loaded.notes


# --- Excel ------------------------------------------------------------------------------------------


@pytest.fixture
def xlsx_district(district: Path) -> Path:
    """The fixture district with its roster as an .xlsx written by openpyxl (no formula is calculated)."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "干部名册"
    for row in rows_of(district / "roster.csv"):
        sheet.append(row)
    book.save(district / "roster.xlsx")
    (district / "scenario.yaml").write_text("district: {roster_file: roster.xlsx, units_file: units.csv}\n")
    return district


def _formulas(path: Path, header: str) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = next(c.column for c in sheet[2] if c.value == header)
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row, col).value = f"=LEN(\"{sheet.cell(row, col).value}\")"
    book.save(path)


def test_formulas_without_stored_values_are_refused_by_cell(xlsx_district):
    _formulas(xlsx_district / "roster.xlsx", "是否具有两年以上基层工作经历")
    refused(xlsx_district, "roster.xlsx: sheet 干部名册, row 3, column 是否具有两年以上基层工作经历: a formula whose "
            "value the file does not store")


def test_formulas_with_stored_values_are_read_as_those_values(xlsx_district):
    path = xlsx_district / "roster.xlsx"
    before = roster_read.read_files(scenario_from_dict({}), path, xlsx_district / "units.csv").roster.cadres
    _formulas(path, "是否具有两年以上基层工作经历")
    _store_values(path)
    after = roster_read.read_files(scenario_from_dict({}), path, xlsx_district / "units.csv").roster.cadres
    assert after.equals(before)


def _store_values(path: Path) -> None:
    """Give every formula =LEN("text") of the first sheet "text" as its stored value (as if Excel had
    calculated a formula that gives the text back)."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    xml, n = re.subn(r'<c ([^>]*?)>(<f>LEN\("(.*?)"\)</f>)<v\s*/?>(</v>)?</c>',
                     lambda m: f'<c {m.group(1)} t="str">{m.group(2)}<v>{m.group(3)}</v></c>', xml)
    assert n == 24, xml[:2000]
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            out.writestr(part, data)


def test_a_workbook_declaring_too_much_unpacked_is_refused_before_it_is_opened(xlsx_district, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_UNPACKED", 5_000)
    refused(xlsx_district, "roster.xlsx: unpacks to", "at most 5,000")


def test_a_zip_bomb_part_is_refused_by_its_ratio(xlsx_district):
    with zipfile.ZipFile(xlsx_district / "roster.xlsx", "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/padding.bin", b"\0" * (4 << 20))
    refused(xlsx_district, "xl/padding.bin: packed", "at most 200 to 1")


def test_a_damaged_workbook_is_a_message(xlsx_district):
    (xlsx_district / "roster.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    refused(xlsx_district, "cannot read this workbook")


def test_dimensions_written_wrong_do_not_hide_rows(xlsx_district):
    """Some programs write <dimension ref="A1"/>: every row is still read."""
    path = xlsx_district / "roster.xlsx"
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            out.writestr(part, data)
    loaded = roster_read.read_files(scenario_from_dict({}), path, xlsx_district / "units.csv")
    assert len(loaded.roster.cadres) == 24


# --- privacy -----------------------------------------------------------------------------------------


def test_fifteen_digit_id_card_numbers_are_refused_as_ids(district):
    set_cell(district / "roster.csv", "工号", 1, "110105540101123")
    refused(district, "roster.csv: column 工号: 1 id(s) look like ID-card numbers (rows 3)")


@POSIX
def test_a_key_file_others_can_read_is_refused_even_with_q(tmp_path):
    key = tmp_path / "k.key"
    key.write_text("k" * 64)
    key.chmod(0o644)
    code, text = cli("run", ROOT / "scenarios/baseline.yaml", "-q", "-r", 1, "-o", tmp_path / "o", "--key-file", key)
    assert code == 2 and f"chmod 600 {key}" in text and not (tmp_path / "o").exists()


@POSIX
@pytest.mark.parametrize("kind, words", [("dev_zero", "a device, not a file"), ("folder", "a folder, not a file"),
                                         ("big", "pseudonym key file too large: 2,000 bytes, at most 1,024")])
def test_a_key_file_must_be_a_small_regular_file(tmp_path, kind, words):
    key = {"dev_zero": Path("/dev/zero"), "folder": tmp_path / "keys", "big": tmp_path / "big.key"}[kind]
    if kind == "folder":
        key.mkdir()
    elif kind == "big":
        key.write_text("k" * 2_000)
        key.chmod(0o600)
    code, text = cli("run", ROOT / "scenarios/baseline.yaml", "-q", "-r", 1, "-o", tmp_path / "o", "--key-file", key)
    assert code == 2 and words in text and not (tmp_path / "o").exists()


# --- formula injection ----------------------------------------------------------------------------------


HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "'=already quoted", "plain"]


def test_escape_prefixes_formula_text_and_leaves_numbers():
    assert [escape_cell(t) for t in HOSTILE] == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB",
                                                 "'\rCR", "'=already quoted", "plain"]
    assert [escape_cell(v) for v in (-3, -2.5, 0, None, True)] == [-3, -2.5, 0, None, True]
    assert all(unescape_cell(escape_cell(t)) == t for t in HOSTILE if not t.startswith("'"))
    assert unescape_cell("'plain") == "'plain" and unescape_cell("'") == "'"
    assert escape_rows([["=1", 2]]) == [["'=1", 2]]
    frame = escape_frame(pd.DataFrame({"name": ["=x", "y"], "n": [-1, 2], "=col": [1.5, -2.0]}))
    assert frame["name"].tolist() == ["'=x", "y"] and frame["n"].tolist() == [-1, 2]
    assert list(frame.columns) == ["name", "n", "'=col"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_escape_unit_names_and_read_back_exactly(tmp_path, district, fmt):
    if fmt == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
    scenario = scenario_from_dict({})
    loaded = roster_read.read_files(scenario, district / "roster.csv", district / "units.csv")
    names = ["=cmd|' /C calc'!A0", "+区财政局", "-新华街道", "@区领导"]
    units = loaded.roster.units.assign(name=names)
    roster = type(loaded.roster)(units, loaded.roster.cadres, loaded.roster.start, loaded.roster.ids)
    roster_path, units_path = export_roster(roster, scenario, tmp_path / "out", fmt)
    if fmt == "csv":
        written = rows_of(units_path)
        assert [r[1] for r in written[1:]] == ["'" + n for n in names]
        assert written[1][4] == "3"  # numbers stay numbers
    else:
        sheet = openpyxl.load_workbook(units_path).active
        cells = [sheet.cell(r, 2) for r in range(2, 6)]
        assert all(c.data_type == "s" for c in cells) and [c.value for c in cells] == ["'" + n for n in names]
        assert isinstance(sheet.cell(2, 5).value, int)
        with zipfile.ZipFile(units_path) as book:
            assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")
    again = roster_read.read_files(scenario, roster_path, units_path)
    assert again.roster.units["name"].tolist() == names
    assert again.roster.cadres.equals(roster.cadres)


def test_write_table_never_stores_a_formula_in_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = write_table(tmp_path / "t.xlsx", ["=head"], [["=1+1"], [-5], ["@x"]], (["=n"], [["=note"]]))
    book = openpyxl.load_workbook(path)
    values = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert values == [["'=head"], ["'=1+1"], [-5], ["'@x"]]
    assert book.worksheets[1]["A2"].value == "'=note"
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


# --- the limits are documented -----------------------------------------------------------------------


def test_every_limit_has_a_reason_and_is_on_the_limits_page():
    source = Path(limits.__file__).read_text(encoding="utf-8").splitlines()
    page = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    names = [n for n in vars(limits) if n.isupper()]
    assert len(names) >= 20
    for name in names:
        line = next(i for i, text in enumerate(source) if text.startswith(f"{name} ="))
        assert source[line - 1].startswith("#: "), f"{name} has no one-line reason"
        assert f"`{name}`" in page, f"{name} is not on docs/limits.md"
