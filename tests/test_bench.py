"""`cadresim roster bench`: the bench's verdicts are the simulator's, its projections agree with the
eligibility rules, and the command writes what it says (docs/bench.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cadre, cli, tiny, unit

from cadresim import dates
from cadresim.analysis import bench as bench_
from cadresim.engine.schedule import setup
from cadresim.engine.districts import one_roster
from cadresim.errors import InputError
from cadresim.io.roster_read import load_roster
from cadresim.processes.selection import candidates
from cadresim.rules import eligibility
from cadresim.scenario.loader import load_scenario
from cadresim.state.organization import Organization

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def exported() -> Path:
    """The scenario of the default district, the one `roster export` writes (district 1 of the baseline's
    ensemble). Its exported files load once the roster files carry the non-leading column (see
    test_on_the_export_too); until then the commands read the same district in memory."""
    return BASELINE


@pytest.fixture(scope="module")
def loaded():
    sc = load_scenario(BASELINE)
    return sc, one_roster(sc)


def read_list(path: Path) -> pd.DataFrame:
    """A bench CSV without its INTERNAL first line."""
    with path.open(encoding="utf-8-sig") as f:
        assert f.readline().startswith("INTERNAL")
    return pd.read_csv(path, skiprows=1, encoding="utf-8-sig", dtype=str, keep_default_na=False)


# --- (1) eligible now is the simulator's verdict --------------------------------------------------------

@pytest.mark.slow
def test_eligible_now_is_the_simulators_set(loaded):
    sc, roster = loaded
    g = sc.ladder.index("deputy_division")
    run = setup(sc, roster, 0, 0, False)
    pool = candidates(run, g, sc.start_month)  # the pool selection fills 副处 posts from
    simulator = set(run.org.key[pool.idx[pool.ok]].tolist())
    considered = set(run.org.key[pool.idx].tolist())
    b = bench_.bench(sc, roster, "deputy_division")
    assert set(b.table["cadre_id"]) == considered
    assert set(b.table.loc[b.table["eligible_now"], "cadre_id"]) == simulator
    assert simulator, "the default district has cadres eligible for 副处 on the start date"


@pytest.mark.slow
def test_cli_list_names_the_simulators_set(loaded, exported, tmp_path):
    sc, roster = loaded
    run = setup(sc, roster, 0, 0, False)
    pool = candidates(run, sc.ladder.index("deputy_division"), sc.start_month)
    keys = run.org.key[pool.idx[pool.ok]]
    simulator = {str(roster.ids[k]) if roster.ids is not None else str(k) for k in keys}
    done = cli("roster", "bench", exported, "--keep-ids", "--lang", "en", "-o", tmp_path / "bench.csv")
    assert done.returncode == 0, done.stderr
    table = read_list(tmp_path / "bench.csv")
    assert set(table.loc[table["eligible now"] == "yes", "cadre id"]) == simulator
    assert f"eligible now: {len(simulator)};" in " ".join(done.stdout.split())


@pytest.mark.slow
def test_on_the_export_too(tmp_path):
    folder = tmp_path / "district"
    assert cli("roster", "export", BASELINE, folder).returncode == 0
    sc = load_scenario(folder / "scenario.yaml")
    roster = load_roster(sc)
    run = setup(sc, roster, 0, 0, False)
    pool = candidates(run, sc.ladder.index("deputy_division"), sc.start_month)
    b = bench_.bench(sc, roster, "deputy_division")
    assert set(b.table.loc[b.table["eligible_now"], "cadre_id"]) == set(run.org.key[pool.idx[pool.ok]].tolist())
    assert set(b.table["eligible_now"]) == {True, False}


# --- (2) projections agree with the rules ---------------------------------------------------------------

@pytest.mark.slow
def test_projections_agree_with_the_rules_at_their_month(loaded):
    sc, roster = loaded
    b = bench_.bench(sc, roster, "deputy_division", dates.parse("2016-12"))
    org = Organization(sc, roster)
    g = sc.ladder.index("deputy_division")
    row = {int(k): i for i, k in enumerate(org.key[: org.n])}
    rules = sc.grades["deputy_division"]
    t = b.table
    projected = t[t["eligible_from"] >= 0]
    assert len(projected) > len(t[t["eligible_now"]]), "some become eligible on time alone"
    for r in projected.itertuples(index=False):
        idx = np.array([row[int(r.cadre_id)]])
        same = r.section == bench_.SAME_LEVEL
        check = (lambda m: eligibility.eligible_same_level(rules, org.pool(idx, m), m)[0]) if same else \
            (lambda m: eligibility.eligible(rules, org.pool(idx, m), m)[0])
        assert check(int(r.eligible_from)), r
        if r.eligible_from > b.start:
            assert not check(int(r.eligible_from) - 1), r  # the first such month
        if r.eligible_by_at:
            assert check(b.at), r
    assert int(org.grade[row[int(t["cadre_id"].iloc[0])]]) in (g - 1, g)


def tiny_bench():
    units = [unit(1, "bureau", section=9, deputy_division=1), unit(2, "street_town", section=2)]
    cadres = [
        cadre(0, "section", 1, since="2012-06"),  # three years in 正科 in 2015-06
        cadre(1, "section", 2, grassroots=10),  # accrues in a street/town: 24 months in 2015-05
        cadre(2, "section", 1, grassroots=10),  # does not accrue: 14 months to bring
        cadre(3, "section", 1, posts_held=1),  # a second 正科 post
        cadre(4, "section", 1, grassroots=20, secondment_end=dates.parse("2014-09")),  # seconded: 24 in 2014-07
        cadre(5, "section", 1, grassroots=20, secondment_end=dates.parse("2014-05")),  # 2 short when it ends
        cadre(6, "section", 1, birth="1970-05"),  # 45 until 2016-04
        cadre(7, "section", 1, probation_end=dates.parse("2014-08")),
        cadre(8, "section", 1),  # eligible now
        cadre(9, "section", 1, work="2010-01"),  # five years of work in 2015-01
    ]
    sc, roster = tiny(units, cadres)
    return sc, roster, bench_.bench(sc, roster, "deputy_division", dates.parse("2016-12")).table.set_index("cadre_id")


def test_tiny_roster_exact_dates():
    sc, roster, t = tiny_bench()
    ym = dates.parse
    assert t["eligible_now"].tolist() == [False, False, False, False, False, False, True, False, True, False]
    assert t.loc[0, "failed"] == "years_in_grade_below" and t.loc[0, "grade_below_met"] == ym("2015-06")
    assert t.loc[1, "grassroots_met"] == ym("2015-05") and t.loc[1, "grassroots_short"] == 0
    assert t.loc[2, "grassroots_met"] == -1 and t.loc[2, "grassroots_short"] == 14
    assert t.loc[3, "posts_short"] == 1 and t.loc[3, "eligible_from"] == -1
    assert t.loc[4, "grassroots_met"] == ym("2014-07") and t.loc[4, "eligible_from"] == ym("2014-07")
    assert t.loc[5, "grassroots_short"] == 2 and t.loc[5, "eligible_from"] == -1
    assert t.loc[6, "last_year"] == 2016 and t.loc[6, "over_ceiling_by_at"] and not t.loc[6, "eligible_by_at"]
    assert t.loc[7, "probation_end"] == ym("2014-08") and t.loc[7, "eligible_from"] == ym("2014-08")
    assert t.loc[8, "eligible_from"] == ym("2014-03") and t.loc[8, "last_year"] == 2020
    assert t.loc[9, "work_met"] == ym("2015-01") and t.loc[9, "eligible_from"] == ym("2015-01")
    assert t["eligible_by_at"].tolist() == [True, True, False, False, True, False, False, True, True, True]


def test_tiny_roster_words_and_summaries():
    from cadresim.output.bench_file import move_text

    sc, roster, t = tiny_bench()
    assert move_text(sc, "deputy_division", 1, 2, 0, False) == "a second 正科 post"
    assert move_text(sc, "deputy_division", 0, 2, 14, False).startswith("14 more grassroots months")
    assert "再任1个正科领导岗位" in move_text(sc, "deputy_division", 1, 2, 0, True)
    s = bench_.summaries(t.reset_index(), by_unit=True)
    total = s[s["by"] == "all"].iloc[0]
    assert (total["candidates"], total["eligible_now"], total["eligible_by_at"], total["needs_post"],
            total["needs_grassroots"], total["ages_out"]) == (10, 2, 6, 1, 2, 1)
    assert set(s.loc[s["by"] == "unit", "group"]) == {"U1", "U2"}
    assert set(s.loc[s["by"] == "birth_decade", "group"]) == {1970}


# --- (3) the command ------------------------------------------------------------------------------------

def test_help():
    import re

    done = cli("roster", "bench", "--help")
    assert done.returncode == 0 and "--grade" in done.stdout and "INTERNAL" in done.stdout
    assert "Examples" in done.stdout and "cadresim roster bench " in done.stdout  # as test_cli asks of every command
    assert not re.search(r"<(bool|int|str|path|float|list\[\w+\]|int range)>|\{[a-z_]+\}", done.stdout)
    assert "bench" in cli("roster", "--help").stdout


def test_bad_grade_and_at_exit_2_and_write_nothing(tmp_path):
    done = cli("roster", "bench", BASELINE, "--grade", "chief", "--at", "2016-13", "-o", tmp_path / "b.csv")
    assert done.returncode == 2
    assert "--grade" in done.stderr and "deputy_division" in done.stderr and "--at" in done.stderr
    assert "Traceback" not in done.stderr
    before = cli("roster", "bench", BASELINE, "--at", "2010-01", "-o", tmp_path / "b.csv")
    assert before.returncode == 2 and "before the start date" in before.stderr
    wrong = cli("roster", "bench", BASELINE, "-o", tmp_path / "b.txt")
    assert wrong.returncode == 2 and ".csv or .xlsx" in wrong.stderr
    (tmp_path / "file").write_text("x")
    under_file = cli("roster", "bench", BASELINE, "-o", tmp_path / "file" / "b.csv")
    assert under_file.returncode == 2 and "is a file" in under_file.stderr and "Traceback" not in under_file.stderr
    (tmp_path / "file").unlink()
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_csv_pseudonyms_chinese_headers_and_no_overwrite(exported, loaded, tmp_path):
    out = tmp_path / "bench.csv"
    done = cli("roster", "bench", exported, "--at", "2016-12", "--by", "unit", "-o", out)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"bench.csv", "bench-summary.csv", "bench.png"}
    table = read_list(out)
    assert {"干部编号", "目前符合条件", "目前不符合的条件", "需通过交流任职补足", "2016-12前仅凭时间符合条件"} <= set(table.columns)
    _, roster = loaded
    ids = {str(i) for i in roster.ids} if roster.ids is not None else set(map(str, roster.cadres["cadre_id"]))
    assert not set(table["干部编号"]) & ids and table["干部编号"].str.fullmatch(r"[0-9a-f]{12}").all()
    summary = read_list(tmp_path / "bench-summary.csv")
    assert {"合计", "出生年代", "单位"} <= set(summary["分组"])
    again = cli("roster", "bench", exported, "-o", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert cli("roster", "bench", exported, "-o", out, "--force").returncode == 0
    foreign = tmp_path / "mine.csv"
    foreign.write_text("name\nsomeone\n", encoding="utf-8")
    refused = cli("roster", "bench", exported, "-o", foreign, "--force")
    assert refused.returncode == 2 and "not a bench list" in refused.stderr
    assert foreign.read_text(encoding="utf-8") == "name\nsomeone\n" and not (tmp_path / "mine.png").exists()


@pytest.mark.slow
def test_xlsx_english_keep_ids(exported, loaded, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "bench.xlsx"
    done = cli("roster", "bench", exported, "--lang", "en", "--keep-ids", "-o", out)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    assert [ws.title for ws in book.worksheets] == ["bench 后备", "summary 汇总"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("INTERNAL") and rows[1][0] == "cadre id" and "eligible now" in rows[1]
    _, roster = loaded
    ids = {str(i) for i in roster.ids} if roster.ids is not None else set(map(str, roster.cadres["cadre_id"]))
    assert {str(r[0]) for r in rows[2:]} <= ids
    assert (tmp_path / "bench.png").stat().st_size > 1000
