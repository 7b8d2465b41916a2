"""Several districts: each selects within itself; city-level units draw on all of them."""

from __future__ import annotations

from pathlib import Path

from cadresim import load_scenario, with_overrides
from cadresim.district.synthetic import generate
from cadresim.engine.schedule import simulate
from cadresim.district.roster import check_roster

ROOT = Path(__file__).resolve().parents[1]


def small_city():
    city = load_scenario(ROOT / "scenarios" / "city.yaml")
    return with_overrides(city, {"district.copies": 2, "end": "2017-06", "reshuffle.dates": ["2016-12"],
                                 "district.units.city_bureau.count": 4})


def test_city_roster_is_consistent_and_grouped():
    sc = small_city()
    roster = generate(sc)
    assert check_roster(roster, sc) == []
    units = roster.units
    assert sorted(units["district"].unique()) == [-1, 0, 1]
    assert (units["district"] == -1).sum() == 4 and (units["district"] == 0).sum() == 54
    assert roster.cadres["cadre_id"].is_unique and roster.cadres["unit_id"].isin(units["unit_id"]).all()


def test_promotions_and_swaps_stay_within_a_district_except_into_city_units():
    sc = small_city()
    roster = generate(sc)
    ev = simulate(sc, roster, 3, 0).events
    district = roster.units.set_index("unit_id")["district"]
    moves = ev[ev["event"].isin(["promotion", "rotation"]) & (ev["unit_id"] >= 0)].copy()
    # the unit each cadre was in just before the move: their previous event's unit
    ev = ev.sort_values(["cadre_id", "month"], kind="stable")
    last_unit = roster.cadres.set_index("cadre_id")["unit_id"].to_dict()
    crossings, into_city = 0, 0
    for e in ev.itertuples(index=False):
        if e.event in ("promotion", "rotation") and e.cadre_id in last_unit and e.unit_id >= 0:
            src, dst = district[last_unit[e.cadre_id]], district[e.unit_id]
            if dst == -1:
                into_city += src != -1
            elif src != dst:
                crossings += 1
        if e.unit_id >= 0 and e.cadre_id >= 0:
            last_unit[e.cadre_id] = e.unit_id
    assert len(moves) > 100
    assert crossings == 0
    assert into_city > 0
