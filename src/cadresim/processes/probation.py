"""Probation (试用期, Art. 42): who starts it on promotion, and its outcome (docs/model.md)."""

from __future__ import annotations

import numpy as np

from cadresim.processes.seating import seat_in_grade
from cadresim.state.replication import Replication


def start_probation(run: Replication, c: int, g: int, now: int) -> None:
    """Cadre ``c``, just promoted into grade ``g``, starts probation if ``g`` puts their unit type on it."""
    org = run.org
    unit_type = org.type_keys[org.unit_type[org.unit[c]]]
    months = run.scenario.probation.months
    if months and unit_type in run.grade_rules(g).probation_in:
        org.set_probation(c, now + months)


def probation_ends(run: Replication, now: int) -> None:
    """Probation ends this month: most pass; ``fail_rate`` return to their former grade."""
    org = run.org
    due = np.flatnonzero(org.active[:org.n] & (org.probation_end[:org.n] == now))
    fails = run.rng.uniform("probation", now, org.key[due]) < run.scenario.probation.fail_rate
    for c, failed in zip(due, fails):
        c = int(c)
        org.end_probation(c)
        if failed:
            demote(run, c, now)
        else:
            run.log.add(now, "probation_pass", c, int(org.grade[c]), int(org.unit[c]))


def demote(run: Replication, c: int, now: int) -> None:
    """A failed probation: back to the former grade, in a vacant post of it (own unit first) if any."""
    org = run.org
    grade, unit = int(org.grade[c]), int(org.unit[c])
    p = org.demote(c, now)
    same = int(org.grade[c]) == grade  # back to the non-leading rank of the same level
    run.log.add(now, "probation_fail", c, grade, unit, p, -1, "same_level" if same else "")
    run.open_vacancy(p, now, "probation_fail")
    seat_in_grade(run, c, now, "return")
