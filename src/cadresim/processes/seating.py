"""Seating cadres without a post (after a failed probation) in a vacant post of their grade."""

from __future__ import annotations

import numpy as np

from cadresim.state.replication import Replication


def seat_returners(run: Replication, now: int) -> None:
    """Cadres without a post (after failing probation) take a vacant post of their grade, own unit first."""
    org = run.org
    n = org.n
    waiting = np.flatnonzero(org.active[:n] & (org.post[:n] < 0) & (org.grade[:n] >= 0) & ~org.nonleading[:n])
    for c in waiting:
        c = int(c)
        if run.grade_rules(int(org.grade[c])).kind != "post_limited":
            continue
        seat_in_grade(run, c, now, "return")


def seat_in_grade(run: Replication, c: int, now: int, how: str) -> bool:
    """Seat ``c`` in a vacant post of their grade (of the staff establishment for a non-leading rank), own
    unit first. Returns whether one was found."""
    org = run.org
    open_ = org.vacancies(0 if org.nonleading[c] else int(org.grade[c]))
    if not len(open_):
        return False
    own = open_[org.post_unit[open_] == org.unit[c]]
    p = int(own[0] if len(own) else open_[0])
    chain = int(org.chain[p])
    org.move(c, p, now)
    run.filled(p, c, now, how, chain)
    return True
