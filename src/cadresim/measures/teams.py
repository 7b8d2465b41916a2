"""Team by team: each leadership team's outlook at the reshuffle (the speech: 一个班子一个班子分析).

A unit's leadership team is its division-level posts. During a run a ``TeamTracker`` counts,
per unit, the team members who leave before each reshuffle; at the reshuffle it records the
open team posts and the eligible successors before the round, where the round's fills come
from, and the team after the round. ``aggregate`` turns the replications into teams.csv with
CIs and the at-risk flags defined by the scenario's ``report.risk`` thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.measures.kinds import bounds
from cadresim.measures.metrics import decade
from cadresim.rules import eligibility
from cadresim.scenario.schema import RiskThresholds, Scenario
from cadresim.state.replication import Replication
from cadresim.stats import mean_ci

DECADES = (1950, 1960, 1970, 1980, 1990)
MEASURES = ["departures_age", "departures_other", "departures_reshuffle", "vacancies", "successors_unit",
            "successors_district", "young_target_met", "filled", "filled_from_outside_unit", "outside_unit_share",
            "mean_age", *[f"born_{d}s" for d in DECADES]]


@dataclass
class TeamTracker:
    """Per-unit team counters of one replication."""

    n_units: int
    team_grades: list[int]
    departures: np.ndarray = field(init=False)
    recording: bool = False
    fills: np.ndarray = field(init=False)
    rows: list[dict] = field(default_factory=list)
    _pending: dict[int, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.departures = np.zeros((self.n_units, 3), dtype=np.int64)  # age, other, reshuffle
        self.fills = np.zeros((self.n_units, 2), dtype=np.int64)       # filled, from outside the unit

    def on_exit(self, unit: int, grade: int, reason: str) -> None:
        """A cadre of ``grade`` in ``unit`` left the organization for ``reason``."""
        if grade in self.team_grades and unit >= 0:
            col = {"age": 0, "other": 1}.get(reason, 2)
            self.departures[unit, col] += 1

    def on_fill(self, unit: int, grade: int, from_unit: int) -> None:
        """A team post of ``unit`` was filled in the reshuffle round by a cadre from ``from_unit`` (-1: outside)."""
        if self.recording and grade in self.team_grades:
            self.fills[unit] += (1, int(from_unit != unit))

    def before_round(self, run: Replication, now: int) -> None:
        """At the reshuffle, after its departures: open team posts and eligible successors, per unit."""
        org = run.org
        eligible_by_grade = {}
        for g in self.team_grades:
            idx = org.members(g - 1)
            eligible_by_grade[g] = idx[eligibility.eligible(run.grade_rules(g), org.pool(idx, now), now)]
        for u in range(self.n_units):
            posts = org.unit_posts[u]
            posts = posts[np.isin(org.post_grade[posts], self.team_grades)]
            if not len(posts):
                continue
            grades = set(org.post_grade[posts].tolist())
            successors = [e for g, e in eligible_by_grade.items() if g in grades]
            local = np.unique(np.concatenate([e[org.unit[e] == u] for e in successors]))
            district = len(np.unique(np.concatenate([e[org.same_district(e, u)] for e in successors])))
            self._pending[u] = {"departures_age": self.departures[u, 0], "departures_other": self.departures[u, 1],
                                "departures_reshuffle": self.departures[u, 2],
                                "vacancies": int(np.sum(org.holder[posts] < 0)),
                                "successors_unit": len(local), "successors_district": district}
        self.fills[:] = 0
        self.recording = True

    def after_round(self, run: Replication, now: int) -> None:
        """After the reshuffle round: who fills the team, its age and make-up, the young-member target."""
        org = run.org
        self.recording = False
        for u, row in sorted(self._pending.items()):
            posts = org.unit_posts[u]
            holders = org.holder[posts[np.isin(org.post_grade[posts], self.team_grades)]]
            holders = holders[holders >= 0]
            ages = org.age(holders, now)
            young_age = int(org.type_young_age[org.unit_type[u]])
            filled, outside = (int(x) for x in self.fills[u])
            row.update({
                "date": dates.fmt(now), "unit": u,
                "young_target_met": float(np.any(ages < young_age)) if young_age > 0 else np.nan,
                "filled": filled, "filled_from_outside_unit": outside,
                "outside_unit_share": outside / filled if filled else np.nan,
                "mean_age": float(np.mean(ages)) if len(ages) else np.nan,
                **{f"born_{d}s": int(np.sum(decade(org.birth[holders]) == d)) for d in DECADES}})
            self.rows.append(row)
        self._pending.clear()
        self.departures[:] = 0


# --- aggregation over replications -------------------------------------------------------------


def aggregate(rows: pd.DataFrame, units: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """teams.csv: one row per unit and reshuffle date, each measure's mean and 95% CI, the
    successors' range, and the at-risk flag with its reasons.

    Args:
        rows: per-replication rows (replication, date, unit_id, and the MEASURES).
        units: unit_id, name, type.
    """
    if rows.empty:
        return pd.DataFrame()
    out = []
    for (date, unit_id), g in rows.groupby(["date", "unit_id"], sort=True):
        rec: dict = {"date": date, "unit_id": unit_id}
        for m in MEASURES:
            x = g[m].dropna().to_numpy(float)
            mean, _, low, high, n = mean_ci(x, bounds(m)) if len(x) else (np.nan, np.nan, np.nan, np.nan, 0)
            rec.update({m: mean, f"{m}_ci95_low": low, f"{m}_ci95_high": high})
        for m in ("successors_unit", "successors_district"):
            rec[f"{m}_min"], rec[f"{m}_max"] = g[m].min(), g[m].max()
        rec["replications"] = len(g)
        out.append(rec)
    df = pd.DataFrame(out).merge(units[["unit_id", "name", "type"]], on="unit_id", how="left")
    df = flag_risk(df, scenario.report.risk)
    first = ["date", "unit_id", "name", "type", "at_risk", "risk_reasons", "risk_rank"]
    return df[first + [c for c in df.columns if c not in first]]


def flag_risk(df: pd.DataFrame, risk: RiskThresholds) -> pd.DataFrame:
    """Mark teams at risk under the ``risk`` thresholds and rank them, riskiest first, per date."""
    short = df["vacancies"] - df["successors_unit"]
    reasons = pd.Series([[] for _ in range(len(df))], index=df.index)
    if risk.vacancies_over_successors:
        hit = short > 0
        reasons[hit] = reasons[hit].apply(lambda r: [*r, "more vacancies than eligible successors in the unit"])
    young = df["young_target_met"] < risk.young_target_probability
    reasons[young] = reasons[young].apply(
        lambda r: [*r, f"below {risk.young_target_probability:.0%} chance of meeting the young-member target"])
    df = df.assign(at_risk=reasons.apply(bool), risk_reasons=reasons.apply("; ".join),
                   _n=reasons.apply(len), _short=short, _young=df["young_target_met"].fillna(1.0))
    df = df.sort_values(["date", "_n", "_short", "_young", "unit_id"], ascending=[True, False, False, True, True])
    df["risk_rank"] = df.groupby("date").cumcount() + 1
    return df.drop(columns=["_n", "_short", "_young"]).reset_index(drop=True)
