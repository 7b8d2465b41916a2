"""The hindcast (backtest): fit forward parameters so that a run from a department's earlier roster
reproduces its later one.

The **measures** compare the later roster with the state the runs reach on its date:

- ``stock.GRADE.DECADE`` (``stock.section.1970s``): cadres in a grade by birth decade on the later date;
- ``promotions.GRADE`` (``promotions.deputy_division``): cadres in a grade on the later date whose last
  promotion fell on or after the earlier roster's date. In the later roster it is read from
  ``last_promotion``; in a run, from the promotion events of the cadres still in service at its end.
  The same definition on both sides: a cadre promoted twice counts once, one promoted who has left
  does not count.

A run from the earlier roster (the scenario's start) to the month before the later date ends in the
state the later roster describes (a roster gives the state at the start of its month). Reshuffles,
snapshots and Youth Talent cohorts after that are left out of the hindcast's runs (not out of the
fitted scenario). Every measure is a target at its observed value (or within ``tolerance`` of it),
scaled by the square root of the observed count, so that the loss weighs cells as counts' noise does.

:func:`hindcast` returns the fit and the **backtest table** (measure, observed, simulated mean with its
95% interval, relative error) before and after fitting. :func:`roster_at_end` turns a replication's end
state into a roster (a synthetic "later roster" for tests: the model's own truth).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.analysis.calibration import Fit, Parameter, Target, calibrate, register_source
from cadresim.district.roster import Roster
from cadresim.engine.fanout import fan_out
from cadresim.engine.schedule import ReplicationResult, simulate
from cadresim.errors import InputError, Problem
from cadresim.measures.metrics import decade
from cadresim.scenario.loader import validate
from cadresim.scenario.schema import Scenario
from cadresim.stats import mean_ci

BACKTEST_COLUMNS = ("measure", "observed", "simulated", "ci95_low", "ci95_high", "relative_error")
OPTION = "--hindcast"


@dataclass(frozen=True)
class Backtest:
    """What a hindcast compares: the earlier roster, the later roster's date and measures.

    Attributes:
        earlier: the roster the runs start from (on the scenario's start date).
        later_month: the later roster's date (a month index).
        observed: the later roster's measures, by name.
    """

    earlier: Roster
    later_month: int
    observed: dict[str, float]


@dataclass(frozen=True)
class Hindcast:
    """A fitted hindcast: the fit, and the backtest tables before and after it (:data:`BACKTEST_COLUMNS`)."""

    fit: Fit
    before: pd.DataFrame
    after: pd.DataFrame


def hindcast(base: Scenario, backtest: Backtest, params: Sequence[Parameter], budget: int = 30,
             replications: int = 4, seed: int = 0, jobs: int = 1, tolerance: float = 0.0,
             measures: Sequence[str] | None = None, on_trial=None) -> Hindcast:
    """Fit ``params`` so that runs of ``base`` from ``backtest.earlier`` reproduce the later roster.

    Args:
        base: the scenario (its start: the earlier roster's date).
        backtest: see :func:`backtest_from`.
        params: the forward parameters to fit.
        budget, seed: as :func:`cadresim.analysis.calibration.calibrate`.
        replications: runs per trial (the same seeds at every trial).
        jobs: worker processes for the runs.
        tolerance: the relative distance from the observed value within which a measure counts as met.
        measures: the measures to fit (default: every measure of the later roster).

    Raises:
        InputError: as ``calibrate``, or a measure that is not one of the later roster's.
    """
    names = list(measures) if measures is not None else list(backtest.observed)
    unknown = [Problem(f"--target {m}", "", "not a measure of the later roster; measures: "
                       + ", ".join(backtest.observed)) for m in names if m not in backtest.observed]
    if unknown:
        raise InputError(unknown)
    targets = [measure_target(m, backtest.observed[m], tolerance) for m in names]
    context = {"replications": replications, "seed": seed, "jobs": jobs, "later": backtest}
    evaluate = SOURCE.evaluator(base, names, context)
    fit = calibrate(base, params, targets, evaluate, budget, seed, on_trial)
    after = backtest_table(backtest.observed, fit.draws)
    return Hindcast(fit, backtest_table(backtest.observed, fit.start_draws), after)


def measure_target(name: str, observed: float, tolerance: float = 0.0) -> Target:
    """A measure as a target: within ``tolerance`` (relative) of its observed value, on a count's scale."""
    half = tolerance * abs(observed)
    return Target(name, observed - half, observed + half, scale=max(math.sqrt(abs(observed)), 1.0))


def backtest_table(observed: Mapping[str, float], draws: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Measure, observed, simulated mean with its 95% interval, relative error (simulated / observed - 1)."""
    rows = []
    for name, value in observed.items():
        if name not in draws:
            continue
        mean, _, low, high, _ = mean_ci(draws[name])
        rel = mean / value - 1 if value else math.nan
        rows.append((name, value, mean, low, high, rel))
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


# --- measures (pure) ------------------------------------------------------------------------------


def measures(ladder: Sequence[str], grade: np.ndarray, birth: np.ndarray, last_promotion: np.ndarray,
             since: int) -> dict[str, float]:
    """The backtest measures of a state: stocks by grade and birth decade, promotions by grade.

    Args:
        ladder: grade keys, bottom to top.
        grade: each cadre's grade (ladder index); birth: birth months.
        last_promotion: each cadre's last promotion month (-1: never).
        since: promotions from this month on count (the earlier roster's date).
    """
    out: dict[str, float] = {}
    decades = decade(birth)
    for g, key in enumerate(ladder):
        mine = grade == g
        for d in np.unique(decades[mine]):
            out[f"stock.{key}.{int(d)}s"] = float(np.sum(mine & (decades == d)))
    for g, key in enumerate(ladder[1:], start=1):
        out[f"promotions.{key}"] = float(np.sum((grade == g) & (last_promotion >= since)))
    return out


def roster_measures(roster: Roster, scenario: Scenario, since: int) -> dict[str, float]:
    """The measures of a roster (promotions from month ``since`` on)."""
    c = roster.cadres
    grade = c["grade"].map({k: i for i, k in enumerate(scenario.ladder)}).to_numpy(np.int64)
    return measures(scenario.ladder, grade, c["birth"].to_numpy(np.int64), c["last_promotion"].to_numpy(np.int64),
                    since)


def run_measures(result: ReplicationResult, scenario: Scenario, since: int) -> dict[str, float]:
    """The measures of a replication's end state (promotions read from its event log)."""
    final = result.final
    return measures(scenario.ladder, final["grade"], final["birth"], last_promotions(result, since), since)


def last_promotions(result: ReplicationResult, since: int) -> np.ndarray:
    """Each cadre of the end state's last promotion month from ``since`` on (-1: none in the run)."""
    events = result.events
    keys = result.final["key"]
    if events is None or events.empty:
        return np.full(len(keys), -1, dtype=np.int64)
    promoted = events[(events["event"] == "promotion") & (events["month"] >= since)]
    last = promoted.groupby("cadre_id")["month"].max()
    return pd.Series(keys).map(last).fillna(-1).to_numpy(np.int64)


# --- the runs -------------------------------------------------------------------------------------


def hindcast_scenario(base: Scenario, later_month: int) -> Scenario:
    """``base`` run to the month before ``later_month``: later reshuffles, snapshots and cohorts left out.

    Raises:
        InputError: the later date is not after the start.
    """
    if later_month <= base.start_month + 1:
        raise InputError([Problem(OPTION, "--later-date", f"the later roster's date must be at least two months "
                                  f"after the scenario's start ({base.start})", dates.fmt(later_month))])
    end = later_month - 1
    data = base.model_dump(mode="json")
    data["end"] = dates.fmt(end)
    data["snapshots"] = [d for d in data["snapshots"] if dates.parse(d) <= end]
    data["reshuffle"]["dates"] = [d for d in data["reshuffle"]["dates"] if dates.parse(d) <= end]
    data["youth_talent"]["cohorts"] = {k: v for k, v in data["youth_talent"]["cohorts"].items()
                                       if dates.parse(v["start"]) <= end}
    return validate(data, {}, OPTION, with_defaults=False)


def _one(args: tuple) -> dict[str, Any]:
    """One replication of the hindcast, reduced to its measures (module level: picklable for a pool)."""
    scenario, roster, seed, replication, since = args
    result = simulate(scenario, roster, seed, replication, record_events=True)
    return {"replication": replication, **run_measures(result, scenario, since)}


class BacktestSource:
    """Targets on the backtest measures (``stock.GRADE.DECADE``, ``promotions.GRADE``); needs
    ``context["later"]``, a :class:`Backtest`."""

    name = "backtest"

    def claims(self, target: str) -> bool:
        return target.startswith(("stock.", "promotions."))

    def problems(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> list[Problem]:
        backtest = context.get("later")
        if backtest is None:
            return [Problem(f"--target {t}", "", "a backtest measure: needs --hindcast LATER_ROSTER") for t in targets]
        return [Problem(f"--target {t}", "", "not a measure of the later roster; measures: "
                        + ", ".join(backtest.observed)) for t in targets if t not in backtest.observed]

    def evaluator(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]):
        backtest: Backtest = context["later"]
        replications, seed, jobs = context["replications"], context["seed"], context.get("jobs", 1)

        def evaluate(scenario: Scenario) -> dict[str, np.ndarray]:
            run = hindcast_scenario(scenario, backtest.later_month)
            tasks = ((run, backtest.earlier, seed, i, scenario.start_month) for i in range(replications))
            rows: list[dict[str, Any]] = []
            fan_out(_one, tasks, rows.append, jobs, None, replications)
            rows.sort(key=lambda r: r["replication"])
            return {t: np.array([r.get(t, 0.0) for r in rows]) for t in targets}

        return evaluate


SOURCE = register_source(BacktestSource())


# --- the rosters ------------------------------------------------------------------------------------


def backtest_from(base: Scenario, later: Roster) -> Backtest:
    """The backtest of ``base`` (its start roster: the earlier one) against the ``later`` roster."""
    from cadresim.engine.districts import one_roster

    return Backtest(one_roster(base), later.start, roster_measures(later, base, base.start_month))


def read_later_roster(base: Scenario, roster_file: Path, units_file: Path | None, later_month: int) -> Roster:
    """The later roster, read and checked as of ``later_month`` (its units: ``units_file``, else the
    scenario's).

    Raises:
        InputError: every problem of the files, or no units file to read it with.
    """
    from cadresim.io.roster_read import read_files

    units = units_file or (Path(base.district.units_file) if base.district.units_file else None)
    if units is None:
        raise InputError([Problem("--later-units", "", "the scenario has no units file (a synthetic district): "
                                  "give the later roster's units with --later-units FILE")])
    return read_files(_at(base, later_month), Path(roster_file), Path(units)).roster


def _at(base: Scenario, month: int) -> Scenario:
    """``base`` starting at ``month`` (to read a roster of that date): later dates only."""
    data = base.model_dump(mode="json")
    end = max(base.end_month, month + 1)
    data.update(start=dates.fmt(month), end=dates.fmt(end), snapshots=[])
    data["reshuffle"]["dates"] = [d for d in data["reshuffle"]["dates"] if dates.parse(d) > month]
    return validate(data, {}, OPTION, with_defaults=False)


def roster_at_end(result: ReplicationResult, earlier: Roster, scenario: Scenario) -> Roster:
    """A replication's end state as a roster dated the month after the run's end.

    What the end state lacks comes from the earlier roster for the cadres in it (work start,
    enterprise experience, cohort) and from the event log (last promotion); recruits started work
    when they entered their grade (earlier when they bring more grassroots months); nobody is on
    probation or secondment.
    """
    final, before = result.final, earlier.cadres.set_index("cadre_id")
    keys = pd.Index(final["key"])
    known = keys.isin(before.index)
    since = _from_earlier(before, keys, known, "last_promotion", -1)
    last = last_promotions(result, scenario.start_month)
    cadres = pd.DataFrame({
        "cadre_id": np.arange(len(keys)), "birth": final["birth"], "female": final["female"],
        "work_start": np.where(known, _from_earlier(before, keys, known, "work_start", 0),
                               np.minimum(final["grade_since"], scenario.end_month + 1 - final["grassroots_months"])),
        "grade": np.array(scenario.ladder, dtype=object)[final["grade"]], "grade_since": final["grade_since"],
        "unit_id": earlier.units["unit_id"].to_numpy()[final["unit"]], "post_since": final["post_since"],
        "last_promotion": np.where(last >= 0, last, since), "posts_held": final["posts_held"],
        "grassroots_months": final["grassroots_months"],
        "enterprise": _from_earlier(before, keys, known, "enterprise", False).astype(bool),
        "cohort": _from_earlier(before, keys, known, "cohort", ""), "probation_end": -1, "secondment_end": -1,
        "nonleading": final["nonleading"]})
    return Roster(earlier.units.copy(), cadres, scenario.end_month + 1)


def _from_earlier(before: pd.DataFrame, keys: pd.Index, known: np.ndarray, column: str, default: Any) -> np.ndarray:
    values = before[column].reindex(keys).to_numpy(object, copy=True)
    values[~known] = default
    return values.astype(type(default)) if not isinstance(default, str) else values
