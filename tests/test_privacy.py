"""Privacy of a real roster: nothing personal reaches the outputs; cadre ids are keyed pseudonyms."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from cadresim.io import privacy
from cadresim.errors import InputError
from cadresim.processes.intake import entry_key

ROOT = Path(__file__).resolve().parent.parent
ROSTERS = Path(__file__).parent / "data" / "rosters"
VALID = ROSTERS / "valid"
SECRET = b"k" * 32
HEX = re.compile(r"^[0-9a-f]{12}$")


def fixture_people() -> list[dict[str, str]]:
    """The valid fixture's rows (below its title row), as written."""
    lines = (VALID / "roster.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    return list(csv.DictReader(lines))


# --- pseudonyms ----------------------------------------------------------------------------------


def test_pseudonyms_are_keyed_stable_and_short():
    a = privacy.pseudonym(SECRET, "cadre:A001")
    assert HEX.match(a) and a == privacy.pseudonym(SECRET, "cadre:A001")
    assert a != privacy.pseudonym(b"j" * 32, "cadre:A001")  # without the key, no link back to the id
    assert a != privacy.pseudonym(SECRET, "cadre:A002")


def test_output_ids_pseudonymise_roster_cadres_and_entrants():
    entrant = entry_key("recruitment", 24200, 7)
    keys = pd.Series([0, 1, -1, entrant, 0])
    ids = ("A001", "B002")
    out = privacy.output_ids(keys, SECRET, ids)
    assert out[0] == out[4] == privacy.pseudonym(SECRET, "cadre:A001") and out[2] == ""
    assert out[3] == privacy.pseudonym(SECRET, f"entrant:{entrant}") and out.map(len).tolist() == [12, 12, 0, 12, 12]
    kept = privacy.output_ids(keys, None, ids)
    assert kept.tolist() == ["A001", "B002", "", f"entrant:{entrant}", "A001"]
    assert privacy.output_ids(keys, None, None) is keys  # synthetic ids kept: unchanged integers


def test_ids_that_are_the_cadre_ids_give_the_synthetic_pseudonyms():
    """A roster whose ids are 0..n-1 (an exported district) gets the embedded district's pseudonyms."""
    keys = pd.Series([0, 1, 2])
    assert privacy.output_ids(keys, SECRET, None).tolist() == privacy.output_ids(keys, SECRET, ("0", "1", "2")).tolist()


# --- the key file --------------------------------------------------------------------------------


def test_key_made_on_first_use_owner_only_and_reused(tmp_path):
    path = tmp_path / "config" / "cadresim" / "pseudonym.key"
    first = privacy.resolve_key(path, tmp_path / "results")
    assert first.created and path.is_file() and len(first.secret) == 64
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = privacy.resolve_key(path, tmp_path / "results")
    assert not again.created and again.secret == first.secret and again.key_id == first.key_id
    assert first.key_id not in first.secret.decode()


def test_key_location_from_env_and_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv(privacy.ENV_KEY_FILE, str(tmp_path / "k.key"))
    assert privacy.default_key_file() == tmp_path / "k.key"
    monkeypatch.delenv(privacy.ENV_KEY_FILE)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert privacy.default_key_file() == tmp_path / "xdg" / "cadresim" / "pseudonym.key"


def test_key_inside_the_results_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="must not live inside the results folder"):
        privacy.resolve_key(tmp_path / "out" / "pseudonym.key", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_short_key_file_is_refused(tmp_path):
    (tmp_path / "short.key").write_text("secret\n")
    os.chmod(tmp_path / "short.key", 0o600)
    with pytest.raises(InputError, match="not a pseudonym key"):
        privacy.resolve_key(tmp_path / "short.key", tmp_path / "out")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o602])
def test_a_key_file_others_may_read_or_change_is_refused_with_the_fix(tmp_path, mode):
    """As ssh does with private keys: readable or writable by group or others is refused, not warned."""
    path = tmp_path / "lax key.key"
    path.write_text("x" * 40)
    os.chmod(path, mode)
    with pytest.raises(InputError) as info:
        privacy.resolve_key(path, tmp_path / "out")
    assert f"chmod 600 '{path}'" in str(info.value) and f"mode {mode:04o}" in str(info.value)
    os.chmod(path, 0o600)
    assert privacy.resolve_key(path, tmp_path / "out").secret == b"x" * 40


def test_a_key_on_a_drive_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    key = privacy.resolve_key(tmp_path / "usb" / "pseudonym.key", tmp_path / "out")
    assert key.created and len(key.secret) == 64 and list((tmp_path / "usb").iterdir()) == [key.path]


def test_a_key_made_meanwhile_by_another_run_is_kept(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("a" * 64 + "\n")
    assert privacy._create(path) is False  # the link fails: the other run's key stays
    assert path.read_text() == "a" * 64 + "\n" and list(tmp_path.iterdir()) == [path]


# --- a run on a roster with names and ID-card numbers --------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The valid fixture run twice: pseudonymised (the default) and with --keep-ids."""
    from typer.testing import CliRunner

    from cadresim.cli.main import app

    base = tmp_path_factory.mktemp("privacy")
    env = {privacy.ENV_KEY_FILE: str(base / "keys" / "pseudonym.key")}
    out = {}
    for name, extra in (("pseudo", []), ("kept", ["--keep-ids"])):
        result = CliRunner().invoke(app, ["run", str(VALID / "scenario.yaml"), "-r", "2", "-o", str(base / name),
                                          "-q", *extra], env=env)
        assert result.exit_code == 0, result.stderr
        out[name] = base / name
    return out, base / "keys" / "pseudonym.key"


def _text_outputs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.suffix in (".csv", ".json", ".yaml")}


def test_no_name_id_number_or_birth_month_reaches_any_output(runs):
    (folders, _) = runs
    people = fixture_people()
    secrets = {p[k] for p in people for k in ("姓名", "身份证号", "出生年月")} | {p["工号"] for p in people}
    for folder in folders.values():
        files = sorted(p.name for p in folder.rglob("*") if p.is_file())
        assert files == sorted(["ages.csv", "eligibility.csv", "events.parquet", "manifest.json", "pool.csv",
                                "replications.csv", "scenario.resolved.yaml", "summary.csv", "teams.csv",
                                "timeseries.csv", *(f"{n}.png" for n in ("age_pyramids", "binding_rules",
                                "headline_metrics", "nonleading_stocks", "pipeline_stocks", "teams"))])
        texts = _text_outputs(folder)
        events = pd.read_parquet(folder / "events.parquet").astype(str)
        values = set(events.to_numpy().ravel())
        leaks = {s for s in secrets if any(s in t for t in texts.values())}
        if folder.name == "kept":
            leaks -= {p["工号"] for p in people}  # --keep-ids: the ids (never names) are the user's choice
            values -= {p["工号"] for p in people}
        assert not leaks and not (secrets & values)
        assert not (folder / "pseudonym.key").exists()
    for byte in (b"\xe5\xbc\xa0\xe4\xbc\x9f", b"310101"):  # 张伟, an ID-card prefix, in any file's bytes
        assert not any(byte in p.read_bytes() for f in folders.values() for p in f.rglob("*") if p.is_file())


def test_outputs_carry_ages_and_birth_decades_never_birth_months(runs):
    (folders, _) = runs
    for folder in folders.values():
        for path in folder.glob("*.csv"):
            table = pd.read_csv(path)
            assert not set(table.columns) & {"birth", "birth_month", "id_card", "work_start"}, path.name
            if "name" in table:  # teams.csv: the unit's name
                assert set(table["name"]) <= set(pd.read_csv(VALID / "units.csv")["单位名称"]), path.name
        assert set(pd.read_csv(folder / "ages.csv", nrows=0).columns) == {"replication", "district", "date", "grade",
                                                                          "female", "age", "count", "track"}
        assert "birth_decade" in pd.read_csv(folder / "timeseries.csv", nrows=0).columns


def test_events_carry_pseudonyms_unless_ids_are_kept(runs):
    (folders, key_path) = runs
    pseudo = pd.read_parquet(folders["pseudo"] / "events.parquet")
    kept = pd.read_parquet(folders["kept"] / "events.parquet")
    pd.testing.assert_frame_equal(pseudo.drop(columns="cadre_id"), kept.drop(columns="cadre_id"))
    named = pseudo["cadre_id"] != ""
    assert pseudo.loc[named, "cadre_id"].str.fullmatch(r"[0-9a-f]{12}").all()
    secret = key_path.read_bytes().strip()
    ids = {p["工号"] for p in fixture_people()}
    roster_rows = kept["cadre_id"].isin(ids)
    assert roster_rows.any()
    expected = kept.loc[roster_rows, "cadre_id"].map(lambda i: privacy.pseudonym(secret, f"cadre:{i}"))
    assert (pseudo.loc[roster_rows, "cadre_id"] == expected).all()  # one pseudonym per person, under the key


def test_manifest_names_the_roster_by_its_hash_and_never_copies_it(runs):
    (folders, key_path) = runs
    manifest = json.loads((folders["pseudo"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["roster"] == {
        "source": "files", "roster_sha256": hashlib.sha256((VALID / "roster.csv").read_bytes()).hexdigest(),
        "units_sha256": hashlib.sha256((VALID / "units.csv").read_bytes()).hexdigest()}
    key = privacy.resolve_key(key_path, folders["pseudo"])
    assert manifest["cadre_ids"] == f"pseudonymised (HMAC-SHA256, key {key.key_id})"
    kept = json.loads((folders["kept"] / "manifest.json").read_text(encoding="utf-8"))
    assert kept["cadre_ids"] == "kept (--keep-ids)"


@pytest.mark.slow
def test_identical_runs_give_identical_pseudonymised_outputs(runs, tmp_path):
    from typer.testing import CliRunner

    from cadresim.cli.main import app

    (folders, key_path) = runs
    result = CliRunner().invoke(app, ["run", str(VALID / "scenario.yaml"), "-r", "2", "-o", str(tmp_path / "again"),
                                      "-q", "--key-file", str(key_path)])
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "events.parquet"),
                                  pd.read_parquet(folders["pseudo"] / "events.parquet"))


# --- birth months cannot be read off the event log ------------------------------------------------

#: Age the leaving rule of each grade applies by default (staff: retirement, 60 for men or 55 for women).
LEAVING_AGES = {"deputy_section": (55,), "section": (55,), "deputy_division": (55,), "division": (58,),
                "deputy_bureau": (60,), "staff": (55, 60)}


def birth_months_inferred(exits: pd.DataFrame) -> dict[int, set[int]]:
    """The attack: an exit for age falls in the month after the birthday reaching the grade's leaving age,
    so its month (or the months its date allows) minus 12 x age + 1 gives the candidate birth months.

    Args:
        exits: age exits with ``cadre_id``, ``grade`` and ``months`` (the month indices the row allows).
    """
    out: dict[int, set[int]] = {}
    for row in exits.itertuples():
        found = {m - 12 * age - 1 for m in row.months for age in LEAVING_AGES[row.grade]}
        out[row.cadre_id] = out.get(row.cadre_id, found) & found  # every replication must agree
    return out


def _months_of(date: str) -> list[int]:
    """Month indices a shared event's date allows (a quarter such as 2015Q2: three months)."""
    year, quarter = int(date[:4]), int(date[-1])
    return [year * 12 + 3 * (quarter - 1) + k for k in range(3)]


@pytest.mark.slow
def test_exit_dates_in_the_shared_event_log_give_no_birth_month():
    from cadresim.engine.districts import one_roster as generate
    from cadresim.engine.replications import run_scenario
    from cadresim.scenario.loader import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    roster = generate(scenario)
    births = roster.cadres.set_index("cadre_id")["birth"]
    res = run_scenario(scenario, 2, seed=3, roster=roster)
    exact = res.events[(res.events["event"] == "exit") & (res.events["detail"] == "age")]
    control = birth_months_inferred(exact.assign(months=[[m] for m in exact["month"]]))
    pinned = {c for c, found in control.items() if found == {births[c]}}
    assert len(pinned) > 20  # the engine's exact months give the attack what it needs: it can succeed

    shared = privacy.shareable_events(res.events)
    assert "month" not in shared and shared["date"].str.fullmatch(r"\d{4}Q[1-4]").all()
    ages = shared[(shared["event"] == "exit") & (shared["detail"] == "age")]
    inferred = birth_months_inferred(ages.assign(months=ages["date"].map(_months_of)))
    assert inferred and all(len(found) >= 3 for found in inferred.values())


def test_the_shared_event_log_keeps_its_links_but_not_the_order_in_time():
    events = pd.DataFrame({"replication": [0, 0, 0, 0, 1], "district": [0] * 5,
                           "month": [24170, 24169, 24169, 24173, 24170],
                           "date": [""] * 5, "event": ["exit", "vacancy_opened", "exit", "vacancy_filled", "exit"],
                           "cadre_id": ["b", "", "a", "c", "a"], "grade": ["section"] * 5,
                           "unit_id": [1, 1, 0, 1, 0], "post_id": [7, 7, 3, 7, 3], "chain_id": [-1, 12, -1, 12, -1],
                           "detail": [""] * 5})
    shared = privacy.shareable_events(events)
    assert list(shared.columns) == privacy.SHARED_EVENT_COLUMNS
    assert list(shared["date"]) == ["2014Q1", "2014Q1", "2014Q1", "2014Q2", "2014Q1"]
    assert list(shared["cadre_id"]) == ["a", "b", "", "c", "a"]  # by event, unit, post: not by month
    assert list(shared["chain_id"]) == [-1, -1, 0, 0, -1]  # one chain, renumbered from 0
