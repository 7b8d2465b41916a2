"""The organization's state during a run: cadres, posts and units as parallel arrays.

Processes read the arrays freely but change the state only through the methods
here, so that every change of post is also a change of holder, and grassroots
experience accrues in one place. Cadre arrays grow by doubling as recruits
arrive; ``n`` is the number in use. Months are int indices; -1 means "none".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadresim.district.roster import Roster
from cadresim.rules.ages import age
from cadresim.rules.audit import Candidate
from cadresim.rules.eligibility import Pool
from cadresim.scenario.schema import Scenario

NONE = -1  # "no month", "no post", "no cohort"...

_NO_INTS = np.zeros(0, dtype=np.int64)
_NO_FLOATS = np.zeros(0, dtype=np.float64)
_NO_BOOLS = np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class Entrant:
    """A cadre entering during the run, as drawn by intake (months as ints)."""

    birth: int
    female: bool
    merit: float
    threshold: float  # Exp(1) exit threshold
    work_start: int
    grassroots_months: int  # grassroots experience brought
    enterprise: bool = False
    last_promotion: int = NONE


class Organization:
    """Mutable state of one replication.

    Cadre arrays have ``capacity`` entries, the first ``n`` in use (an empty array until the
    roster is loaded); post arrays one entry per post; unit arrays one entry per unit.
    """

    # --- cadres ------------------------------------------------------------------------------------
    key: np.ndarray = _NO_INTS  # stable id: the roster's cadre_id or intake's entry key; keys random draws
    birth: np.ndarray = _NO_INTS  # birth month
    female: np.ndarray = _NO_BOOLS
    enterprise: np.ndarray = _NO_BOOLS  # has enterprise experience
    work_start: np.ndarray = _NO_INTS  # month work started
    active: np.ndarray = _NO_BOOLS  # still in the organization
    grade: np.ndarray = _NO_INTS  # ladder index (of the level, for a non-leading rank)
    nonleading: np.ndarray = _NO_BOOLS  # holds the non-leading rank of their level, seated in a staff post
    prev_nonleading: np.ndarray = _NO_BOOLS  # held a non-leading rank before the last appointment
    prev_grade: np.ndarray = _NO_INTS  # the grade before the last promotion (a failed probation returns there)
    grade_since: np.ndarray = _NO_INTS  # month the cadre entered the grade
    last_promotion: np.ndarray = _NO_INTS  # month of the last promotion
    unit: np.ndarray = _NO_INTS  # unit index (of the post, when seated)
    post: np.ndarray = _NO_INTS  # post index
    post_since: np.ndarray = _NO_INTS  # month the cadre took the post
    posts_held: np.ndarray = np.zeros((0, 0), dtype=np.int64)  # [cadre, grade]: distinct leading posts held
    grassroots_banked: np.ndarray = _NO_INTS  # grassroots months up to grassroots_since
    grassroots_since: np.ndarray = _NO_INTS  # month grassroots months started to accrue (-1: not accruing)
    probation_end: np.ndarray = _NO_INTS
    secondment_end: np.ndarray = _NO_INTS
    cohort: np.ndarray = _NO_INTS  # Youth Talent cohort index
    joined: np.ndarray = _NO_INTS  # month the cadre joined the cohort
    bonus_until: np.ndarray = _NO_INTS  # last month of the Youth Talent score bonus
    promoted_in_cohort: np.ndarray = _NO_BOOLS  # promoted at least once since joining the cohort
    merit: np.ndarray = _NO_FLOATS  # latent merit (plus mentoring)
    hazard: np.ndarray = _NO_FLOATS  # cumulative hazard of other exits so far
    threshold: np.ndarray = _NO_FLOATS  # the Exp(1) threshold at which the cumulative hazard makes them exit

    def __init__(self, scenario: Scenario, roster: Roster) -> None:
        self.scenario = scenario
        self.n_grades = len(scenario.ladder)
        self.n = 0
        self.capacity = 0
        self.posts_held = np.zeros((0, self.n_grades), dtype=np.int64)
        units = roster.units.sort_values("unit_id").reset_index(drop=True)
        self._init_units(units)
        self._init_posts(units, roster)
        self._init_cadres(roster)

    # --- set-up ---------------------------------------------------------------------------------

    def _init_units(self, units: pd.DataFrame) -> None:
        """Unit arrays: ids, names, types and their flags, districts."""
        unit_types = self.scenario.district.units
        types = list(unit_types)
        self.unit_ids = units["unit_id"].to_numpy(np.int64)
        self.unit_names = units["name"].astype(str).tolist()
        self.unit_type = np.array([types.index(t) for t in units["type"]], dtype=np.int64)
        self.type_keys = types
        self.type_grassroots = np.array([unit_types[t].grassroots for t in types], dtype=bool)
        young = [unit_types[t].young_member_age for t in types]
        self.type_young_age = np.array([NONE if a is None else a for a in young], dtype=np.int64)
        self.unit_index = {int(u): i for i, u in enumerate(self.unit_ids)}
        # the district each unit belongs to (-1: city level, filled from every district)
        group = units["district"] if "district" in units else pd.Series(0, index=units.index)
        self.unit_group = group.fillna(0).to_numpy(np.int64)
        self.several_districts = len(np.unique(self.unit_group)) > 1

    def _init_posts(self, units: pd.DataFrame, roster: Roster) -> None:
        """Post arrays (sorted by grade, then unit), each post open and in no chain."""
        unit, grade = [], []
        for g, key in enumerate(self.scenario.ladder):
            if self.scenario.grades[key].kind != "post_limited":
                continue
            counts = roster.posts(key).reindex(units.index).fillna(0).astype(int).to_numpy()
            for u, n in enumerate(counts):
                unit += [u] * n
                grade += [g] * n
        order = np.lexsort((np.array(unit, dtype=np.int64), np.array(grade, dtype=np.int64)))
        self.post_unit = np.array(unit, dtype=np.int64)[order]
        self.post_grade = np.array(grade, dtype=np.int64)[order]
        self.holder = np.full(len(order), NONE, dtype=np.int64)
        by_unit = np.argsort(self.post_unit, kind="stable")
        bounds = np.searchsorted(self.post_unit[by_unit], np.arange(len(units) + 1))
        self.unit_posts = [by_unit[bounds[u]:bounds[u + 1]] for u in range(len(units))]
        self.chain = np.full(len(order), NONE, dtype=np.int64)
        self.n_chains = 0

    def _init_cadres(self, roster: Roster) -> None:
        """The roster's cadres, in cadre_id order, seated in free posts of their grade and unit."""
        c = roster.cadres.sort_values("cadre_id").reset_index(drop=True)
        n = len(c)
        self._alloc(max(2 * n, 64))
        self.n = n
        idx = np.arange(n)
        def month(column: str) -> np.ndarray:
            return c[column].to_numpy(np.int64)

        self.birth[idx], self.work_start[idx] = month("birth"), month("work_start")
        self.grade_since[idx], self.post_since[idx] = month("grade_since"), month("post_since")
        self.last_promotion[idx], self.probation_end[idx] = month("last_promotion"), month("probation_end")
        self.secondment_end[idx] = month("secondment_end")
        self.female[idx] = c["female"].to_numpy(bool)
        self.enterprise[idx] = c["enterprise"].to_numpy(bool)
        self.grade[idx] = c["grade"].map({k: i for i, k in enumerate(self.scenario.ladder)}).to_numpy(np.int64)
        self.nonleading[idx] = c["nonleading"].to_numpy(bool)
        self.prev_nonleading[idx] = self.nonleading[idx]
        self.unit[idx] = c["unit_id"].map(self.unit_index).to_numpy(np.int64)
        self.grassroots_banked[idx] = c["grassroots_months"].to_numpy(np.int64)
        cohorts = list(self.scenario.youth_talent.cohorts)
        self.cohort[idx] = c["cohort"].map(lambda x: cohorts.index(x) if x in cohorts else NONE).to_numpy(np.int64)
        self.posts_held[idx, self.grade[idx]] = c["posts_held"].to_numpy(np.int64)
        self.key[idx] = c["cadre_id"].to_numpy(np.int64)
        self.active[idx] = True
        self.prev_grade[idx] = self.grade[idx] - 1
        self._seat_roster(roster.start)

    def _seat_roster(self, start: int) -> None:
        """Give each roster cadre of a post-limited grade a free post of their grade in their unit; then each
        non-leading holder a free staff post (the bottom grade's) of their unit, while any is left."""
        free: dict[tuple[int, int], list[int]] = {}
        for p in range(len(self.holder) - 1, -1, -1):
            free.setdefault((int(self.post_unit[p]), int(self.post_grade[p])), []).append(p)
        order = np.argsort(self.nonleading[: self.n], kind="stable")
        for c in order:
            c = int(c)
            slots = free.get((int(self.unit[c]), 0 if self.nonleading[c] else int(self.grade[c])))
            if slots:
                self._seat(c, slots.pop())
            self._restart_accrual(c, start)

    def _alloc(self, size: int) -> None:
        """Room for ``size`` cadres: the ``n`` in use keep their values, new entries are "none"."""
        def grow(old: np.ndarray, fill: float) -> np.ndarray:
            new = np.full((size, *old.shape[1:]), fill, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            return new

        self.key = grow(self.key, NONE)
        self.birth = grow(self.birth, NONE)
        self.female = grow(self.female, False)
        self.enterprise = grow(self.enterprise, False)
        self.work_start = grow(self.work_start, NONE)
        self.active = grow(self.active, False)
        self.grade = grow(self.grade, NONE)
        self.nonleading = grow(self.nonleading, False)
        self.prev_nonleading = grow(self.prev_nonleading, False)
        self.prev_grade = grow(self.prev_grade, NONE)
        self.grade_since = grow(self.grade_since, NONE)
        self.last_promotion = grow(self.last_promotion, NONE)
        self.unit = grow(self.unit, NONE)
        self.post = grow(self.post, NONE)
        self.post_since = grow(self.post_since, NONE)
        self.posts_held = grow(self.posts_held, 0)
        self.grassroots_banked = grow(self.grassroots_banked, NONE)
        self.grassroots_since = grow(self.grassroots_since, NONE)
        self.probation_end = grow(self.probation_end, NONE)
        self.secondment_end = grow(self.secondment_end, NONE)
        self.cohort = grow(self.cohort, NONE)
        self.joined = grow(self.joined, NONE)
        self.bonus_until = grow(self.bonus_until, NONE)
        self.promoted_in_cohort = grow(self.promoted_in_cohort, False)
        self.merit = grow(self.merit, 0.0)
        self.hazard = grow(self.hazard, 0.0)
        self.threshold = grow(self.threshold, 0.0)
        self.capacity = size

    # --- queries --------------------------------------------------------------------------------

    def grassroots_at(self, idx: np.ndarray | int, now: int) -> np.ndarray:
        """Grassroots months of cadres ``idx`` at month ``now``."""
        since = self.grassroots_since[idx]
        return self.grassroots_banked[idx] + np.where(since >= 0, now - since, 0)

    def members(self, grade: int) -> np.ndarray:
        """Active cadres in ``grade`` on the leading track (holders of its posts, or waiting for one)."""
        n = self.n
        return np.flatnonzero(self.active[:n] & (self.grade[:n] == grade) & ~self.nonleading[:n])

    def at_level(self, grade: int) -> np.ndarray:
        """Active cadres at ``grade``'s level on either track (leading, or its non-leading rank)."""
        n = self.n
        return np.flatnonzero(self.active[:n] & (self.grade[:n] == grade))

    def nonleading_at(self, grade: int) -> np.ndarray:
        """Active holders of the non-leading rank of ``grade``'s level."""
        n = self.n
        return np.flatnonzero(self.active[:n] & (self.grade[:n] == grade) & self.nonleading[:n])

    def seated(self, grades: list[int]) -> np.ndarray:
        """Active cadres of ``grades`` who hold a leading post of their grade."""
        n = self.n
        return np.flatnonzero(self.active[:n] & np.isin(self.grade[:n], grades) & (self.post[:n] >= 0)
                              & ~self.nonleading[:n])

    def pool(self, idx: np.ndarray, now: int) -> Pool:
        """Eligibility view of cadres ``idx`` (posts held in their current grade)."""
        return Pool(self.birth[idx], self.work_start[idx], self.grade_since[idx], self.grassroots_at(idx, now),
                    self.posts_held[idx, self.grade[idx]], self.probation_end[idx])

    def candidate(self, c: int, now: int) -> Candidate:
        """What the audit looks at in cadre ``c`` at month ``now``."""
        g = int(self.grade[c])
        return Candidate(g, int(self.birth[c]), int(self.work_start[c]), int(self.grade_since[c]),
                         int(self.grassroots_at(c, now)), int(self.posts_held[c, g]), int(self.probation_end[c]))

    def age(self, idx: np.ndarray | int, now: int) -> np.ndarray:
        """Age in completed years of cadres ``idx`` at month ``now``."""
        return age(self.birth[idx], now)

    def same_district(self, idx: np.ndarray, unit: int) -> np.ndarray:
        """Which cadres ``idx`` may fill a post of ``unit``: those of its district (everyone for a
        city-level unit, or when there is one district)."""
        group = self.unit_group[unit]
        if not self.several_districts or group < 0:
            return np.ones(len(idx), dtype=bool)
        return self.unit_group[self.unit[idx]] == group

    def is_grassroots_unit(self, unit: int) -> bool:
        """Whether time served in ``unit`` counts as grassroots experience."""
        return bool(self.type_grassroots[self.unit_type[unit]])

    def vacancies(self, grade: int | None = None) -> np.ndarray:
        """Open posts (of ``grade``, when given)."""
        open_ = self.holder < 0
        if grade is not None:
            open_ &= self.post_grade == grade
        return np.flatnonzero(open_)

    # --- changes: posts and chains --------------------------------------------------------------

    def _restart_accrual(self, c: int, now: int) -> None:
        """Bank grassroots months so far and restart accrual if the cadre now accrues."""
        if self.grassroots_since[c] >= 0:
            self.grassroots_banked[c] += now - self.grassroots_since[c]
        seconded = self.secondment_end[c] > now
        accrues = seconded or (self.unit[c] >= 0 and self.is_grassroots_unit(int(self.unit[c])))
        self.grassroots_since[c] = now if accrues else NONE

    def _seat(self, c: int, p: int) -> None:
        """``c`` holds post ``p`` (the post leaves its vacancy chain)."""
        self.post[c] = p
        self.holder[p] = c
        self.unit[c] = self.post_unit[p]
        self.chain[p] = NONE

    def new_chain(self) -> int:
        """A new vacancy-chain id."""
        self.n_chains += 1
        return self.n_chains - 1

    def open_chain(self, p: int) -> int:
        """Vacant post ``p`` starts a new vacancy chain. Returns its id."""
        self.chain[p] = self.new_chain()
        return int(self.chain[p])

    def vacate(self, c: int, chain: int | None = None) -> int:
        """Cadre ``c`` leaves their post; the post opens with ``chain`` (a new chain when None).

        Returns:
            the post id, or -1 when the cadre held none.
        """
        p = int(self.post[c])
        if p < 0:
            return NONE
        self.holder[p] = NONE
        self.post[c] = NONE
        self.chain[p] = self.new_chain() if chain is None else chain
        return p

    def move(self, c: int, p: int, now: int) -> int:
        """Seat ``c`` in vacant post ``p`` (same or other grade); their old post inherits p's chain.

        Returns:
            the post ``c`` left (-1 if none).
        """
        chain = int(self.chain[p])
        old = self.vacate(c, chain)
        self._seat(c, p)
        self.post_since[c] = now
        self.posts_held[c, self.post_grade[p]] += 1
        self._restart_accrual(c, now)
        return old

    def swap(self, a: int, b: int, now: int) -> None:
        """Cadres ``a`` and ``b`` exchange posts."""
        pa, pb = int(self.post[a]), int(self.post[b])
        self._seat(a, pb)
        self._seat(b, pa)
        for c in (a, b):
            self.post_since[c] = now
            self.posts_held[c, self.grade[c]] += 1
            self._restart_accrual(c, now)

    # --- changes: grades ------------------------------------------------------------------------

    def promote(self, c: int, p: int, now: int) -> int:
        """``c`` moves up into vacant post ``p``, or from a non-leading rank into a leading post of their own
        level (time at the level kept). Returns the post they left."""
        g = int(self.post_grade[p])
        self.prev_nonleading[c] = self.nonleading[c]
        if g == self.grade[c]:  # a non-leading holder takes a leading post of their level
            self.prev_grade[c] = g
            self.last_promotion[c] = now
        else:
            self._enter_grade(c, g, now)
            self.posts_held[c, g] = 0
        self.nonleading[c] = False
        return self.move(c, p, now)

    def vacant_staff_post(self, unit: int) -> int:
        """A vacant post of the bottom grade (the staff establishment) in ``unit``, or -1."""
        staff = self.unit_posts[unit]
        staff = staff[(self.post_grade[staff] == 0) & (self.holder[staff] < 0)]
        return int(staff[0]) if len(staff) else NONE

    def to_nonleading(self, c: int, now: int, grade: int | None = None, staff_post: int = NONE) -> int:
        """``c`` holds the non-leading rank of ``grade``'s level (their own level when None: a leading holder
        at the leaving age, time at the level kept), in their staff post, else in vacant ``staff_post``
        (-1: none, over the establishment).

        Returns:
            the leading post they left (-1 if none).
        """
        left = NONE
        if self.post[c] >= 0 and self.post_grade[self.post[c]] != 0:
            left = self.vacate(c)
        if grade is not None and grade != self.grade[c]:
            self._enter_grade(c, grade, now)
            self.posts_held[c, grade] = 0
        self.prev_nonleading[c] = self.nonleading[c]
        self.nonleading[c] = True
        if self.post[c] < 0 and staff_post >= 0:
            self._seat(c, staff_post)
        self.post_since[c] = now  # the month they took the rank
        self._restart_accrual(c, now)
        return left

    def promote_in_place(self, c: int, grade: int, now: int) -> int:
        """``c`` moves up into rate-based ``grade``, which has no posts. Returns the post they left."""
        old = self.vacate(c)
        self._enter_grade(c, grade, now)
        self.posts_held[c, grade] = 1
        return old

    def _enter_grade(self, c: int, grade: int, now: int) -> None:
        """``c`` is promoted into ``grade`` in month ``now``."""
        self.prev_grade[c] = self.grade[c]
        self.grade[c] = grade
        self.grade_since[c] = self.last_promotion[c] = now

    def demote(self, c: int, now: int) -> int:
        """``c`` leaves their post and returns to their former grade (a failed probation).

        Returns:
            the post they left (-1 if none).
        """
        p = self.vacate(c)
        if self.prev_grade[c] != self.grade[c]:
            self.grade[c] = self.prev_grade[c]
            self.grade_since[c] = now
        self.nonleading[c] = self.prev_nonleading[c]
        return p

    def hold_unposted(self, c: int) -> None:
        """``c`` holds a position of a grade without posts (rate-based): one post held in it."""
        self.posts_held[c, self.grade[c]] = 1

    # --- changes: probation, secondment, Youth Talent --------------------------------------------

    def set_probation(self, c: int, end: int) -> None:
        """``c`` is on probation until month ``end``."""
        self.probation_end[c] = end

    def end_probation(self, c: int) -> None:
        """``c``'s probation is over."""
        self.probation_end[c] = NONE

    def second(self, c: int, until: int, now: int) -> None:
        """``c`` is seconded to the grassroots front line from ``now`` to ``until`` (keeping their post)."""
        self.secondment_end[c] = until
        self._restart_accrual(c, now)

    def end_secondment(self, c: int, now: int) -> None:
        """``c``'s secondment ends in month ``now`` (grassroots accrual follows their post again)."""
        self.secondment_end[c] = NONE
        self._restart_accrual(c, now)

    def join_cohort(self, c: int, cohort: int, start: int, mentoring: float, bonus_until: int,
                    promoted: bool = False) -> None:
        """``c`` joins Youth Talent ``cohort`` (started in month ``start``) with its mentoring and bonus.

        Args:
            promoted: whether they have been promoted since ``start`` (roster members of a past cohort).
        """
        self.cohort[c], self.joined[c] = cohort, start
        self.merit[c] += mentoring
        self.bonus_until[c] = bonus_until
        self.promoted_in_cohort[c] = promoted

    def note_promotion(self, c: int, now: int) -> None:
        """``c`` was promoted in month ``now``: it counts for their Youth Talent cohort if they had joined."""
        if self.cohort[c] >= 0 and self.joined[c] <= now:
            self.promoted_in_cohort[c] = True

    # --- changes: entries and exits -------------------------------------------------------------

    def change_rules(self, scenario: Scenario) -> None:
        """Hold the rules of ``scenario`` from now on (the grown district's spin-up: a new era of its history;
        units and posts stay as they are)."""
        self.scenario = scenario

    def set_draws(self, idx: np.ndarray, merit: np.ndarray, threshold: np.ndarray) -> None:
        """Latent merit and exit thresholds of cadres ``idx`` (roster cadres, drawn at the start)."""
        self.merit[idx] = merit
        self.threshold[idx] = threshold

    def accrue_hazard(self, idx: np.ndarray, hazard: np.ndarray) -> None:
        """Add one month's hazard of other exits to cadres ``idx``."""
        self.hazard[idx] += hazard

    def remove(self, c: int, now: int) -> int:
        """``c`` leaves the organization. Returns the post they left."""
        self._restart_accrual(c, now)
        self.active[c] = False
        return self.vacate(c)

    def add(self, now: int, grade: int, unit: int, key: int, person: Entrant) -> int:
        """A new cadre enters ``grade`` in ``unit`` (seated by the caller). Returns their index."""
        if self.n == self.capacity:
            self._alloc(2 * self.capacity)
        c = self.n
        self.n += 1
        self.key[c], self.grade[c], self.unit[c] = key, grade, unit
        self.grade_since[c] = self.post_since[c] = now
        self.prev_grade[c] = grade - 1
        self.active[c] = True
        self.birth[c], self.female[c], self.enterprise[c] = person.birth, person.female, person.enterprise
        self.merit[c], self.threshold[c] = person.merit, person.threshold
        self.work_start[c], self.grassroots_banked[c] = person.work_start, person.grassroots_months
        self.last_promotion[c] = person.last_promotion
        self._restart_accrual(c, now)
        return c
