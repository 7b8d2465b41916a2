"""Event sourcing: rebuild the roster from the start roster and the event log alone.

If replaying the log gives exactly the roster the engine ends with (grade, post, time in grade,
time in post, posts held, grassroots months), the log is a complete record of what happened. The
replay also answers what the log alone can tell at any month (stocks, who may rotate), for the
checks of realized rates (``validation.rates``).

Grassroots months that entrants bring are not in the log: for them the replay counts only the
months accrued since entry (``roster`` tells the two apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cadresim.district.roster import Roster
from cadresim.rules.spans import months
from cadresim.scenario.schema import Scenario
from cadresim.state.organization import Organization

ENTRIES = ("recruitment", "outside_hire", "lateral_hire")
#: Columns of :meth:`Replayer.table` (and of the engine's final state they are compared with).
COLUMNS = ("cadre_id", "grade", "nonleading", "post_id", "grade_since", "post_since", "posts_held",
           "grassroots_months", "roster")


@dataclass
class Cadre:
    """One cadre as the log tells it (months as ints; -1: none)."""

    grade: int
    prev_grade: int
    unit: int  # unit index
    post: int
    grade_since: int
    post_since: int
    banked: int  # grassroots months up to ``since``
    since: int  # month grassroots accrual restarted (-1: not accruing)
    seconded: bool
    roster: bool  # in the start roster (else an entrant)
    posts_held: dict[int, int] = field(default_factory=dict)  # grade -> distinct leading posts held in it
    nonleading: bool = False  # holds the non-leading rank of their level
    prev_nonleading: bool = False


class Replayer:
    """The state of one replication, rebuilt one event at a time (:meth:`apply`, in log order)."""

    def __init__(self, scenario: Scenario, roster: Roster) -> None:
        org = Organization(scenario, roster)  # only to know where roster cadres sit at the start
        self.scenario = scenario
        self.ladder = {g: i for i, g in enumerate(scenario.ladder)}
        self.unit_index = org.unit_index
        self.grassroots_unit = org.type_grassroots[org.unit_type]
        self.post_unit = org.post_unit
        self.post_grade = org.post_grade
        self.cadres = {int(org.key[c]): _from_org(org, c) for c in range(org.n)}

    def apply(self, e) -> None:
        """Apply one event (a row of the log, with month, event, cadre_id, grade, unit_id, post_id, detail)."""
        kind, now = e.event, int(e.month)
        if kind in ENTRIES:
            self._enter(e, now)
            return
        c = self.cadres.get(int(e.cadre_id))
        if c is None:
            return
        if kind == "exit":
            self._restart(c, now)
            del self.cadres[int(e.cadre_id)]
        elif kind in ("promotion", "leading_appointment"):
            c.prev_nonleading, c.nonleading = c.nonleading, False
            if kind == "promotion":
                self._promote(c, self.ladder[e.grade], int(e.post_id), now)
            else:  # a non-leading holder takes a leading post of their level
                c.prev_grade = c.grade
                self._move(c, int(e.post_id), now)
        elif kind in ("to_nonleading", "nonleading_appointment"):
            self._to_nonleading(c, self.ladder[e.grade], now, leaves_post=kind == "to_nonleading")
        elif kind == "probation_fail":
            c.post, c.nonleading = -1, c.prev_nonleading
            if c.prev_grade != c.grade:
                c.grade, c.grade_since = c.prev_grade, now
        elif kind == "vacancy_filled" and e.detail == "nonleading":
            c.post, c.unit, c.post_since = int(e.post_id), int(self.post_unit[int(e.post_id)]), now
            self._restart(c, now)
        elif kind in ("secondment_start", "secondment_end"):
            c.seconded = kind == "secondment_start"
            self._restart(c, now)
        elif kind in ("rotation", "placement", "vacancy_filled") and int(e.post_id) not in (-1, c.post):
            self._move(c, int(e.post_id), now)

    def _enter(self, e, now: int) -> None:
        """A cadre enters (seated at once for hires into a post; recruits by the fill that follows)."""
        g = self.ladder[e.grade]
        c = Cadre(g, g - 1, self.unit_index.get(int(e.unit_id), -1), -1, now, now, 0, -1, False, False)
        if e.event == "recruitment" and self.scenario.recruitment.intake != "gaps":
            c.posts_held[g] = 1  # a rate-based bottom grade: held without a post
        self.cadres[int(e.cadre_id)] = c
        self._restart(c, now)
        if int(e.post_id) >= 0:
            self._move(c, int(e.post_id), now)

    def _promote(self, c: Cadre, g: int, p: int, now: int) -> None:
        """Promotion into grade ``g``: into post ``p``, or in place (-1: a rate-based grade)."""
        c.prev_grade, c.grade, c.grade_since = c.grade, g, now
        if p < 0:
            c.post, c.posts_held[g] = -1, 1
            return
        c.posts_held[g] = 0
        self._move(c, p, now)

    def _move(self, c: Cadre, p: int, now: int) -> None:
        """``c`` takes post ``p``: a distinct post held in its grade, time in post restarts."""
        c.post, c.unit, c.post_since = p, int(self.post_unit[p]), now
        g = int(self.post_grade[p])
        c.posts_held[g] = c.posts_held.get(g, 0) + 1
        self._restart(c, now)

    def _to_nonleading(self, c: Cadre, g: int, now: int, leaves_post: bool) -> None:
        """``c`` holds the non-leading rank of level ``g`` (a staff post they take is its own event)."""
        if leaves_post:
            c.post = -1
        if g != c.grade:
            c.prev_grade, c.grade, c.grade_since = c.grade, g, now
            c.posts_held[g] = 0
        c.prev_nonleading, c.nonleading, c.post_since = c.nonleading, True, now
        self._restart(c, now)

    def _restart(self, c: Cadre, now: int) -> None:
        """Bank grassroots months so far; accrue from ``now`` if seconded or in a grassroots unit."""
        if c.since >= 0:
            c.banked += now - c.since
        accrues = c.seconded or (c.unit >= 0 and bool(self.grassroots_unit[c.unit]))
        c.since = now if accrues else -1

    # --- what the log tells at a month ---------------------------------------------------------------

    def stock(self) -> np.ndarray:
        """Cadres present, by grade (ladder index)."""
        return np.bincount([c.grade for c in self.cadres.values()], minlength=len(self.ladder))

    def rotation_pool(self, now: int) -> int:
        """Holders who may start a rotation move at ``now`` by the rates (``min_years_in_post`` in post,
        not seconded), less those the 10-year rule forces to move."""
        r, s = self.scenario.rotation, self.scenario
        grades = set(s.role_indices("section_level"))
        most = months(r.max_years_in_post) if r.max_years_in_post is not None else None
        return sum(1 for c in self.cadres.values() if c.grade in grades and c.post >= 0 and not c.seconded
                   and not c.nonleading
                   and now - c.post_since >= months(r.min_years_in_post)
                   and (most is None or now - c.post_since < most))

    def vacant_posts(self, grade: int) -> int:
        """Posts of ``grade`` that no one holds."""
        held = sum(1 for c in self.cadres.values() if c.post >= 0 and self.post_grade[c.post] == grade)  # any track
        return int(np.sum(self.post_grade == grade)) - held

    def table(self, now: int) -> pd.DataFrame:
        """The cadres present, one row each (:data:`COLUMNS`; grassroots months at ``now``), by cadre_id."""
        grades = self.scenario.ladder
        rows = [(k, grades[c.grade], c.nonleading, c.post, c.grade_since, c.post_since, c.posts_held.get(c.grade, 0),
                 c.banked + (now - c.since if c.since >= 0 else 0), c.roster) for k, c in self.cadres.items()]
        return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("cadre_id").reset_index(drop=True)


def _from_org(org: Organization, c: int) -> Cadre:
    """Roster cadre ``c`` as the engine seats them at the start."""
    g = int(org.grade[c])
    return Cadre(g, int(org.prev_grade[c]), int(org.unit[c]), int(org.post[c]), int(org.grade_since[c]),
                 int(org.post_since[c]), int(org.grassroots_banked[c]), int(org.grassroots_since[c]),
                 bool(org.secondment_end[c] > org.scenario.start_month), True, {g: int(org.posts_held[c, g])},
                 bool(org.nonleading[c]), bool(org.prev_nonleading[c]))


def replay(scenario: Scenario, roster: Roster, events: pd.DataFrame) -> pd.DataFrame:
    """The roster after applying ``events`` (one replication) to ``roster``.

    Returns:
        One row per cadre present at the end (:data:`COLUMNS`, grassroots months at the close of the
        run, post_id -1 for none), sorted by cadre_id.
    """
    r = Replayer(scenario, roster)
    for e in events.itertuples(index=False):
        r.apply(e)
    return r.table(scenario.end_month + 1)
