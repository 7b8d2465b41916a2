"""The organization's state during a run: cadres, posts and units as parallel arrays.

Processes change the state only through the methods here, so that every change
of post is also a change of holder, and grassroots experience accrues in one
place. Cadre arrays grow by doubling as recruits arrive; ``n`` is the number in
use. Months are int indices; -1 means "none".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadresim.rules.eligibility import Pool
from cadresim.district.roster import Roster
from cadresim.scenario.schema import Scenario

_INT_FIELDS = ("birth", "work_start", "grade", "grade_since", "unit", "post", "post_since", "last_promotion",
               "gr_months", "gr_since", "cohort", "probation_end", "secondment_end", "prev_grade",
               "key", "exit_at", "bonus_until", "joined", "entered")
_FLOAT_FIELDS = ("merit", "hazard", "threshold")
_BOOL_FIELDS = ("female", "enterprise", "active", "promoted_in_cohort")

ENTRY_KINDS = {"roster": 0, "recruitment": 1, "outside": 2, "lateral": 3}


class Organization:
    """Mutable state of one replication."""

    def __init__(self, scenario: Scenario, roster: Roster) -> None:
        self.s = scenario
        self.K = len(scenario.ladder)
        self._init_units(roster)
        self._init_posts(roster)
        self._init_cadres(roster)

    # --- set-up ---------------------------------------------------------------------------------

    def _init_units(self, roster: Roster) -> None:
        units = roster.units.sort_values("unit_id").reset_index(drop=True)
        types = list(self.s.district.units)
        self.unit_ids = units["unit_id"].to_numpy(np.int64)
        self.unit_names = units["name"].astype(str).tolist()
        self.unit_type = np.array([types.index(t) for t in units["type"]], dtype=np.int64)
        self.type_keys = types
        self.type_grassroots = np.array([self.s.district.units[t].grassroots for t in types], dtype=bool)
        young = [self.s.district.units[t].young_member_age for t in types]
        self.type_young_age = np.array([-1 if a is None else a for a in young], dtype=np.int64)
        self.unit_index = {int(u): i for i, u in enumerate(self.unit_ids)}
        # the district each unit belongs to (-1: city level, filled from every district)
        group = units["district"] if "district" in units else pd.Series(0, index=units.index)
        self.unit_group = group.fillna(0).to_numpy(np.int64)
        self.several_districts = len(np.unique(self.unit_group)) > 1

    def _init_posts(self, roster: Roster) -> None:
        unit, grade = [], []
        units = roster.units.sort_values("unit_id").reset_index(drop=True)
        for g, key in enumerate(self.s.ladder):
            if self.s.grades[key].kind != "post_limited":
                continue
            counts = roster.posts(key).reindex(units.index).fillna(0).astype(int).to_numpy()
            for u, n in enumerate(counts):
                unit += [u] * n
                grade += [g] * n
        order = np.lexsort((np.array(unit, dtype=np.int64), np.array(grade, dtype=np.int64)))
        self.post_unit = np.array(unit, dtype=np.int64)[order]
        self.post_grade = np.array(grade, dtype=np.int64)[order]
        self.holder = np.full(len(order), -1, dtype=np.int64)
        by_unit = np.argsort(self.post_unit, kind="stable")
        bounds = np.searchsorted(self.post_unit[by_unit], np.arange(len(units) + 1))
        self.unit_posts = [by_unit[bounds[u]:bounds[u + 1]] for u in range(len(units))]
        self.chain = np.full(len(order), -1, dtype=np.int64)
        self.n_chains = 0

    def _init_cadres(self, roster: Roster) -> None:
        c = roster.cadres.sort_values("cadre_id").reset_index(drop=True)
        n = len(c)
        self.n = 0
        self._alloc(max(2 * n, 64))
        ladder = {k: i for i, k in enumerate(self.s.ladder)}
        cohorts = list(self.s.youth_talent.cohorts)
        idx = np.arange(n)
        self.n = n
        for f in ("birth", "work_start", "grade_since", "post_since", "last_promotion", "probation_end",
                  "secondment_end"):
            getattr(self, f)[idx] = c[f].to_numpy(np.int64)
        self.female[idx] = c["female"].to_numpy(bool)
        self.enterprise[idx] = c["enterprise"].to_numpy(bool)
        self.grade[idx] = c["grade"].map(ladder).to_numpy(np.int64)
        self.unit[idx] = c["unit_id"].map(self.unit_index).to_numpy(np.int64)
        self.gr_months[idx] = c["grassroots_months"].to_numpy(np.int64)
        self.cohort[idx] = c["cohort"].map(lambda x: cohorts.index(x) if x in cohorts else -1).to_numpy(np.int64)
        self.posts_held[idx, self.grade[idx]] = c["posts_held"].to_numpy(np.int64)
        self.key[idx] = c["cadre_id"].to_numpy(np.int64)
        self.active[idx] = True
        self.prev_grade[idx] = self.grade[idx] - 1
        self.entered[idx] = roster.start
        self._seat_roster(roster.start)

    def _seat_roster(self, start: int) -> None:
        """Give each roster cadre of a post-limited grade a free post of their grade in their unit."""
        free: dict[tuple[int, int], list[int]] = {}
        for p in range(len(self.holder) - 1, -1, -1):
            free.setdefault((int(self.post_unit[p]), int(self.post_grade[p])), []).append(p)
        for c in range(self.n):
            slots = free.get((int(self.unit[c]), int(self.grade[c])))
            if slots:
                self._seat(c, slots.pop())
            self._set_accrual(c, start)

    def _alloc(self, size: int) -> None:
        old = self.n
        for f in _INT_FIELDS:
            self._grow(f, size, -1, np.int64, old)
        for f in _FLOAT_FIELDS:
            self._grow(f, size, 0.0, np.float64, old)
        for f in _BOOL_FIELDS:
            self._grow(f, size, False, bool, old)
        held = np.zeros((size, self.K), dtype=np.int64)
        if hasattr(self, "posts_held"):
            held[:old] = self.posts_held[:old]
        self.posts_held = held
        self.capacity = size

    def _grow(self, field: str, size: int, fill, dtype, old: int) -> None:
        arr = np.full(size, fill, dtype=dtype)
        if hasattr(self, field):
            arr[:old] = getattr(self, field)[:old]
        setattr(self, field, arr)

    # --- queries --------------------------------------------------------------------------------

    def grassroots_at(self, idx: np.ndarray | int, now: int) -> np.ndarray:
        """Grassroots months of cadres ``idx`` at month ``now``."""
        since = self.gr_since[idx]
        return self.gr_months[idx] + np.where(since >= 0, now - since, 0)

    def members(self, grade: int) -> np.ndarray:
        """Active cadres in ``grade``."""
        n = self.n
        return np.flatnonzero(self.active[:n] & (self.grade[:n] == grade))

    def pool(self, idx: np.ndarray, now: int) -> Pool:
        """Eligibility view of cadres ``idx`` (posts held in their current grade)."""
        return Pool(self.birth[idx], self.work_start[idx], self.grade_since[idx], self.grassroots_at(idx, now),
                    self.posts_held[idx, self.grade[idx]], self.probation_end[idx])

    def age(self, idx: np.ndarray | int, now: int) -> np.ndarray:
        return (now - self.birth[idx]) // 12

    def same_district(self, idx: np.ndarray, unit: int) -> np.ndarray:
        """Which cadres ``idx`` may fill a post of ``unit``: those of its district (everyone for a
        city-level unit, or when there is one district)."""
        group = self.unit_group[unit]
        if not self.several_districts or group < 0:
            return np.ones(len(idx), dtype=bool)
        return self.unit_group[self.unit[idx]] == group

    def is_grassroots_unit(self, unit: int) -> bool:
        return bool(self.type_grassroots[self.unit_type[unit]])

    def vacancies(self, grade: int | None = None) -> np.ndarray:
        open_ = self.holder < 0
        if grade is not None:
            open_ &= self.post_grade == grade
        return np.flatnonzero(open_)

    # --- changes --------------------------------------------------------------------------------

    def _set_accrual(self, c: int, now: int) -> None:
        """Bank grassroots months so far and restart accrual if the cadre now accrues."""
        if self.gr_since[c] >= 0:
            self.gr_months[c] += now - self.gr_since[c]
        seconded = self.secondment_end[c] > now
        accrues = seconded or (self.unit[c] >= 0 and self.is_grassroots_unit(int(self.unit[c])))
        self.gr_since[c] = now if accrues else -1

    def _seat(self, c: int, p: int) -> None:
        self.post[c] = p
        self.holder[p] = c
        self.unit[c] = self.post_unit[p]
        self.chain[p] = -1

    def vacate(self, c: int, chain: int | None = None) -> int:
        """Cadre ``c`` leaves their post; the post opens with ``chain`` (a new chain when None).

        Returns:
            the post id, or -1 when the cadre held none.
        """
        p = int(self.post[c])
        if p < 0:
            return -1
        self.holder[p] = -1
        self.post[c] = -1
        self.chain[p] = self.new_chain() if chain is None else chain
        return p

    def new_chain(self) -> int:
        self.n_chains += 1
        return self.n_chains - 1

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
        self._set_accrual(c, now)
        return old

    def swap(self, a: int, b: int, now: int) -> None:
        """Cadres ``a`` and ``b`` exchange posts."""
        pa, pb = int(self.post[a]), int(self.post[b])
        self._seat(a, pb)
        self._seat(b, pa)
        for c in (a, b):
            self.post_since[c] = now
            self.posts_held[c, self.grade[c]] += 1
            self._set_accrual(c, now)

    def promote(self, c: int, p: int, now: int) -> int:
        """``c`` moves up into vacant post ``p``. Returns the post they left."""
        self.prev_grade[c] = self.grade[c]
        self.grade[c] = self.post_grade[p]
        self.grade_since[c] = now
        self.last_promotion[c] = now
        self.posts_held[c, self.grade[c]] = 0
        return self.move(c, p, now)

    def remove(self, c: int, now: int) -> int:
        """``c`` leaves the organization. Returns the post they left."""
        self._set_accrual(c, now)
        self.active[c] = False
        return self.vacate(c)

    def add(self, now: int, grade: int, unit: int, key: int, **attrs) -> int:
        """A new cadre enters ``grade`` in ``unit`` (seated by the caller). Returns their index."""
        if self.n == self.capacity:
            self._alloc(2 * self.capacity)
        c = self.n
        self.n += 1
        self.key[c], self.grade[c], self.unit[c] = key, grade, unit
        self.grade_since[c] = self.post_since[c] = self.entered[c] = now
        self.prev_grade[c] = grade - 1
        self.active[c] = True
        for name, value in attrs.items():
            getattr(self, name)[c] = value
        self._set_accrual(c, now)
        return c
