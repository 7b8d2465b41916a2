"""A rate-based ladder against the Markov manpower recursion n(t+1) = n(t) P + r (MODEL.md section 8).

Stocks are read each December after the review and the intake. Over a year a cadre of grade j
survives with probability s_j = 1 - exit_rate_j, then is promoted with the next grade's rate p,
so P[j, j] = s_j (1 - p_{j+1}) and P[j, j+1] = s_j p_{j+1}. Tolerance: 4 standard errors of
the mean over R replications, at every year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cadresim import load_scenario
from cadresim.district import generate
from cadresim.model import simulate

pytestmark = pytest.mark.validation
ROOT = Path(__file__).resolve().parents[2]
R = 16


def transition(scenario) -> tuple[np.ndarray, np.ndarray]:
    k = len(scenario.ladder)
    grades = [scenario.grades[g] for g in scenario.ladder]
    p = np.zeros((k, k))
    for j in range(k):
        survive = 1 - grades[j].exit_rate
        up = grades[j + 1].promotion_rate if j + 1 < k else 0.0
        p[j, j] = survive * (1 - up)
        if j + 1 < k:
            p[j, j + 1] = survive * up
    r = np.zeros(k)
    r[0] = scenario.recruitment.intake
    return p, r


def test_yearly_stocks_follow_the_recursion():
    scenario = load_scenario(ROOT / "scenarios" / "theory" / "markov_3grades.yaml")
    roster = generate(scenario)
    assert len(roster.cadres) == 0  # rate-based grades hold no posts: the ladder fills from the intake
    years = []
    for rep in range(R):
        res = simulate(scenario, roster, seed=3, replication=rep, record_events=False)
        st = pd.DataFrame(res.stocks, columns=["date", "grade", "decade", "count"])
        st = st[st["date"].str.endswith("-12")].groupby(["date", "grade"])["count"].sum().unstack(fill_value=0)
        years.append(st.reindex(columns=scenario.ladder, fill_value=0).to_numpy(float))
    sims = np.array(years)  # replication x year x grade
    p, r = transition(scenario)
    expected = [r]
    for _ in range(sims.shape[1] - 1):
        expected.append(expected[-1] @ p + r)
    expected = np.array(expected)
    mean, se = sims.mean(axis=0), sims.std(axis=0, ddof=1) / np.sqrt(R)
    assert np.all(np.abs(mean - expected) <= 4 * se + 1e-9), np.abs(mean - expected) / np.maximum(se, 1e-9)
    assert expected[-1, 2] > 100  # the top grade really fills: the check is not vacuous
