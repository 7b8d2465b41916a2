"""Exits: retirement and leaving ages, and other exits at a yearly hazard (docs/model.md)."""

from __future__ import annotations

import numpy as np

from cadresim.rules.ages import leave_months, retire_months
from cadresim.state.replication import Replication


def monthly_hazards(run: Replication) -> np.ndarray:
    """Per-grade monthly cumulative hazard, so that a year at the grade's rate has that exit probability."""
    rates = np.array([run.scenario.grades[k].exit_rate for k in run.scenario.ladder])
    with np.errstate(divide="ignore"):
        return np.where(rates >= 1.0, np.inf, -np.log1p(-np.minimum(rates, 1.0)) / 12.0)


def due_to_leave(run: Replication, idx: np.ndarray) -> np.ndarray:
    """Month in which each of cadres ``idx`` must leave their post or rank for age."""
    org = run.org
    return leave_months(run.scenario, org.birth[idx], org.grade[idx], org.female[idx], org.nonleading[idx])


def moves_to_nonleading(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """Which of cadres ``idx``, leaving their leading post for age in month ``now``, take the non-leading
    rank of their level instead of leaving (track on, a rank at their level, not yet retiring)."""
    s, org = run.scenario, run.org
    if not (s.nonleading.enabled and s.nonleading.at_leaving_age):
        return np.zeros(len(idx), dtype=bool)
    ranked = np.isin(org.grade[idx], s.rank_indices()) & ~org.nonleading[idx]
    return ranked & (now < retire_months(s, org.birth[idx], org.grade[idx], org.female[idx]))


def exits(run: Replication, now: int, hazards: np.ndarray) -> None:
    """Everyone due to leave this month leaves; their posts open new vacancy chains.

    A cadre's other-exit time is an Exp(1) threshold keyed to the cadre, crossed by the
    cumulative hazard of the grades they pass through: the same cadre exits at the same
    time in every scenario where their grades agree.
    """
    org = run.org
    idx = np.flatnonzero(org.active[:org.n])
    org.accrue_hazard(idx, hazards[org.grade[idx]])
    for_age = now >= due_to_leave(run, idx)
    other = org.hazard[idx] >= org.threshold[idx]
    to_rank = for_age & ~other
    to_rank[to_rank] = moves_to_nonleading(run, idx[to_rank], now)  # only those due: this runs every month
    for c in idx[to_rank]:
        step_down(run, int(c), now, "age")
    out = (for_age | other) & ~to_rank
    for c, aged in zip(idx[out], for_age[out]):
        leave(run, int(c), now, "age" if aged else "other")


def step_down(run: Replication, c: int, now: int, reason: str) -> None:
    """Cadre ``c`` leaves their leading post for the non-leading rank of their level (改任非领导职务),
    over the establishment when their unit has no vacant staff post, and over the 职数 if need be."""
    org = run.org
    grade, unit = int(org.grade[c]), int(org.unit[c])
    staff = org.vacant_staff_post(unit)
    chain = int(org.chain[staff]) if staff >= 0 else -1
    p = org.to_nonleading(c, now, staff_post=staff)
    if run.teams is not None:
        run.teams.on_exit(unit, grade, reason)
    run.log.add(now, "to_nonleading", c, grade, unit, p, -1, reason if staff >= 0 else f"{reason};over_establishment")
    run.open_vacancy(p, now, reason)
    if staff >= 0:
        run.filled(staff, c, now, "nonleading", chain)


def leave(run: Replication, c: int, now: int, reason: str) -> None:
    """Cadre ``c`` leaves the organization; their post opens a new chain."""
    org = run.org
    grade, unit = int(org.grade[c]), int(org.unit[c])
    p = org.remove(c, now)
    run.exits += 1
    if run.teams is not None:
        run.teams.on_exit(unit, grade, reason)
    run.log.add(now, "exit", c, grade, unit, p, -1, reason)
    run.open_vacancy(p, now, reason)
