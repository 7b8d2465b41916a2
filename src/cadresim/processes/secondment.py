"""Secondment (挂职) of section-level cadres to the grassroots front line (docs/model.md)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from cadresim.rules import scoring
from cadresim.rules.eligibility import division_grassroots_months
from cadresim.state.replication import Replication

#: What happens to a cadre whose secondment has just ended: (replication, cadre, month).
AfterSecondment = Callable[[Replication, int, int], None]


def assessed(run: Replication, idx: np.ndarray, purpose: str, now: int) -> np.ndarray:
    """Assessed merit of ``idx`` for a one-off choice (latent merit + assessment noise keyed to ``purpose``)."""
    org = run.org
    noise = run.rng.normal(purpose, now, org.key[idx])
    return scoring.assessed(org.merit[idx], noise, run.scenario.selection.assessment_noise)


def secondments(run: Replication, now: int) -> None:
    """Second ``count`` section-level cadres aged <= max_age to the grassroots front line."""
    sec, org = run.scenario.secondment, run.org
    idx = org.seated(run.scenario.role_indices("section_level"))
    idx = idx[(org.age(idx, now) <= sec.max_age) & (org.secondment_end[idx] < 0)]
    merit = assessed(run, idx, "secondment", now)
    lacking = np.zeros(len(idx), dtype=bool)
    if sec.targeting == "lacking_grassroots":
        lacking = org.grassroots_at(idx, now) < (division_grassroots_months(run.scenario) or 0)
    order = np.lexsort((-merit, ~lacking))
    for c in idx[order][: sec.count]:
        second(run, int(c), now, sec.months)


def second(run: Replication, c: int, now: int, months: int) -> None:
    """Cadre ``c`` is seconded for ``months`` from ``now``, keeping their post."""
    org = run.org
    org.second(c, now + months, now)
    run.log.add(now, "secondment_start", c, int(org.grade[c]), int(org.unit[c]))


def secondment_ends(run: Replication, now: int, then: AfterSecondment | None = None) -> None:
    """Secondments ending this month, each followed by ``then`` (e.g. a Youth Talent member's placement)."""
    org = run.org
    due = np.flatnonzero(org.active[:org.n] & (org.secondment_end[:org.n] == now))
    for c in due:
        c = int(c)
        org.end_secondment(c, now)
        run.log.add(now, "secondment_end", c, int(org.grade[c]), int(org.unit[c]))
        if then is not None:
            then(run, c, now)
