"""Rotation (交流) of section-level leaders, and the swaps every sideways move uses (docs/model.md).

A cross-unit move is a swap with a holder of the same grade in another unit of the district;
the reshuffle's rotation of long-serving division-level holders and the Youth Talent placement
use the same swaps.
"""

from __future__ import annotations

import numpy as np

from cadresim.rules.eligibility import division_grassroots_months
from cadresim.rules.spans import months
from cadresim.scenario.schema import YearSpan
from cadresim.state.organization import Organization
from cadresim.state.replication import Replication

#: Holders of one grade and district, kept for the length of one step: (grade, district) -> cadres.
PartnerCache = dict[tuple[int, int], np.ndarray]


def rotation(run: Replication, now: int) -> None:
    """Yearly rotation of section-level leaders: cross-unit swaps, internal moves, the 10-year rule."""
    r, org = run.scenario.rotation, run.org
    idx = org.seated(run.scenario.role_indices("section_level"))
    idx = idx[in_post_at_least(org, idx, r.min_years_in_post, now) & (org.secondment_end[idx] < 0)]
    u = run.rng.uniform("rotate", now, org.key[idx])
    cross_n = int(np.sum(u < r.cross_unit_rate))
    internal_n = int(np.sum((u >= r.cross_unit_rate) & (u < r.cross_unit_rate + r.internal_rate)))
    order = idx[np.lexsort((u, -priority(run, idx, now)))] if r.targeting != "random" else idx[np.argsort(u)]
    forced = set()
    if r.max_years_in_post is not None:
        forced = {int(c) for c in idx[in_post_at_least(org, idx, r.max_years_in_post, now)]}
    moved = np.zeros(org.n, dtype=bool)
    cache: PartnerCache = {}
    cross = [int(c) for c in order[:cross_n]] + sorted(forced - {int(c) for c in order[:cross_n]})
    for c in cross:
        if not moved[c]:
            cross_move(run, c, now, moved, "forced" if c in forced else "cross", cache)
    for c in order[cross_n:cross_n + internal_n]:
        if not moved[int(c)]:
            internal_move(run, int(c), now, moved, cache)


def in_post_at_least(org: Organization, idx: np.ndarray, years: YearSpan, now: int) -> np.ndarray:
    """Which cadres ``idx`` have held their post for at least ``years`` at month ``now``."""
    return now - org.post_since[idx] >= months(years)


def priority(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """Targeting priority (higher first): youth, or the number of division-level requirements lacking."""
    org = run.org
    if run.scenario.rotation.targeting == "young":
        return -org.age(idx, now).astype(float)
    g = run.division_start()
    if g >= len(run.scenario.ladder):
        return np.zeros(len(idx))
    rules = run.grade_rules(g)
    lacks_grassroots = org.grassroots_at(idx, now) < (division_grassroots_months(run.scenario) or 0)
    lacks_posts = org.posts_held[idx, org.grade[idx]] < (rules.posts_held_below or 0)
    return lacks_grassroots.astype(float) + lacks_posts.astype(float)


def cross_move(run: Replication, c: int, now: int, moved: np.ndarray, detail: str,
               cache: PartnerCache | None = None) -> None:
    """Swap ``c`` with a holder of the same grade in another unit (type share honoured when set)."""
    r, org = run.scenario.rotation, run.org
    units = None
    if r.cross_type_share is not None:
        other_type = run.rng.uniform("rotate_type", now, org.key[c])[0] < r.cross_type_share
        same = org.unit_type == org.unit_type[org.unit[c]]
        units = np.flatnonzero(~same if other_type else same)
    swap_with_peer(run, c, now, "rotate_partner", detail, moved, units, cache)


def swap_with_peer(run: Replication, c: int, now: int, purpose: str, detail: str, moved: np.ndarray,
                   units: np.ndarray | None = None, cache: PartnerCache | None = None) -> bool:
    """Swap ``c`` with a holder of their grade in another unit (among ``units``, when given) who has not
    ``moved`` yet, drawn at random for ``purpose``; log it as a rotation. Returns whether one was found."""
    org = run.org
    partner = random_partner(run, c, int(org.grade[c]), now, purpose, int(org.unit[c]), units, moved, cache)
    if partner < 0:
        return False
    swap(run, c, partner, now, "rotation", detail)
    moved[[c, partner]] = True
    return True


def internal_move(run: Replication, c: int, now: int, moved: np.ndarray, cache: PartnerCache | None = None) -> None:
    """Move ``c`` to another post of the same grade in the same unit: a vacant one, else a swap."""
    org = run.org
    g, unit = int(org.grade[c]), int(org.unit[c])
    posts = org.unit_posts[unit]
    open_ = posts[(org.post_grade[posts] == g) & (org.holder[posts] < 0)]
    if len(open_):
        p = int(open_[0])
        chain = int(org.chain[p])
        old = org.move(c, p, now)
        run.filled(p, c, now, "rotation", chain)
        run.open_vacancy(old, now, "chain")
        moved[c] = True
        run.log.add(now, "rotation", c, g, unit, p, chain, "internal")
        return
    partner = random_partner(run, c, g, now, "rotate_internal", units=np.array([unit]), moved=moved, cache=cache)
    if partner >= 0:
        swap(run, c, partner, now, "rotation", "internal")
        moved[[c, partner]] = True


def swap(run: Replication, c: int, partner: int, now: int, event: str, detail: str) -> None:
    """``c`` and ``partner`` exchange posts; both moves are logged (the partner's as "partner")."""
    org = run.org
    org.swap(c, partner, now)
    for who, why in ((c, detail), (partner, "partner")):
        run.log.add(now, event, who, int(org.grade[who]), int(org.unit[who]), int(org.post[who]), -1, why)


def random_partner(run: Replication, c: int, g: int, now: int, purpose: str, exclude_unit: int = -1,
                   units: np.ndarray | None = None, moved: np.ndarray | None = None,
                   cache: PartnerCache | None = None) -> int:
    """A holder of grade ``g`` in ``c``'s district to swap with, drawn at random (keyed to ``c``); -1 when
    none. ``cache`` keeps the holders of each grade and district for the length of one step (swaps
    within a grade and district do not change who they are)."""
    org = run.org
    idx = partner_pool(run, g, int(org.unit_group[org.unit[c]]), cache)
    mask = (idx != c) & (org.unit[idx] != exclude_unit) & (org.secondment_end[idx] < 0)
    if units is not None:
        mask &= np.isin(org.unit[idx], units)
    if moved is not None:
        mask &= ~moved[idx]
    idx = idx[mask]
    if not len(idx):
        return -1
    return int(idx[np.argmin(run.rng.uniform(purpose, now, org.key[c], org.key[idx]))])


def partner_pool(run: Replication, g: int, group: int, cache: PartnerCache | None) -> np.ndarray:
    """Holders of grade ``g`` seated in district ``group`` (everyone's district when there is one)."""
    if cache is not None and (g, group) in cache:
        return cache[(g, group)]
    org = run.org
    idx = org.seated([g])
    if org.several_districts:
        idx = idx[org.unit_group[org.unit[idx]] == group]
    if cache is not None:
        cache[(g, group)] = idx
    return idx
