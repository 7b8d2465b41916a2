from pathlib import Path

import pytest

from cadresim.io.atomic import atomic_file, atomic_folder, write_atomic


def test_a_failure_leaves_no_folder_and_no_partial(tmp_path: Path):
    target = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(target) as tmp:
            (tmp / "summary.csv").write_text("x")
            raise KeyboardInterrupt
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_success_replaces_an_old_folder_whole(tmp_path: Path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "stale.csv").write_text("old")
    with atomic_folder(target) as tmp:
        (tmp / "summary.csv").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["summary.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_results_get_the_usual_permissions_not_mkdtemps_private_ones(tmp_path: Path):
    import os

    mask = os.umask(0o022)
    try:
        with atomic_folder(tmp_path / "run") as tmp:
            (tmp / "summary.csv").write_text("x")
    finally:
        os.umask(mask)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o755


def test_an_atomic_file_appears_whole_or_not_at_all(tmp_path: Path):
    path = tmp_path / "table.csv"
    write_atomic(path, "old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(path) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    with atomic_file(path) as tmp:
        tmp.write_text("new")
    assert path.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]


@pytest.mark.slow
def test_every_csv_of_a_run_escapes_text_a_spreadsheet_would_run(tmp_path: Path):
    """A unit named like a formula reaches teams.csv as text (OWASP CSV injection), numbers stay numbers."""
    import pandas as pd

    from cadresim.engine.replications import run_scenario
    from cadresim.output.run_folder import write_results
    from cadresim.scenario.loader import scenario_from_dict
    from cadresim.engine.districts import one_roster as generate
    from datetime import datetime, timezone

    scenario = scenario_from_dict({"end": "2017-01"}, "injection")
    roster = generate(scenario)
    roster.units.loc[roster.units.index[0], "name"] = "=cmd|' /C calc'!A0"
    res = run_scenario(scenario, 1, seed=1, roster=roster, record_events=False)
    out = write_results(res, tmp_path / "run", 1, datetime.now(timezone.utc), keep_ids=True)
    text = (out / "teams.csv").read_text(encoding="utf-8")
    assert "'=cmd|" in text and ",=cmd" not in text
    teams = pd.read_csv(out / "teams.csv")
    assert pd.api.types.is_numeric_dtype(teams["vacancies"])  # numbers are not quoted into text


@pytest.mark.slow
def test_run_figures_are_labelled_in_chinese_with_lang_zh(tmp_path: Path, monkeypatch):
    from datetime import datetime, timezone

    from cadresim.engine.replications import run_scenario
    from cadresim.output.run_folder import write_results
    from cadresim.report import fonts, run_figures
    from cadresim.scenario.loader import scenario_from_dict

    if fonts.find_cjk_font() is None:
        pytest.skip("no CJK font installed (e.g. apt install fonts-noto-cjk)")
    seen = {}
    monkeypatch.setattr(run_figures, "save_all", lambda tables, folder, headline, grades, labels:
                        seen.update(grades=grades, labels=labels, font=mpl_family()) or [])
    res = run_scenario(scenario_from_dict({"end": "2015-01", "reshuffle": {"dates": []}}, "zh"), 1, seed=1,
                       record_events=False)
    write_results(res, tmp_path / "zh", 1, datetime.now(timezone.utc), keep_ids=True, lang="zh")
    assert seen["labels"]["post80_division_level"] == "80后处级干部人数"
    assert seen["grades"]["section"] == "正科" and seen["font"][0] == fonts.find_cjk_font()


def mpl_family() -> list[str]:
    import matplotlib as mpl

    return list(mpl.rcParams["font.family"])
