"""Team outlook at the reshuffle on a hand-built district, where every figure is known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cadresim.scenario.loader import scenario_hash, with_overrides
from cadresim.engine.schedule import simulate
from cadresim.measures.teams import MEASURES, aggregate
from conftest import cadre, tiny, unavailable, unit

UNITS = [unit(0, "street_town", division=1, deputy_division=2), unit(1, "bureau", division=1, deputy_division=1,
                                                                      section=1)]
PEOPLE = [
    # unit 0: every member reaches a leaving age before the 2016-12 reshuffle
    cadre(0, "division", unit=0, birth="1956-06"),         # 58 in 2014-06: leaves 2014-07
    cadre(1, "deputy_division", unit=0, birth="1959-08"),  # 55 in 2014-08: leaves 2014-09
    cadre(2, "deputy_division", unit=0, birth="1960-01"),  # 55 in 2015-01: leaves 2015-02
    # unit 1: a team with no eligible successor anywhere (no grassroots; a single section post)
    cadre(3, "division", unit=1, birth="1970-01"),
    cadre(4, "deputy_division", unit=1, birth="1975-01", grassroots=0),
    cadre(5, "section", unit=1, birth="1978-01", posts_held=1),
]


def run_teams(overrides=None):
    sc, roster = tiny(UNITS, PEOPLE, {"reshuffle": {"dates": ["2016-12"]}, **(overrides or {})})
    res = simulate(sc, roster, 1, 0)
    rows = pd.DataFrame(res.teams).assign(replication=0)
    return sc, rows, aggregate(rows[["replication", "date", "unit_id", *MEASURES]], roster.units, sc)


def test_figures_by_hand():
    _, rows, _ = run_teams()
    r0, r1 = rows.set_index("unit_id").loc[0], rows.set_index("unit_id").loc[1]
    assert r0["date"] == "2016-12"
    assert (r0["departures_age"], r0["departures_other"], r0["vacancies"]) == (3, 0, 3)
    assert (r0["successors_unit"], r0["successors_district"], r0["filled"]) == (0, 0, 0)
    assert r0["young_target_met"] == 0.0 and np.isnan(r0["mean_age"]) and np.isnan(r0["outside_unit_share"])
    assert (r1["departures_age"], r1["vacancies"], r1["successors_unit"]) == (0, 0, 0)
    assert r1["mean_age"] == (46 + 41) / 2                 # ages at 2016-12 of the 1970 and 1975 births
    assert (r1["born_1970s"], r1["born_1980s"]) == (2, 0)
    assert r1["young_target_met"] == 0.0                   # a bureau team needs someone under 40


def test_risk_flags_follow_the_report_thresholds_which_change_no_number():
    sc, _, table = run_teams()
    t = table.set_index("unit_id")
    assert t.loc[0, "at_risk"] and "more vacancies" in t.loc[0, "risk_reasons"]
    assert t.loc[1, "at_risk"] and "young-member" in t.loc[1, "risk_reasons"]
    assert t.loc[0, "risk_rank"] == 1                      # two reasons rank above one
    relaxed_sc, _, relaxed = run_teams({"report": {"risk": {"young_target_probability": 0.0}}})
    assert not relaxed.set_index("unit_id").loc[1, "at_risk"]
    assert scenario_hash(relaxed_sc) == scenario_hash(sc)
    assert scenario_hash(with_overrides(sc, {"report.top_teams": 3})) == scenario_hash(sc)


def test_teams_output_names_units_only():
    _, _, table = run_teams()
    assert not [c for c in table.columns if "cadre" in c or "birth" in c and not c.startswith("born_")]
    assert set(table["name"]) == {"U0", "U1"}


def _overview_labels(teams):
    from cadresim.report.team_figures import teams_overview
    fig = teams_overview(teams, "2016-12")
    return fig, [t.get_text() for t in fig.axes[0].get_yticklabels()]


def _chinese_teams():
    _, _, teams = run_teams()
    return teams.assign(name=teams["unit_id"].map({0: "东城街道", 1: "财政局"}))


def test_team_overview_draws_chinese_unit_names_in_a_cjk_font():
    import io
    import warnings

    from cadresim.report import fonts
    if fonts.find_cjk_font() is None:
        unavailable("no CJK font installed (e.g. apt install fonts-noto-cjk)")
    fig, labels = _overview_labels(_chinese_teams())
    assert any("财政局" in label for label in labels)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_team_overview_without_a_cjk_font_labels_units_by_id(monkeypatch):
    from cadresim.report import team_figures as team_plots
    monkeypatch.setattr(team_plots, "find_cjk_font", lambda: None)
    _, labels = _overview_labels(_chinese_teams())
    assert labels and not any("财政局" in label for label in labels)
    assert any(label.lstrip("⚠ ").startswith(("0 ", "1 ")) for label in labels)


@pytest.mark.slow
def test_team_overview_of_a_city_shows_the_riskiest_rows_only():
    from cadresim.report.team_figures import MAX_ROWS
    _, _, teams = run_teams()
    many = pd.concat([teams.assign(unit_id=teams["unit_id"] + 2 * k) for k in range(MAX_ROWS)], ignore_index=True)
    many["risk_rank"] = many.groupby("date").cumcount() + 1
    many["name"] = "rank " + many["risk_rank"].astype(str)
    fig, labels = _overview_labels(many.sample(frac=1, random_state=0))
    assert [label.lstrip("⚠ ").split(" (")[0] for label in labels] == [f"rank {i}" for i in range(1, MAX_ROWS + 1)]
    assert f"of {2 * MAX_ROWS} at risk" in fig.get_suptitle() and f"the {MAX_ROWS} riskiest shown" in fig.get_suptitle()


def test_team_overview_shows_the_outside_share_as_neutral_context():
    """Almost every team fills its posts from outside the unit: that column must not dominate in dark red."""
    import numpy as np

    from cadresim.report.team_figures import INDICATORS, cell_colours, teams_overview

    columns = list(INDICATORS)
    values = np.array([[1, 0.1, 1.0, 0.8, 1.0, 1.00, 43.0],
                       [0, 0.2, 0.0, 2.5, 0.3, 0.95, 47.0],
                       [2, 0.1, 2.9, 3.4, 1.0, 0.75, 41.0]], dtype=float)
    colours = cell_colours(values)
    outside = colours[:, columns.index("outside_unit_share"), :3]
    assert np.allclose(outside.max(axis=1), outside.min(axis=1), atol=0.02), "grey, not red"
    assert outside.mean() > 0.85, "light: context, not risk"
    young = colours[:, columns.index("young_target_met"), :3]
    assert young[0].mean() == young[2].mean() > young[1].mean()  # shares coloured on 0-100%: 100% twice, 30% darker
    exits = colours[:, columns.index("departures_other"), :3]
    assert exits.mean() > 0.8, "0.1 more exits is no risk: a column spans at least one exit"
    _, _, teams = run_teams()
    assert "context, not risk" in teams_overview(teams, "2016-12").get_suptitle()
