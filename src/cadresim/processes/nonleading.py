"""The yearly review that appoints non-leading ranks (非领导职务) within each unit's 职数 (docs/model.md).

Candidates for the rank at a level are the staff and the non-leading holders of the level below (never
leading holders) with the rank's minimum time at that level; longest there first, ties by assessed score.
Ranks are reviewed from the top down, so a holder who moves up a division-level rank frees room in the
section-level 职数 before it is filled. An appointee keeps their staff post: the rank takes no seat.
"""

from __future__ import annotations

import numpy as np

from cadresim.processes.selection import round_scores
from cadresim.rules.spans import months
from cadresim.state.replication import Replication


def nonleading_review(run: Replication, now: int) -> int:
    """The review of month ``now`` (when the track is on). Returns the appointments made."""
    s = run.scenario
    if not s.nonleading.enabled:
        return 0
    made = 0
    for g in sorted(s.rank_indices(), reverse=True):
        made += _appoint(run, g, now)
    return made


def quota_room(run: Replication, g: int) -> np.ndarray:
    """Per unit: how many more holders the 职数 of ``g``'s group of ranks allows (0 when at or over it)."""
    s, org = run.scenario, run.org
    division = s.role_indices("division_level")
    group = [k for k in s.rank_indices() if (k in division) == (g in division)]
    if g in division:
        share, base = s.nonleading.quota.division_level, np.isin(org.post_grade, division)
    else:
        share, base = s.nonleading.quota.section_level, org.post_grade == 0
    units = len(org.unit_ids)
    cap = np.floor(share * np.bincount(org.post_unit[base], minlength=units) + 1e-9).astype(np.int64)
    n = org.n
    held = org.active[:n] & org.nonleading[:n] & np.isin(org.grade[:n], group)
    now_held = np.bincount(org.unit[:n][held], minlength=units)
    return np.maximum(cap - now_held, 0)


def _appoint(run: Replication, g: int, now: int) -> int:
    """Appoint the rank of level ``g`` in every unit with room. Returns the appointments."""
    s, org = run.scenario, run.org
    below = org.members(0) if g == 1 else org.nonleading_at(g - 1)
    rank = s.nonleading.ranks[s.ladder[g]]
    below = below[(now - org.grade_since[below]) >= months(rank.min_years_below)]
    if not len(below):
        return 0
    room = quota_room(run, g)
    score = round_scores(run, below, now)
    order = np.lexsort((-score, org.grade_since[below]))  # longest at the level below first, then by score
    made = 0
    for c in below[order]:
        c, unit = int(c), int(org.unit[c])
        if unit < 0 or room[unit] <= 0:
            continue
        room[unit] -= 1
        staff = org.vacant_staff_post(unit) if org.post[c] < 0 else -1
        chain = int(org.chain[staff]) if staff >= 0 else -1
        org.to_nonleading(c, now, grade=g, staff_post=staff)
        run.log.add(now, "nonleading_appointment", c, g, unit, int(org.post[c]))
        if staff >= 0:
            run.filled(staff, c, now, "nonleading", chain)
        made += 1
    return made
