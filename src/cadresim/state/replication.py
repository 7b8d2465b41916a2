"""What one replication's processes share: the scenario, the state, the random draws, the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cadresim.state.events import EventLog
from cadresim.rng import KeyedRandom
from cadresim.scenario.schema import Scenario
from cadresim.state.organization import Organization

if TYPE_CHECKING:
    from cadresim.measures.teams import TeamTracker


class InvariantError(AssertionError):
    """The engine broke one of its own invariants (a bug, never bad input)."""


@dataclass
class Run:
    """One replication in progress."""

    s: Scenario
    org: Organization
    rng: KeyedRandom
    log: EventLog
    warnings: list[str] = field(default_factory=list)
    exceptions_used: dict[int, int] = field(default_factory=dict)
    promoted_merit: list[float] = field(default_factory=list)
    reshuffle_outcome: dict[int, tuple[int, int]] = field(default_factory=dict)
    entries: int = 0
    exits: int = 0
    teams: TeamTracker | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def grade_rules(self, g: int):
        return self.s.grades[self.s.ladder[g]]

    def open_vacancy(self, p: int, now: int, detail: str) -> None:
        """Log a post that has just opened (its chain id is already set)."""
        if p >= 0:
            org = self.org
            self.log.add(now, "vacancy_opened", -1, int(org.post_grade[p]), int(org.post_unit[p]), p,
                         int(org.chain[p]), detail)

    def filled(self, p: int, c: int, now: int, how: str, chain: int) -> None:
        org = self.org
        self.log.add(now, "vacancy_filled", c, int(org.post_grade[p]), int(org.post_unit[p]), p, chain, how)

    def division_start(self) -> int:
        """Index of the lowest division-level grade (len(ladder) when the role is absent)."""
        idx = self.s.role_indices("division_level")
        return min(idx) if idx else len(self.s.ladder)



def leave_months(run: Run, idx: np.ndarray) -> np.ndarray:
    """Month in which each cadre must leave for age: the month after the birthday reaching the limit."""
    s, org = run.s, run.org
    big = 10_000
    ret = s.retirement
    senior = org.grade[idx] >= run.division_start()
    female_age = np.where(senior, ret.female_senior or big, ret.female or big)
    limit = np.where(org.female[idx], female_age, ret.male or big)
    leaving = np.array([g.leaving_age or big for g in (s.grades[k] for k in s.ladder)], dtype=np.int64)
    limit = np.minimum(limit, leaving[org.grade[idx]])
    return org.birth[idx] + 12 * limit + 1
