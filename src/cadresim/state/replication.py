"""What one replication's processes share: the scenario, the state, the random draws, the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from cadresim.rng import KeyedRandom
from cadresim.rules.ages import division_start
from cadresim.scenario.schema import Grade, Scenario
from cadresim.state.events import EventLog
from cadresim.state.organization import Organization


class TeamRecorder(Protocol):
    """What processes tell the record of leadership teams (``measures.teams.TeamTracker``)."""

    def on_exit(self, unit: int, grade: int, reason: str) -> None:
        """A cadre of ``grade`` in ``unit`` left the organization for ``reason``."""

    def on_fill(self, unit: int, grade: int, from_unit: int) -> None:
        """A post of ``grade`` in ``unit`` was filled by a cadre from ``from_unit`` (-1: from outside)."""

    def before_round(self, replication: Replication, now: int) -> None:
        """The reshuffle's round is about to start (its departures are over)."""

    def after_round(self, replication: Replication, now: int) -> None:
        """The reshuffle's round is over."""


class Promotion(NamedTuple):
    """One promotion, as the metrics see it.

    Attributes:
        path: how the post was won: "round" (a selection round, the reshuffle's included), "young_fill"
            (the reshuffle's young-member fill), "exception" (exceptional promotion) or "review"
            (a rate-based grade).
        youth_talent: whether the cadre was a Youth Talent member when promoted.
        merit: latent merit as drawn, without boosts such as mentoring.
    """

    month: int
    cadre: int
    grade: int
    path: str
    youth_talent: bool
    merit: float


@dataclass
class Replication:
    """One replication in progress.

    Attributes:
        exceptions_used: exceptional promotions by calendar year (``month // 12``).
        promotions: every promotion so far, in order (selection quality, entries to division level by path).
        reshuffle_outcome: per reshuffle month, (division-level and leadership posts filled, such posts).
        teams: the record of leadership teams, when the ladder has division-level grades.
        timings: seconds spent per step (eligibility within selection).
    """

    scenario: Scenario
    org: Organization
    rng: KeyedRandom
    log: EventLog
    warnings: list[str] = field(default_factory=list)
    exceptions_used: dict[int, int] = field(default_factory=dict)
    promotions: list[Promotion] = field(default_factory=list)
    reshuffle_outcome: dict[int, tuple[int, int]] = field(default_factory=dict)
    entries: int = 0
    exits: int = 0
    teams: TeamRecorder | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def grade_rules(self, g: int) -> Grade:
        """The settings of grade ``g`` (a ladder index)."""
        return self.scenario.grades[self.scenario.ladder[g]]

    def open_vacancy(self, p: int, now: int, detail: str) -> None:
        """Log a post that has just opened (its chain id is already set); nothing for ``p`` < 0."""
        if p >= 0:
            org = self.org
            self.log.add(now, "vacancy_opened", -1, int(org.post_grade[p]), int(org.post_unit[p]), p,
                         int(org.chain[p]), detail)

    def filled(self, p: int, c: int, now: int, how: str, chain: int) -> None:
        """Log that cadre ``c`` filled post ``p`` of vacancy chain ``chain``."""
        org = self.org
        self.log.add(now, "vacancy_filled", c, int(org.post_grade[p]), int(org.post_unit[p]), p, chain, how)

    def division_start(self) -> int:
        """Index of the lowest division-level grade (len(ladder) when the role is absent)."""
        return division_start(self.scenario)
