"""The grown district: the spin-up, merit given history, the cache, the rejection and the shipped ensemble."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cadresim import dates
from cadresim.analysis import district_fit
from cadresim.district.merit import conditional_merit, merit_z
from cadresim.district.roster import check_roster
from cadresim.engine import districts
from cadresim.engine.growth import era_scenarios, grow
from cadresim.errors import InputError
from cadresim.rng import KeyedRandom
from cadresim.scenario.loader import scenario_from_dict
from cadresim.scenario.schema import Scenario

from conftest import cli

ROOT = Path(__file__).resolve().parents[1]
#: A small district (about 330 cadres) that grows in about a second.
SMALL = {"district": {"units": {"bureau": {"count": 6}, "street_town": {"count": 2},
                                "district_leadership": {"posts": {"deputy_bureau": 6}}},
                      "accept_post80_division_level": None, "accept_grassroots_share": None, "districts": 2}}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small scenario and its district grown on seed 3 (cached in a fresh folder)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CADRESIM_CACHE", str(tmp_path_factory.mktemp("cache")))
    sc = scenario_from_dict(SMALL)
    yield sc, districts.grown_district(sc, 3)
    mp.undo()


# --- the rules of the time ------------------------------------------------------------------------


def test_each_era_switches_on_the_rules_of_its_time():
    eras = dict(era_scenarios(Scenario()))
    first, interim, regulations = (dates.parse(m) for m in ("1975-01", "1995-02", "2002-07"))
    assert min(eras) == first and interim in eras and regulations in eras
    early, mid, late = eras[first].grades["deputy_division"], eras[interim].grades["deputy_division"], \
        eras[regulations].grades["deputy_division"]
    assert (early.years_of_work, early.grassroots_years, early.posts_held_below) == (None, None, None)
    assert (mid.years_of_work, mid.grassroots_years, mid.posts_held_below) == (5, 2, None)
    assert (late.years_in_grade_below, late.posts_held_below) == (3, 2)
    assert early.age_ceiling == 45 and eras[first].grades["section"].years_in_grade_below == 2
    assert eras[first].recruitment.age == (16, 20) and eras[max(eras)].recruitment.age == (21, 25)
    assert all(s.selection.exceptional.competes for s in eras.values())
    assert eras[first].end == "2014-02" and eras[first].reshuffle.dates == ["2001-12", "2006-12", "2011-12"]


def test_no_forward_lever_changes_the_grown_district():
    base = Scenario()
    youth = scenario_from_dict({"rotation": {"cross_unit_rate": 0.3}, "grades": {"section": {"age_ceiling": 38}},
                                "district": {"units": {"bureau": {"grassroots": True}}}})
    assert districts.growth_key(base) == districts.growth_key(youth)
    assert [s for _, s in era_scenarios(base)] == [s for _, s in era_scenarios(youth)]
    history = scenario_from_dict({"history": {"waivers_per_year": 3}})
    assert districts.growth_key(history) != districts.growth_key(base)


# --- what the spin-up leaves ----------------------------------------------------------------------


def test_the_grown_roster_is_consistent_and_entirely_grown(small):
    sc, d = small
    c = d.roster.cadres
    assert check_roster(d.roster, sc, rules=False) == []
    assert (c["work_start"] >= dates.parse("1975-01") - 12 * 20).all()
    assert (c["birth"] // 12 >= 1954).all()  # the 1975 organization (born 1952 or earlier) has left
    held = c[~c["nonleading"]].groupby(["unit_id", "grade"]).size()  # leading holders in posts of their grade
    posts = d.roster.units.set_index("unit_id")
    for (unit, grade), n in held.items():
        assert n <= posts.loc[unit, f"posts_{grade}"]
    assert 0 < d.rho < 1 and set(d.entries.columns) == {"month", "grade", "age"}


@pytest.mark.slow
def test_same_seed_same_district_other_seed_other_district(small):
    sc, d = small
    again = grow(sc, 3)
    pd.testing.assert_frame_equal(again.roster.cadres, d.roster.cadres)
    assert not grow(sc, 4).roster.cadres.equals(d.roster.cadres)


def test_a_cached_district_is_read_not_regrown(small, monkeypatch):
    sc, d = small
    monkeypatch.setattr(districts, "grow", lambda *a: pytest.fail("regrown"))
    again = districts.grown_district(sc, 3)
    pd.testing.assert_frame_equal(again.roster.cadres, d.roster.cadres)
    assert again.figures == d.figures and again.rho == d.rho


# --- merit given history --------------------------------------------------------------------------


def test_merit_z_ranks_by_age_at_entering_the_grade():
    c = pd.DataFrame({"grade": ["staff", "section", "section", "section", "division", "division"],
                      "birth": [0, 0, 0, 0, 0, 0], "grade_since": [300, 360, 400, 440, 500, 560]})
    z = merit_z(c, "staff")
    assert z[0] == 0.0
    assert z[1] > z[2] > z[3] and z[4] > z[5]
    assert abs(z[1:].mean()) < 1e-12 and abs(z[1:].std() - 1) < 1e-12


def test_conditional_merit_keeps_the_standard_normal_and_the_correlation():
    rng = KeyedRandom(1, 0)
    keys = np.arange(200_000)
    z, noise = rng.normal("z", keys), rng.normal("merit", keys)
    merit = conditional_merit(noise, z, 0.4)
    assert abs(merit.mean()) < 0.01 and abs(merit.std() - 1) < 0.01
    assert abs(np.corrcoef(merit, z)[0, 1] - 0.4) < 0.01
    assert conditional_merit(noise, z, 0.0) is noise


def test_the_district_stream_keeps_roster_runs_as_they_were():
    assert np.array_equal(KeyedRandom(5, 2).uniform("x", 7), KeyedRandom(5, 2, 0).uniform("x", 7))
    assert not np.array_equal(KeyedRandom(5, 2, 4).uniform("x", 7), KeyedRandom(5, 2, 5).uniform("x", 7))


# --- the rejection ----------------------------------------------------------------------------------


def test_a_district_is_plausible_only_with_the_facts():
    sc = Scenario()
    fig = {"post80_division_level": 3.0, "division_level_grassroots_share": 0.93}
    assert districts.accepted(sc, fig)
    assert not districts.accepted(sc, fig | {"post80_division_level": 2.0})
    assert not districts.accepted(sc, fig | {"division_level_grassroots_share": 0.90})


def test_too_few_plausible_districts_is_an_input_error(small, monkeypatch):
    sc, _ = small
    monkeypatch.setattr(districts, "MAX_TRIES_PER_DISTRICT", 1)
    strict = sc.model_copy(update={"district": sc.district.model_copy(update={"accept_post80_division_level": 99})})
    with pytest.raises(InputError, match="district.accept"):
        districts.ensemble(strict)


# --- the shipped default ensemble -------------------------------------------------------------------


def test_the_default_ensemble_ships_with_the_package_and_meets_the_facts():
    found = districts.ensemble(Scenario())
    assert len(found.districts) == Scenario().district.districts and found.tried >= len(found.districts)
    for d in found.districts:
        assert d.figures["post80_division_level"] == 3 and d.figures["division_level_grassroots_share"] > 0.9
        assert (districts.PACKAGED / districts.growth_key(Scenario()) / f"seed-{d.seed}.parquet").exists()


#: Targets the shipped fit does not yet meet as the ranges ask (docs/assumptions.md shows them as "no"): none.
SHORT_OF_TARGET: set[str] = set()


def test_the_fit_table_meets_the_targets_of_the_default_district():
    table = pd.read_csv(ROOT / "src" / "cadresim" / "data" / "district_fit.csv")
    assert set(table["target"]) == {t.name for t in district_fit.TARGETS}
    judged = table[table["kind"] != "report"]
    assert (judged["kind"] == "accept").any() and judged.loc[judged["kind"] == "accept", "pass"].astype(bool).all()
    failing = set(judged.loc[~judged["pass"].astype(bool), "target"])
    assert failing <= SHORT_OF_TARGET, judged[~judged["pass"].astype(bool)].to_string()
    for name in SHORT_OF_TARGET:  # still on the ensemble mean
        row = table[table["target"] == name].iloc[0]
        assert row["low"] <= row["mean"] <= row["high"]


@pytest.mark.slow
def test_a_shipped_district_regrows_identically(tmp_path, monkeypatch):
    """The packaged districts are what the code grows (a change to the engine must re-run the script)."""
    monkeypatch.setenv("CADRESIM_CACHE", str(tmp_path))
    first = districts.ensemble(Scenario().model_copy(update={"district": Scenario().district.model_copy(
        update={"districts": 1})})).districts[0]
    again = grow(Scenario(), first.seed)
    pd.testing.assert_frame_equal(again.roster.cadres, first.roster.cadres)


@pytest.mark.slow
def test_a_run_on_an_exported_district_equals_that_districts_runs(tmp_path):
    out = tmp_path / "d2"
    assert cli("roster", "export", "scenarios/baseline.yaml", str(out), "--district", "2").returncode == 0
    assert "stream:" in (out / "scenario.yaml").read_text()
    short = ["--set", "end=2015-06", "--set", "reshuffle.dates=[]"]
    ens = cli("run", "scenarios/baseline.yaml", "--districts", "2", "-r", "1", "--no-plots", "--no-events", "-q",
              *short, "-o", str(tmp_path / "ens"))
    own = cli("run", str(out / "scenario.yaml"), "-r", "1", "--no-plots", "--no-events", "-q", *short, "-o",
              str(tmp_path / "own"), "--keep-ids")
    assert ens.returncode == 0 and own.returncode == 0, ens.stderr + own.stderr
    a = pd.read_csv(tmp_path / "ens" / "replications.csv")
    b = pd.read_csv(tmp_path / "own" / "replications.csv")
    a = a[a["district"] == 1].drop(columns=["replication", "district"]).reset_index(drop=True)
    b = b.drop(columns=["replication", "district"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_a_sweep_spreads_its_replications_over_the_districts():
    from cadresim.analysis.sweep_runs import district_for, districts_for

    sc = scenario_from_dict({"district": {"districts": 3}})
    runs = districts_for(sc)
    for rep, (d, i) in enumerate([(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)]):
        roster, within, stream = district_for(sc, rep)
        assert roster is runs[d].roster and within == i and stream == runs[d].stream
