"""The pull model of MODEL.md section 8 on 3- and 5-grade ladders.

Each check compares the mean over R replications with the closed form; the tolerance is
4 standard errors of that mean (estimated from the replications), so a correct engine fails
a check about once in 16,000 runs, and a bias larger than a few percent is caught.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cadresim import load_scenario, theory
from cadresim.district import generate
from cadresim.model import simulate

pytestmark = pytest.mark.validation

ROOT = Path(__file__).resolve().parents[2]
R = 12
Z = 4.0


def posts_and_q(scenario):
    n = np.array([sum(u.count * u.posts.get(g, 0) for u in scenario.district.units.values())
                  for g in scenario.ladder], dtype=float)
    q = theory.monthly_exit_probability([scenario.grades[g].exit_rate for g in scenario.ladder])
    return n, q


def spells(ev: pd.DataFrame, ladder: list[str], end: int) -> pd.DataFrame:
    """Grade spells that start during the run: cadre, grade, start, stop (end if censored), how it ended."""
    g = {k: i for i, k in enumerate(ladder)}
    starts = ev[ev["event"].isin(["promotion", "recruitment"])][["cadre_id", "grade", "month"]]
    stops = pd.concat([
        ev[ev["event"] == "exit"].assign(how="exit")[["cadre_id", "grade", "month", "how"]],
        ev[ev["event"] == "promotion"].assign(
            how="promotion", grade=lambda d: d["grade"].map(lambda k: ladder[g[k] - 1]))[
            ["cadre_id", "grade", "month", "how"]]])
    df = starts.merge(stops, on=["cadre_id", "grade"], how="left", suffixes=("", "_stop"))
    df["how"] = df["how"].fillna("censored")
    df["stop"] = df["month_stop"].fillna(end + 1)
    return df.rename(columns={"month": "start"})[["cadre_id", "grade", "start", "stop", "how"]]


def estimates(scenario, replication: int) -> dict[str, np.ndarray]:
    res = simulate(scenario, generate(scenario), seed=11, replication=replication)
    ev, ladder = res.events, scenario.ladder
    start, end = scenario.start_month, scenario.end_month
    months = end - start + 1
    flows = np.array([(ev["event"] == "recruitment").sum()] +
                     [((ev["event"] == "promotion") & (ev["grade"] == g)).sum() for g in ladder[1:]]) / months
    sp = spells(ev, ladder, end)
    sp = sp[sp["start"] < start + months // 2]  # censoring after half the run is negligible
    time, promo = [], []
    for g in ladder:
        s = sp[sp["grade"] == g]
        done = s[s["how"] != "censored"]
        time.append((s["stop"] - s["start"]).sum() / len(done))
        promo.append((done["how"] == "promotion").mean())
    careers = ev[ev["event"] == "recruitment"][["cadre_id", "month"]].merge(
        ev[ev["event"] == "exit"][["cadre_id", "month"]], on="cadre_id", how="left", suffixes=("", "_exit"))
    careers = careers[careers["month"] < start + months // 2]
    service = (careers["month_exit"].fillna(end + 1) - careers["month"]).sum() / careers["month_exit"].notna().sum()
    return {"flows": flows, "time": np.array(time), "promotion": np.array(promo), "service": np.array([service]),
            "chains": chain_lengths(ev, ladder)}


def chain_lengths(ev: pd.DataFrame, ladder: list[str]) -> np.ndarray:
    """Fills per completed chain, minus the chain's starting grade number (all zero in theory)."""
    opened = ev[(ev["event"] == "vacancy_opened") & ev["detail"].isin(["age", "other"])]
    fills = ev[ev["event"] == "vacancy_filled"]
    done = fills[fills["detail"] == "recruitment"]["chain_id"]
    length = fills.groupby("chain_id").size()
    opened = opened[opened["chain_id"].isin(done)]
    grade_no = opened["grade"].map({k: i + 1 for i, k in enumerate(ladder)}).to_numpy()
    return length.loc[opened["chain_id"]].to_numpy() - grade_no


@pytest.fixture(scope="module", params=["pull_3grades.yaml", "pull_5grades.yaml"])
def pull(request):
    scenario = load_scenario(ROOT / "scenarios" / "theory" / request.param)
    reps = [estimates(scenario, r) for r in range(R)]
    return scenario, {k: np.array([r[k] for r in reps]) for k in reps[0] if k != "chains"}, reps


def within(sim: np.ndarray, expected: np.ndarray, what: str) -> None:
    mean, se = sim.mean(axis=0), sim.std(axis=0, ddof=1) / np.sqrt(len(sim))
    bad = np.abs(mean - expected) > Z * se
    assert not bad.any(), f"{what}: simulated {mean} vs theory {expected} (tolerance {Z} SE = {Z * se})"


def test_flows_into_each_grade(pull):
    scenario, est, _ = pull
    within(est["flows"], theory.pull_flows(*posts_and_q(scenario)), "flows per month")


def test_mean_time_in_grade(pull):
    scenario, est, _ = pull
    within(est["time"], theory.pull_time_in_grade(*posts_and_q(scenario)), "months in grade")


def test_probability_of_leaving_by_promotion(pull):
    scenario, est, _ = pull
    expected = theory.pull_promotion_probability(*posts_and_q(scenario))
    within(est["promotion"][:, :-1], expected[:-1], "promotion probability")
    assert np.all(est["promotion"][:, -1] == 0)


def test_length_of_service(pull):
    scenario, est, _ = pull
    within(est["service"][:, 0], theory.pull_length_of_service(*posts_and_q(scenario)), "months of service")


def test_a_vacancy_opening_in_grade_j_makes_a_chain_of_length_j(pull):
    _, _, reps = pull
    diffs = np.concatenate([r["chains"] for r in reps])
    assert len(diffs) > 1000
    assert np.all(diffs == 0)
