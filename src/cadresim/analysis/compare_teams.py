"""Teams at risk across scenarios: how many of each scenario's leadership teams are at risk at each
reshuffle, and which teams change most from the baseline (the comparison report's "Teams at risk").

Every run's teams.csv is re-flagged with the baseline's ``report.risk`` thresholds, so the counts
compare; teams are matched by unit id. Only unit ids and names appear, no cadre.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import ValidationError

from cadresim import dates
from cadresim.errors import InputError, Problem
from cadresim.io.results_folder import RESOLVED, RunFolder
from cadresim.scenario.schema import Report, RiskThresholds
from cadresim.measures.teams import flag_risk

TEAMS_COLUMNS = ["scenario", "date", "teams", "at_risk", "newly_at_risk", "no_longer_at_risk"]
CHANGES_COLUMNS = ["scenario", "date", "rank", "unit_id", "name", "type", "at_risk_baseline", "at_risk",
                   "shortfall_baseline", "shortfall", "shortfall_change", "young_target_met_baseline",
                   "young_target_met", "young_target_met_change"]
#: Changes of a team smaller than this are rounding, not change.
TINY = 1e-9


def report_settings(run: RunFolder) -> Report:
    """The run's ``report`` section (at-risk thresholds, top_teams) from its resolved scenario.

    Raises:
        InputError: the section is not a valid report section.
    """
    try:
        return Report.model_validate(run.resolved.get("report") or {})
    except ValidationError as e:
        why = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise InputError([Problem(str(run.path / RESOLVED), "report", f"invalid report settings: {why}")]) from None


def reflag_teams(runs: list[RunFolder], settings: Report) -> dict[str, pd.DataFrame]:
    """Each run's teams.csv with at_risk, risk_reasons and risk_rank recomputed by
    :func:`cadresim.measures.teams.flag_risk` under ``settings.risk``, by scenario; runs without teams.csv
    are left out."""
    return {r.name: flag_risk(r.tables["teams"], settings.risk) for r in runs if "teams" in r.tables}


def teams_table(flagged: dict[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """Per scenario and date (:data:`TEAMS_COLUMNS`): the teams, how many are at risk, and among the
    teams (unit ids) the baseline also has at that date, how many are newly at risk and how many
    no longer at risk (0 for the baseline; NA where the baseline has no teams at that date).

    The counts use the flags in ``flagged``: re-flag every run with one set of thresholds first
    (:func:`reflag_teams`) so that they compare.
    """
    base = flagged.get(baseline)
    rows = [(name, date, len(g), int(g["at_risk"].sum()), *_status_changes(g, base, date))
            for name, df in flagged.items() for date, g in df.groupby("date", sort=False)]
    table = pd.DataFrame(rows, columns=TEAMS_COLUMNS)
    table[["newly_at_risk", "no_longer_at_risk"]] = table[["newly_at_risk", "no_longer_at_risk"]].astype("Int64")
    order = {"_t": table["date"].map(dates.parse), "_s": table["scenario"].map({n: i for i, n in enumerate(flagged)})}
    return table.assign(**order).sort_values(["_t", "_s"])[TEAMS_COLUMNS].reset_index(drop=True)


def _status_changes(teams: pd.DataFrame, base: pd.DataFrame | None, date: str) -> tuple:
    """(newly at risk, no longer at risk) among the teams of ``teams`` the baseline has at ``date``."""
    if base is None or not (base["date"] == date).any():
        return pd.NA, pd.NA
    both = teams.merge(base[base["date"] == date], on=["date", "unit_id"], suffixes=("", "_baseline"))
    now, before = both["at_risk"].astype(bool), both["at_risk_baseline"].astype(bool)
    return int((now & ~before).sum()), int((before & ~now).sum())


def team_changes(flagged: dict[str, pd.DataFrame], baseline: str, top: int) -> pd.DataFrame:
    """The teams whose risk changes most from the baseline (:data:`CHANGES_COLUMNS`).

    Per scenario other than ``baseline`` and per date, the teams (unit ids) both runs have are
    ranked, and the first ``top`` kept:

    1. teams whose at-risk flag changes (newly at risk, or no longer at risk) first;
    2. then the larger change, either way, in the shortfall (vacancies minus successors_unit);
    3. then the larger change, either way, in the probability of meeting the young-member target (a
       team that gains or loses a target, the probability present on one side only, counts as the
       largest change);
    4. then by unit id.

    Teams with no change in flag, shortfall or probability are left out. ``*_baseline`` columns hold
    the baseline's values, ``*_change`` the scenario's minus the baseline's.
    """
    base = flagged.get(baseline)
    frames = [] if base is None else [_ranked_changes(df, base, top).assign(scenario=name)
                                      for name, df in flagged.items() if name != baseline]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=CHANGES_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CHANGES_COLUMNS]


def _ranked_changes(teams: pd.DataFrame, base: pd.DataFrame, top: int) -> pd.DataFrame:
    both = _shortfall(teams).merge(_shortfall(base), on=["date", "unit_id"], suffixes=("", "_baseline"))
    both["shortfall_change"] = both["shortfall"] - both["shortfall_baseline"]
    both["young_target_met_change"] = both["young_target_met"] - both["young_target_met_baseline"]
    values = [c for c in both.columns if c.startswith(("shortfall", "young_target_met"))]
    both[values] = both[values].round(9)  # means of counts: 0.1, not 0.09999999999999998
    one_side = both["young_target_met"].isna() != both["young_target_met_baseline"].isna()
    young = both["young_target_met_change"].abs().fillna(0.0).mask(one_side, np.inf)  # a target set or dropped
    both = both.assign(_flag=both["at_risk"] != both["at_risk_baseline"], _short=both["shortfall_change"].abs(),
                       _young=young)
    both = both[both["_flag"] | (both["_short"] > TINY) | (both["_young"] > TINY)]
    both = both.sort_values(["date", "_flag", "_short", "_young", "unit_id"],
                            ascending=[True, False, False, False, True])
    both["rank"] = both.groupby("date").cumcount() + 1
    return both[both["rank"] <= top]


def _shortfall(teams: pd.DataFrame) -> pd.DataFrame:
    short = teams["vacancies"] - teams["successors_unit"]
    return teams.assign(shortfall=short)[["date", "unit_id", "name", "type", "at_risk", "shortfall",
                                          "young_target_met"]]


def team_tables(runs: list[RunFolder]) -> dict[str, pd.DataFrame]:
    """``teams`` (:func:`teams_table`) and ``team_changes`` (:func:`team_changes`, at most the
    baseline's ``report.top_teams`` teams per scenario and date), every run's teams re-flagged with
    the baseline's (``runs[0]``) thresholds; none when no run has teams.csv.

    Raises:
        InputError: a run with teams.csv, or the baseline, has an invalid ``report`` section.
    """
    if not any("teams" in r.tables for r in runs):
        return {}
    settings = report_settings(runs[0])
    flagged = reflag_teams(runs, settings)
    base = runs[0].name
    return {"teams": teams_table(flagged, base), "team_changes": team_changes(flagged, base, settings.top_teams)}


def team_notes(runs: list[RunFolder]) -> list[str]:
    """Runs whose own at-risk thresholds differ from the baseline's, or whose teams are not the baseline's."""
    base, others = runs[0], [r for r in runs[1:] if "teams" in r.tables]
    if not others:
        return []
    risk, notes = report_settings(base).risk, []
    for run in others:
        own = report_settings(run).risk
        if own != risk:
            notes.append(f"{run.name}: its own at-risk thresholds ({_thresholds(own)}) differ from {base.name}'s "
                         f"({_thresholds(risk)}): its teams are counted with {base.name}'s")
        if "teams" in base.tables and _units(run) != _units(base):
            notes.append(f"{run.name}: its teams are not all {base.name}'s (other units or reshuffle dates): teams "
                         "newly or no longer at risk, and the teams that change most, are among the teams both have")
    return notes


def _thresholds(risk: RiskThresholds) -> str:
    return ", ".join(f"report.risk.{k}: {v}" for k, v in risk.model_dump().items())


def _units(run: RunFolder) -> set[tuple]:
    """(date, unit id, name) of every team of the run."""
    teams = run.tables["teams"]
    return set(zip(teams["date"], teams["unit_id"], teams["name"]))
