"""The figures a grown district must agree with, measured on grown districts, and the fit table.

Each target names a figure, its range and its source. ``accept`` targets are the speech's facts: every
district of the ensemble meets them (the rejection of :mod:`cadresim.engine.districts` sees to it).
``ensemble`` targets hold on the ensemble mean and in at least :data:`SHARE_IN_RANGE` of the accepted
districts. ``report`` figures are shown, never fitted. No figure is set by the generator: each is
measured on what the spin-up left (:func:`district_figures`) or on the status quo run forward from it
(:func:`status_quo_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from collections.abc import Mapping, Sequence
from typing import Any

from cadresim import dates
from cadresim.analysis.calibration import Evaluate, register_source
from cadresim.engine.districts import District, accepted, grown_district, grown_figures
from cadresim.engine.fanout import fan_out
from cadresim.engine.replications import run_scenario
from cadresim.errors import Problem
from cadresim.scenario.schema import Scenario

#: Share of accepted districts in which an ``ensemble`` target must hold.
SHARE_IN_RANGE = 0.8
#: Replications of the status quo run forward from each district for the start-up checks.
STATUS_QUO_REPLICATIONS = 2
#: Districts grown (all of them, accepted or not) per evaluation of a calibration of the history.
FIT_DISTRICTS = 8


@dataclass(frozen=True)
class Target:
    """A figure of the start roster (or of the status quo) and the range it must fall in (inclusive)."""

    name: str
    low: float
    high: float
    kind: str  # accept, ensemble or report
    source: str
    about: str

    def holds(self, value: float) -> bool:
        return bool(self.low <= value <= self.high)


INF = float("inf")
TARGETS = [
    Target("post80_division_level", 3, 3, "accept", "seed", "80后 at division level on the start date: \"only 3\""),
    Target("division_level_grassroots_share", 0.9, 0.95, "ensemble", "seed",
           "division-level cadres with 2 years' grassroots experience: over 90% (every district: acceptance), "
           "at most 95%"),
    Target("post70_division_head_share", 0.10, 0.20, "ensemble", "seed", "正处 holders born in the 1970s: "
           "\"not high\""),
    Target("division_level_mean_age", 45, 48, "ensemble", "seed", "mean age at division level: \"relatively young\""),
    Target("post80_section_eligible_strict", 1, 8, "ensemble", "seed", "80后 科级 leaders eligible for 副处 under "
           "every rule: \"very few\""),
    Target("post80_work_start_age", 22, 25, "ensemble", "assumption", "median work-start age of 80后 cadres"),
    Target("post80_work_start_under_21", 0, 0.15, "ensemble", "assumption", "share of 80后 cadres who started work "
           "before 21"),
    Target("post80_section_head_work_start_age", 21, INF, "ensemble", "assumption",
           "80后 正科 holders: median age at starting work"),
    Target("post80_section_head_entry_age", 28, 32, "ensemble", "assumption",
           "80后 正科 holders: median age at entering 正科 (before 28 is rare)"),
    Target("entry_age_deputy_section", 29, 33, "ensemble", "assumption", "median age at entry into 副科, 2009-03 "
           "to 2014-02"),
    Target("entry_age_section", 32, 37, "ensemble", "assumption", "median age at entry into 正科, same years"),
    Target("entry_age_deputy_division", 37, 42, "ensemble", "assumption", "median age at entry into 副处, same years"),
    Target("entry_age_division", 42, 47, "ensemble", "assumption", "median age at entry into 正处, same years"),
    Target("entry_age_deputy_bureau", 47, 52, "ensemble", "assumption", "median age at entry into 副局, same years"),
    Target("youth_talent_c1_seconded", 38, 40, "ensemble", "assumption", "Youth Talent cohort 1 members on "
           "secondment on the start date (40 chosen in 2013-03, mid-secondment; one or two may have left since)"),
    Target("eligible_jump", -INF, 0, "ensemble", "assumption", "status quo: eligible 80后 科级 leaders three months "
           "on, less 1.5 x the start count + 2 (no start-up jump)"),
    Target("promotion_ratio", 0, 1.5, "ensemble", "assumption", "status quo: promotions in the first 12 months over "
           "those in the next 12"),
    Target("division_fill_6_months", 0.9, 1, "ensemble", "assumption", "status quo: division-level vacancies opened "
           "in the first 26 months filled within 6 months"),
    Target("post80_section_grassroots_share", -INF, INF, "report", "model", "80后 科级 leaders with 2 years' "
           "front-line grassroots experience"),
    Target("post80_section_two_posts_share", -INF, INF, "report", "model", "80后 正科 holders who have held two "
           "正科 posts"),
]
BY_NAME = {t.name: t for t in TARGETS}


def district_figures(scenario: Scenario, d: District) -> dict[str, float]:
    """Every start-date figure of a grown district (no random draw enters them)."""
    c, start = d.roster.cadres, scenario.start_month
    post80 = c[(c["birth"] // 12 >= 1980) & (c["birth"] // 12 < 1990)]
    work_age = (post80["work_start"] - post80["birth"]) / 12
    heads = post80[post80["grade"] == scenario.roles.section_head]
    out = {k: d.figures[k] for k in ("post80_division_level", "division_level_grassroots_share",
                                     "post70_division_head_share", "division_level_mean_age",
                                     "post80_section_eligible_strict", "post80_section_grassroots_share",
                                     "post80_section_two_posts_share") if k in d.figures}
    out["post80_work_start_age"] = _median(work_age)
    out["post80_work_start_under_21"] = float((work_age < 21).mean()) if len(work_age) else float("nan")
    out["post80_section_head_work_start_age"] = _median((heads["work_start"] - heads["birth"]) / 12)
    out["post80_section_head_entry_age"] = _median((heads["grade_since"] - heads["birth"]) / 12)
    for k, key in enumerate(scenario.ladder[1:], start=1):
        out[f"entry_age_{key}"] = _median(d.entries.loc[d.entries["grade"] == k, "age"])
    c1 = c[c["cohort"] == "c1"]
    out["youth_talent_c1_seconded"] = float((c1["secondment_end"] > start).sum())
    return out


def status_quo_figures(scenario: Scenario, d: District, seed: int = 1) -> dict[str, float]:
    """The start-up checks, on the status quo (package defaults) run forward from the district: the
    eligible pool three months on, promotions in the first two years, division-level fills."""
    base = Scenario(start=scenario.start, district=scenario.district.model_copy(update={"districts": 1}),
                    snapshots=[dates.fmt(scenario.start_month + 3)], history=scenario.history)
    from cadresim.engine.districts import DistrictRun, Start

    runs = Start([DistrictRun(0, d.roster, d.seed + 1, d.seed, d.digest)])
    res = run_scenario(base, STATUS_QUO_REPLICATIONS, seed, districts=runs)
    m = res.per_replication
    def metric(name: str, month: int) -> float:
        return float(m.loc[(m["metric"] == name) & (m["date"] == dates.fmt(month)), "value"].mean())

    s = scenario.start_month
    jump = metric("post80_section_eligible_strict", s + 3) - 1.5 * metric("post80_section_eligible_strict", s) - 2
    ev = res.events
    promo = ev[ev["event"] == "promotion"]
    first, second = (promo["month"] < s + 12).sum(), ((promo["month"] >= s + 12) & (promo["month"] < s + 24)).sum()
    return {"eligible_jump": jump, "promotion_ratio": float(first / second) if second else float("inf"),
            "division_fill_6_months": _fill_share(ev, scenario, s, s + 26)}


def _fill_share(ev: pd.DataFrame, scenario: Scenario, first: int, last: int) -> float:
    """Share of division-level vacancies opened in months [first, last] filled within 6 months."""
    grades = [scenario.ladder[g] for g in scenario.role_indices("division_level")]
    div = ev[ev["grade"].isin(grades)]
    shares = []
    for _, run in div.groupby("replication"):
        opened = run[(run["event"] == "vacancy_opened") & run["month"].between(first, last)]
        filled = run[run["event"] == "vacancy_filled"].sort_values("month")
        for post, month in zip(opened["post_id"], opened["month"]):
            later = filled.loc[(filled["post_id"] == post) & (filled["month"] >= month), "month"]
            shares.append(bool(len(later)) and later.iloc[0] - month <= 6)
    return float(np.mean(shares)) if shares else float("nan")


def figures(scenario: Scenario, d: District) -> dict[str, float]:
    """The start-date figures and the status quo's start-up checks of district ``d``."""
    return district_figures(scenario, d) | status_quo_figures(scenario, d)


def fit_table(per_district: list[dict[str, float]]) -> pd.DataFrame:
    """Per target: its range, the ensemble mean, the share of districts in range, and whether it passes."""
    rows = []
    for t in TARGETS:
        values = np.array([f.get(t.name, np.nan) for f in per_district], dtype=float)
        mean = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
        share = float(np.mean([t.holds(v) for v in values])) if len(values) else float("nan")
        if t.kind == "accept":
            passed = share == 1.0
        elif t.kind == "ensemble":
            passed = t.holds(mean) and share >= SHARE_IN_RANGE
        else:
            passed = None
        rows.append({"target": t.name, "kind": t.kind, "low": t.low, "high": t.high, "mean": mean,
                     "share_in_range": share, "pass": passed, "source": t.source, "about": t.about})
    return pd.DataFrame(rows)


def _median(values: pd.Series) -> float:
    return float(np.median(values)) if len(values) else float("nan")


def ensemble_figures(scenario: Scenario, seeds: Sequence[int], jobs: int = 1) -> list[dict[str, float]]:
    """:func:`figures` of the districts grown on ``seeds`` (cached ones are read), in seed order."""
    found: dict[int, dict[str, float]] = {}
    fan_out(_figures_of, ((scenario, s) for s in seeds), lambda r: found.__setitem__(r[0], r[1]), jobs,
            total=len(seeds))
    return [found[s] for s in seeds]


def _figures_of(args: tuple[Scenario, int]) -> tuple[int, dict[str, float]]:
    scenario, seed = args
    return seed, figures(scenario, grown_district(scenario, seed))


def accepted_figures(scenario: Scenario, seeds: Sequence[int], jobs: int = 1, least: int = 4) -> list[dict[str, float]]:
    """:func:`figures` of the districts grown on ``seeds`` that agree with the speech's facts, when at least
    ``least`` of them do; else of every one (a fit then steers toward the facts through its targets)."""
    found: dict[int, dict[str, float]] = {}
    fan_out(_start_figures_of, ((scenario, s) for s in seeds), lambda r: found.__setitem__(r[0], r[1]), jobs,
            total=len(seeds))
    chosen = [s for s in seeds if accepted(scenario, found[s])]
    return ensemble_figures(scenario, chosen if len(chosen) >= least else list(seeds), jobs)


def _start_figures_of(args: tuple[Scenario, int]) -> tuple[int, dict[str, float]]:
    return args[1], grown_figures(*args)


class DistrictSource:
    """Calibration targets on grown districts: the figures of :data:`TARGETS`, one draw per district grown on
    seeds ``district.seed`` on (``context["districts"]`` of them, default :data:`FIT_DISTRICTS`); with
    ``context["accepted_only"]``, only those that agree with the speech's facts (when enough do)."""

    name = "district"

    def claims(self, target: str) -> bool:
        return target in BY_NAME

    def problems(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> list[Problem]:
        if base.district.generator == "grown" and base.district.roster_file is None:
            return []
        return [Problem(f"--target {t}", "", "a figure of a grown district: the scenario must use "
                        "district.generator: grown and no roster file", t) for t in targets]

    def evaluator(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> Evaluate:
        first, count = base.district.seed, int(context.get("districts", FIT_DISTRICTS))
        jobs, plausible = int(context.get("jobs", 1)), bool(context.get("accepted_only", False))

        def evaluate(scenario: Scenario) -> list[dict[str, float]]:
            seeds = range(first, first + count)
            figs = accepted_figures(scenario, seeds, jobs) if plausible else ensemble_figures(scenario, seeds, jobs)
            return [{t: f[t] for t in targets} for f in figs]

        return evaluate


register_source(DistrictSource())
