"""Youth Talent (青年英才) cohorts: selection, mentoring, secondment, score bonus and a second post."""

from __future__ import annotations

import numpy as np

from cadresim import dates
from cadresim.processes.rotation import random_partner, swap
from cadresim.processes.secondment import assessed, second
from cadresim.rules import scoring
from cadresim.rules.spans import months
from cadresim.state.replication import Replication


def youth_talent_start(run: Replication, name: str, now: int) -> None:
    """A cohort starts: the best-assessed young section-level cadres join and are seconded."""
    s, org = run.scenario, run.org
    cohort = s.youth_talent.cohorts[name]
    k = list(s.youth_talent.cohorts).index(name)
    grades = [s.grade_index(g) for g in cohort.grades] if cohort.grades else s.role_indices("section_level")
    idx = org.seated(grades)
    idx = idx[(org.age(idx, now) <= cohort.age_cap) & (org.cohort[idx] < 0)]
    if len(idx) < cohort.size:
        run.warnings.append(f"{dates.fmt(now)}: Youth Talent cohort {name} asked for {cohort.size} members; "
                            f"only {len(idx)} cadres were in its pool")
    chosen = idx[np.argsort(-assessed(run, idx, f"youth_talent_{name}", now), kind="stable")[: cohort.size]]
    for c in chosen:
        join_cohort(run, int(c), k, now)


def join_cohort(run: Replication, c: int, k: int, start: int, promoted: bool = False) -> None:
    """Cadre ``c`` joins cohort ``k`` (started at ``start``): mentoring, secondment, bonus period.

    Args:
        promoted: whether they have been promoted since ``start`` (roster members of a past cohort).
    """
    name, cohort = list(run.scenario.youth_talent.cohorts.items())[k]
    bonus_until = start + cohort.secondment_months + months(cohort.bonus_years)
    run.org.join_cohort(c, k, start, cohort.mentoring, bonus_until, promoted)
    if start >= run.scenario.start_month:
        org = run.org
        run.log.add(start, "youth_talent_join", c, int(org.grade[c]), int(org.unit[c]), -1, -1, name)
        if cohort.secondment_months:
            second(run, c, start, cohort.secondment_months)


def is_member(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """Which cadres ``idx`` are Youth Talent members at month ``now`` (their cohort has started)."""
    org = run.org
    return (org.cohort[idx] >= 0) & (org.joined[idx] <= now)


def in_bonus_period(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """Which cadres ``idx`` earn the Youth Talent score bonus at month ``now``: members from the end of
    their cohort's secondment to ``bonus_years`` after it."""
    org = run.org
    secondment = np.array([c.secondment_months for c in run.scenario.youth_talent.cohorts.values()] + [0])
    k = org.cohort[idx]
    bonus_from = org.joined[idx] + secondment[k]  # k = -1 (no cohort) reads the trailing 0
    return scoring.in_bonus_period(k >= 0, bonus_from, org.bonus_until[idx], now)


def drawn_merit(run: Replication, c: int) -> float:
    """Cadre ``c``'s latent merit as drawn, without their cohort's mentoring."""
    org = run.org
    k = int(org.cohort[c])
    mentoring = list(run.scenario.youth_talent.cohorts.values())[k].mentoring if k >= 0 else 0.0
    return float(org.merit[c] - mentoring)


def after_secondment(run: Replication, c: int, now: int) -> None:
    """A secondment has ended: a cohort member may take a second section-head post."""
    if run.org.cohort[c] >= 0:
        place_second_post(run, c, now)


def place_second_post(run: Replication, c: int, now: int) -> None:
    """A section-head member moves to a different section-head post: a vacant one, else a swap."""
    s, org = run.scenario, run.org
    cohort = list(s.youth_talent.cohorts.values())[org.cohort[c]]
    head = s.grade_index(s.roles.section_head)
    if cohort.placement != "second_section_post" or org.grade[c] != head or org.post[c] < 0:
        return
    open_ = org.vacancies(head)
    open_ = open_[org.post_unit[open_] != org.unit[c]]
    if len(open_):
        p = int(open_[np.argmin(run.rng.uniform("placement_post", now, org.key[c], open_))])
        chain = int(org.chain[p])
        old = org.move(c, p, now)
        run.filled(p, c, now, "placement", chain)
        run.log.add(now, "placement", c, head, int(org.unit[c]), p, chain, "vacant")
        run.open_vacancy(old, now, "chain")
        return
    partner = random_partner(run, c, head, now, "placement_partner", exclude_unit=int(org.unit[c]))
    if partner >= 0:
        swap(run, c, partner, now, "placement", "swap")
