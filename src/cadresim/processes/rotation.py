"""Rotation (交流) of section-level leaders, and the swaps every sideways move uses (docs/model.md).

Each April the holders with ``min_years_in_post`` in their post (not on secondment) may move. The
rates are the shares of them who move: a swap moves two of them (the partner is one of them too,
and counts toward the same rate), a move into a vacant post one. Each rate sets a quota, the number
of eligible holders whose keyed draw falls in its band; moves are made down the targeting order
until the quota is met, and a swap that would overshoot the quota by one is made with probability
1/2, so the expected number of movers is exactly the rate times the eligible holders. The 10-year
rule forces moves on top of the rates. The reshuffle's rotation of long-serving division-level
holders and the Youth Talent placement use the same swaps.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cadresim.rules.spans import months, months_or_zero
from cadresim.scenario.schema import YearSpan
from cadresim.state.organization import Organization
from cadresim.state.replication import Replication

#: Holders of one grade and district, kept for the length of one step: (grade, district) -> cadres.
PartnerCache = dict[tuple[int, int], np.ndarray]
#: A planned move of one cadre: how many cadres it moves (1 or 2) and the call that makes it.
Plan = tuple[int, Callable[[], None]]


def rotation(run: Replication, now: int) -> None:
    """Yearly rotation of section-level leaders: the 10-year rule, then cross-unit and internal moves."""
    r, org = run.scenario.rotation, run.org
    pool = rotation_pool(run, now)
    forced = pool[:0]
    if r.max_years_in_post is not None:
        forced = pool[in_post_at_least(org, pool, r.max_years_in_post, now)]
    free = np.setdiff1d(pool, forced)
    u = run.rng.uniform("rotate", now, org.key[free])
    order = free[np.lexsort((u, -priority(run, free, now)))] if r.targeting != "random" else free[np.argsort(u)]
    n_cross = int(np.sum(u < r.cross_unit_rate))
    n_internal = int(np.sum((u >= r.cross_unit_rate) & (u < r.cross_unit_rate + r.internal_rate)))
    moved = np.zeros(org.n, dtype=bool)
    cache: PartnerCache = {}
    eligible = mask(org, pool)
    for c in forced:
        if not moved[c]:
            size, make = plan_cross(run, int(c), now, moved, eligible, "forced", cache)
            if size:
                make()
    voluntary = mask(org, free)
    fill_quota(run, now, order, n_cross, moved, lambda c: plan_cross(run, c, now, moved, voluntary, "cross", cache),
               "rotate_last_cross")
    fill_quota(run, now, order[n_cross:], n_internal, moved,
               lambda c: plan_internal(run, c, now, moved, voluntary, cache), "rotate_last_internal")


def rotation_pool(run: Replication, now: int) -> np.ndarray:
    """Section-level holders who may rotate in month ``now``: ``min_years_in_post`` in post, not seconded."""
    org = run.org
    idx = org.seated(run.scenario.role_indices("section_level"))
    return idx[in_post_at_least(org, idx, run.scenario.rotation.min_years_in_post, now)
               & (org.secondment_end[idx] < 0)]


def mask(org: Organization, idx: np.ndarray) -> np.ndarray:
    """A boolean mask over all cadres, True at ``idx``."""
    out = np.zeros(org.n, dtype=bool)
    out[idx] = True
    return out


def fill_quota(run: Replication, now: int, order: np.ndarray, quota: int, moved: np.ndarray,
               plan: Callable[[int], Plan], purpose: str) -> None:
    """Down ``order``, each cadre not yet moved makes the move ``plan`` finds for them (none: skipped)
    until ``quota`` cadres have moved. A move of two when one is left is made with probability 1/2
    (a draw keyed to ``purpose`` and the cadre), else the walk stops: the expected number moved is the
    quota."""
    left = quota
    for c in order:
        if left <= 0:
            break
        if moved[c]:
            continue
        size, make = plan(int(c))
        if not size:
            continue
        if size > left and run.rng.uniform(purpose, now, run.org.key[c])[0] >= 0.5:
            break
        make()
        left -= size


def in_post_at_least(org: Organization, idx: np.ndarray, years: YearSpan, now: int) -> np.ndarray:
    """Which cadres ``idx`` have held their post for at least ``years`` at month ``now``."""
    return now - org.post_since[idx] >= months(years)


def priority(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """Targeting priority (higher first): youth, or the number of requirements ahead a cadre lacks."""
    org = run.org
    if run.scenario.rotation.targeting == "young":
        return -org.age(idx, now).astype(float)
    posts, grassroots = requirements_ahead(run)
    g = org.grade[idx]
    lacks_posts = org.posts_held[idx, g] < posts[g]
    lacks_grassroots = org.grassroots_at(idx, now) < grassroots[g]
    return lacks_posts.astype(float) + lacks_grassroots.astype(float)


def requirements_ahead(run: Replication) -> tuple[np.ndarray, np.ndarray]:
    """Per grade: the posts held in it that the next grade's rules ask for (正科 posts for the 副处
    two-posts rule; 副科 posts count for nothing), and the grassroots months that the nearest grade
    above with a grassroots rule asks for (the 副处 rule for 副科 and 正科 holders); 0 where none."""
    s = run.scenario
    rules = [s.grades[k] for k in s.ladder]
    posts = np.array([(rules[g + 1].posts_held_below or 0) if g + 1 < len(rules) else 0
                      for g in range(len(rules))], dtype=np.int64)
    grassroots = np.zeros(len(rules), dtype=np.int64)
    for g in range(len(rules)):
        above = [months_or_zero(r.grassroots_years) for r in rules[g + 1:] if r.grassroots_years is not None]
        grassroots[g] = above[0] if above else 0
    return posts, grassroots


def plan_cross(run: Replication, c: int, now: int, moved: np.ndarray, allowed: np.ndarray, detail: str,
               cache: PartnerCache | None = None) -> Plan:
    """A swap of ``c`` with an ``allowed`` holder of the same grade in another unit (the type share
    honoured when set); both moves are logged as ``detail`` when the partner is one of the rate's
    movers, else the partner's as "partner"."""
    r, org = run.scenario.rotation, run.org
    units = None
    if r.cross_type_share is not None:
        other_type = run.rng.uniform("rotate_type", now, org.key[c])[0] < r.cross_type_share
        same = org.unit_type == org.unit_type[org.unit[c]]
        units = np.flatnonzero(~same if other_type else same)
    partner = random_partner(run, c, int(org.grade[c]), now, "rotate_partner", int(org.unit[c]), units, moved,
                             cache, allowed)
    return swap_plan(run, c, partner, now, moved, detail, detail if detail != "forced" else "partner")


def plan_internal(run: Replication, c: int, now: int, moved: np.ndarray, allowed: np.ndarray,
                  cache: PartnerCache | None = None) -> Plan:
    """A move of ``c`` to another post of the same grade in the same unit: a vacant one, else a swap
    with an ``allowed`` holder there."""
    org = run.org
    g, unit = int(org.grade[c]), int(org.unit[c])
    posts = org.unit_posts[unit]
    open_ = posts[(org.post_grade[posts] == g) & (org.holder[posts] < 0)]
    if len(open_):
        return 1, lambda: move_to_vacant(run, c, int(open_[0]), now, moved)
    partner = random_partner(run, c, g, now, "rotate_internal", units=np.array([unit]), moved=moved, cache=cache,
                             allowed=allowed)
    return swap_plan(run, c, partner, now, moved, "internal", "internal")


def swap_plan(run: Replication, c: int, partner: int, now: int, moved: np.ndarray, detail: str,
              partner_detail: str) -> Plan:
    """The swap of ``c`` with ``partner`` as a plan (none when there is no partner)."""
    if partner < 0:
        return 0, lambda: None

    def make() -> None:
        swap(run, c, partner, now, "rotation", detail, partner_detail)
        moved[[c, partner]] = True

    return 2, make


def move_to_vacant(run: Replication, c: int, p: int, now: int, moved: np.ndarray) -> None:
    """``c`` takes vacant post ``p`` of their grade in their unit; the post they leave carries p's chain."""
    org = run.org
    chain = int(org.chain[p])
    old = org.move(c, p, now)
    run.filled(p, c, now, "rotation", chain)
    run.open_vacancy(old, now, "chain")
    moved[c] = True
    run.log.add(now, "rotation", c, int(org.grade[c]), int(org.unit[c]), p, chain, "internal")


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


def swap(run: Replication, c: int, partner: int, now: int, event: str, detail: str,
         partner_detail: str = "partner") -> None:
    """``c`` and ``partner`` exchange posts; both moves are logged (the partner's as ``partner_detail``)."""
    org = run.org
    org.swap(c, partner, now)
    for who, why in ((c, detail), (partner, partner_detail)):
        run.log.add(now, event, who, int(org.grade[who]), int(org.unit[who]), int(org.post[who]), -1, why)


def random_partner(run: Replication, c: int, g: int, now: int, purpose: str, exclude_unit: int = -1,
                   units: np.ndarray | None = None, moved: np.ndarray | None = None,
                   cache: PartnerCache | None = None, allowed: np.ndarray | None = None) -> int:
    """A holder of grade ``g`` in ``c``'s district to swap with, drawn at random (keyed to ``c``) among
    those not on secondment (and in ``units``, not ``moved``, ``allowed``, when given); -1 when none.
    ``cache`` keeps the holders of each grade and district for the length of one step (swaps within a
    grade and district do not change who they are)."""
    org = run.org
    idx = partner_pool(run, g, int(org.unit_group[org.unit[c]]), cache)
    keep = (idx != c) & (org.unit[idx] != exclude_unit) & (org.secondment_end[idx] < 0)
    if units is not None:
        keep &= np.isin(org.unit[idx], units)
    if moved is not None:
        keep &= ~moved[idx]
    if allowed is not None:
        keep &= allowed[idx]
    idx = idx[keep]
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
