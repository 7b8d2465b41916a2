"""Moves within a grade: probation outcomes, secondment, rotation and Youth Talent (MODEL.md section 4)."""

from __future__ import annotations

import numpy as np

from cadresim import dates
from cadresim.state.replication import Run
from cadresim.processes.selection import seat_in_grade

# --- probation and secondment ends --------------------------------------------------------------


def probation_ends(run: Run, now: int) -> None:
    """Probation ends this month: most pass; ``fail_rate`` return to their former grade."""
    org = run.org
    due = np.flatnonzero(org.active[:org.n] & (org.probation_end[:org.n] == now))
    fails = run.rng.uniform("probation", now, org.key[due]) < run.s.probation.fail_rate
    for c, failed in zip(due, fails):
        c = int(c)
        org.probation_end[c] = -1
        if failed:
            demote(run, c, now)
        else:
            run.log.add(now, "probation_pass", c, int(org.grade[c]), int(org.unit[c]))


def demote(run: Run, c: int, now: int) -> None:
    """A failed probation: back to the former grade, in a vacant post of it (own unit first) if any."""
    org = run.org
    grade, unit = int(org.grade[c]), int(org.unit[c])
    p = org.vacate(c)
    run.log.add(now, "probation_fail", c, grade, unit, p)
    run.open_vacancy(p, now, "probation_fail")
    org.grade[c] = org.prev_grade[c]
    org.grade_since[c] = now
    seat_in_grade(run, c, now, "return")


def secondment_ends(run: Run, now: int) -> None:
    """Secondments ending this month; Youth Talent members may then take a second section-head post."""
    org = run.org
    due = np.flatnonzero(org.active[:org.n] & (org.secondment_end[:org.n] == now))
    for c in due:
        c = int(c)
        org.secondment_end[c] = -1
        org._set_accrual(c, now)
        run.log.add(now, "secondment_end", c, int(org.grade[c]), int(org.unit[c]))
        if org.cohort[c] >= 0:
            place_second_post(run, c, now)


# --- secondment and Youth Talent starts ---------------------------------------------------------


def assessed(run: Run, idx: np.ndarray, purpose: str, now: int) -> np.ndarray:
    """Assessed merit of ``idx`` for a one-off choice (latent merit + assessment noise)."""
    org = run.org
    return org.merit[idx] + run.s.selection.assessment_noise * run.rng.normal(purpose, now, org.key[idx])


def secondments(run: Run, now: int) -> None:
    """Second ``count`` section-level cadres aged <= max_age to the grassroots front line."""
    sec, org = run.s.secondment, run.org
    idx = section_level_holders(run)
    idx = idx[(org.age(idx, now) <= sec.max_age) & (org.secondment_end[idx] < 0)]
    merit = assessed(run, idx, "secondment", now)
    lacking = org.grassroots_at(idx, now) < 24 if sec.targeting == "lacking_grassroots" else np.zeros(len(idx))
    order = np.lexsort((-merit, ~lacking.astype(bool)))
    for c in idx[order][: sec.count]:
        second(run, int(c), now, sec.months)


def second(run: Run, c: int, now: int, months: int) -> None:
    org = run.org
    org.secondment_end[c] = now + months
    org._set_accrual(c, now)
    run.log.add(now, "secondment_start", c, int(org.grade[c]), int(org.unit[c]))


def section_level_holders(run: Run, grades: list[int] | None = None) -> np.ndarray:
    org = run.org
    grades = run.s.role_indices("section_level") if grades is None else grades
    n = org.n
    return np.flatnonzero(org.active[:n] & np.isin(org.grade[:n], grades) & (org.post[:n] >= 0))


def youth_talent_start(run: Run, name: str, now: int) -> None:
    """A cohort starts: the best-assessed young section-level cadres join and are seconded."""
    s, org = run.s, run.org
    cohort = s.youth_talent.cohorts[name]
    k = list(s.youth_talent.cohorts).index(name)
    grades = [s.grade_index(g) for g in cohort.grades] if cohort.grades else None
    idx = section_level_holders(run, grades)
    idx = idx[(org.age(idx, now) <= cohort.age_cap) & (org.cohort[idx] < 0)]
    if len(idx) < cohort.size:
        run.warnings.append(f"{dates.fmt(now)}: Youth Talent cohort {name} asked for {cohort.size} members; "
                            f"only {len(idx)} cadres were in its pool")
    chosen = idx[np.argsort(-assessed(run, idx, f"youth_talent_{name}", now), kind="stable")[: cohort.size]]
    for c in chosen:
        join_cohort(run, int(c), k, now)


def join_cohort(run: Run, c: int, k: int, start: int) -> None:
    """Cadre ``c`` joins cohort ``k`` (started at ``start``): mentoring, secondment, bonus period."""
    org, cohort = run.org, list(run.s.youth_talent.cohorts.values())[k]
    org.cohort[c], org.joined[c] = k, start
    org.merit[c] += cohort.mentoring
    org.bonus_until[c] = start + cohort.secondment_months + round(12 * cohort.bonus_years)
    if start >= run.s.start_month:
        run.log.add(start, "youth_talent_join", c, int(org.grade[c]), int(org.unit[c]), -1, -1,
                    list(run.s.youth_talent.cohorts)[k])
        if cohort.secondment_months:
            second(run, c, start, cohort.secondment_months)


def place_second_post(run: Run, c: int, now: int) -> None:
    """A section-head member moves to a different section-head post: a vacant one, else a swap."""
    s, org = run.s, run.org
    cohort = list(s.youth_talent.cohorts.values())[org.cohort[c]]
    head = s.grade_index(s.roles.section_head)
    if cohort.placement != "second_section_post" or org.grade[c] != head or org.post[c] < 0:
        return
    open_ = org.vacancies(head)
    open_ = open_[org.post_unit[open_] != org.unit[c]]
    if len(open_):
        p = int(open_[np.argmin(run.rng.uniform("placement_post", now, org.key[c], open_))])
        chain = int(org.chain[p])
        old = org.move(c, p, now)
        run.filled(p, c, now, "placement", chain)
        run.log.add(now, "placement", c, head, int(org.unit[c]), p, chain, "vacant")
        run.open_vacancy(old, now, "chain")
        return
    partner = random_partner(run, c, head, now, "placement_partner", exclude_unit=int(org.unit[c]))
    if partner >= 0:
        swap(run, c, partner, now, "placement", "swap")


def swap(run: Run, c: int, partner: int, now: int, event: str, detail: str) -> None:
    """``c`` and ``partner`` exchange posts; both moves are logged (the partner's as "partner")."""
    org = run.org
    org.swap(c, partner, now)
    for who, why in ((c, detail), (partner, "partner")):
        run.log.add(now, event, who, int(org.grade[who]), int(org.unit[who]), int(org.post[who]), -1, why)


def random_partner(run: Run, c: int, g: int, now: int, purpose: str, exclude_unit: int = -1,
                   units: np.ndarray | None = None, moved: np.ndarray | None = None,
                   cache: dict | None = None) -> int:
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


def partner_pool(run: Run, g: int, group: int, cache: dict | None) -> np.ndarray:
    """Holders of grade ``g`` seated in district ``group`` (everyone's district when there is one)."""
    if cache is not None and (g, group) in cache:
        return cache[(g, group)]
    org = run.org
    idx = np.flatnonzero(org.active[:org.n] & (org.grade[:org.n] == g) & (org.post[:org.n] >= 0))
    if org.several_districts:
        idx = idx[org.unit_group[org.unit[idx]] == group]
    if cache is not None:
        cache[(g, group)] = idx
    return idx


# --- rotation -----------------------------------------------------------------------------------


def rotation(run: Run, now: int) -> None:
    """Yearly rotation of section-level leaders: cross-unit swaps, internal moves, the 10-year rule."""
    r, org = run.s.rotation, run.org
    idx = section_level_holders(run)
    idx = idx[(now - org.post_since[idx] >= round(12 * r.min_years_in_post)) & (org.secondment_end[idx] < 0)]
    u = run.rng.uniform("rotate", now, org.key[idx])
    cross_n = int(np.sum(u < r.cross_unit_rate))
    internal_n = int(np.sum((u >= r.cross_unit_rate) & (u < r.cross_unit_rate + r.internal_rate)))
    order = idx[np.lexsort((u, -priority(run, idx, now)))] if r.targeting != "random" else idx[np.argsort(u)]
    forced = set()
    if r.max_years_in_post is not None:
        forced = {int(c) for c in idx if now - org.post_since[c] >= round(12 * r.max_years_in_post)}
    moved = np.zeros(org.n, dtype=bool)
    cache: dict = {}
    cross = [int(c) for c in order[:cross_n]] + sorted(forced - {int(c) for c in order[:cross_n]})
    for c in cross:
        if not moved[c]:
            cross_move(run, c, now, moved, "forced" if c in forced else "cross", cache)
    for c in order[cross_n:cross_n + internal_n]:
        if not moved[int(c)]:
            internal_move(run, int(c), now, moved, cache)


def priority(run: Run, idx: np.ndarray, now: int) -> np.ndarray:
    """Targeting priority (higher first): youth, or the number of division-level requirements lacking."""
    org = run.org
    if run.s.rotation.targeting == "young":
        return -org.age(idx, now).astype(float)
    g = run.division_start()
    if g >= len(run.s.ladder):
        return np.zeros(len(idx))
    rules = run.grade_rules(g)
    lacks_grassroots = org.grassroots_at(idx, now) < round(12 * (rules.grassroots_years or 0))
    lacks_posts = org.posts_held[idx, org.grade[idx]] < (rules.posts_held_below or 0)
    return lacks_grassroots.astype(float) + lacks_posts.astype(float)


def cross_move(run: Run, c: int, now: int, moved: np.ndarray, detail: str, cache: dict | None = None) -> None:
    """Swap ``c`` with a holder of the same grade in another unit (type share honoured when set)."""
    r, org = run.s.rotation, run.org
    g = int(org.grade[c])
    units = None
    if r.cross_type_share is not None:
        other_type = run.rng.uniform("rotate_type", now, org.key[c])[0] < r.cross_type_share
        same = org.unit_type == org.unit_type[org.unit[c]]
        units = np.flatnonzero(~same if other_type else same)
    partner = random_partner(run, c, g, now, "rotate_partner", int(org.unit[c]), units, moved, cache)
    if partner < 0:
        return
    swap(run, c, partner, now, "rotation", detail)
    moved[[c, partner]] = True


def internal_move(run: Run, c: int, now: int, moved: np.ndarray, cache: dict | None = None) -> None:
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
