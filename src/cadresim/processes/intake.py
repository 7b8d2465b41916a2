"""Entries: recruitment into the bottom grade, lateral hires, and appointments from outside."""

from __future__ import annotations

import numpy as np

from cadresim.rules.spans import months
from cadresim.scenario.schema import LateralSource
from cadresim.state.organization import Entrant
from cadresim.state.replication import Replication

#: Draw-key kinds of cadres: roster cadres keep their roster ids, entrants get a key of their kind.
ENTRY_KINDS = {"roster": 0, "recruitment": 1, "outside": 2, "lateral": 3}
#: No recruit started work younger than this (age in years) [model].
EARLIEST_RECRUIT_WORK_AGE = 18
#: Appointees from outside started work at this age (their years of work follow from their age) [model].
OUTSIDE_WORK_START_AGE = 23


def entry_key(kind: str, now: int, slot: int) -> int:
    """A stable draw key for a cadre who enters in month ``now`` through ``slot`` (a post id or counter).

    Kind, month and slot occupy separate bits (kind << 56 | month << 24 | slot), so keys never
    collide and are the same in every scenario where the same post is filled in the same month.
    Roster cadres keep their roster ids (< 2**24).
    """
    if not 0 <= slot < 1 << 24:
        raise ValueError(f'"slot" must be in [0, 2**24), got {slot}.')
    return (ENTRY_KINDS[kind] << 56) | (now << 24) | slot


def _draw_people(run: Replication, keys: np.ndarray, now: int, age: tuple[int, int],
                 female_share: float) -> dict[str, np.ndarray]:
    """Birth month, sex, latent merit and exit threshold of entrants with draw keys ``keys`` (arrays)."""
    rng = run.rng
    years = rng.integers("entry_age", age[0], age[1], keys)
    birth = now - 12 * years - rng.integers("entry_birth_month", 0, 11, keys)
    return {"birth": birth, "female": rng.uniform("entry_sex", keys) < female_share,
            "merit": rng.normal("merit", keys), "threshold": rng.exponential("exit", keys)}


def _draw_person(run: Replication, key: int, now: int, age: tuple[int, int], female_share: float) -> dict:
    """The same draws for one entrant, as scalars."""
    return {k: v[0].item() for k, v in _draw_people(run, np.array([key]), now, age, female_share).items()}


def recruitment(run: Replication, now: int) -> None:
    """Fill the bottom grade: its vacant posts (``intake: gaps``) or a yearly number (rate-based)."""
    s, org = run.scenario, run.org
    intake = s.recruitment.intake
    if intake == "gaps":
        posts = org.vacancies(0)
        chains = org.chain[posts].copy()
        keys = np.array([entry_key("recruitment", now, int(p)) for p in posts], dtype=np.int64)
        for p, chain, c in zip(posts, chains, recruits(run, keys, now, org.post_unit[posts])):
            org.move(c, int(p), now)
            run.filled(int(p), c, now, "recruitment", int(chain))
    else:
        per_month = len(s.recruitment.months) if s.recruitment.months != "immediate" else 12
        n = int(intake) // per_month + (1 if (now % 12) < int(intake) % per_month else 0)
        keys = np.array([entry_key("recruitment", now, k) for k in range(n)], dtype=np.int64)
        for c in recruits(run, keys, now, np.arange(n) % len(org.unit_ids)):
            org.hold_unposted(c)


def recruits(run: Replication, keys: np.ndarray, now: int, units: np.ndarray) -> list[int]:
    """Recruits into the bottom grade of ``units`` (not yet seated), drawn from their keys in one batch.

    Returns:
        their cadre indices.
    """
    if not len(keys):
        return []
    r, rng = run.scenario.recruitment, run.rng
    people = _draw_people(run, keys, now, r.age, r.female_share)
    lo, hi = (months(y) for y in r.grassroots_years)
    grassroots = np.where(rng.uniform("recruit_grassroots", keys) < r.grassroots_share,
                          rng.integers("recruit_grassroots_months", lo, hi, keys), 0)
    enterprise = rng.uniform("recruit_enterprise", keys) < r.enterprise_share
    elo, ehi = (months(y) for y in r.enterprise_years)
    earlier = grassroots + np.where(enterprise, rng.integers("recruit_enterprise_months", elo, ehi, keys), 0)
    work_start = np.minimum(np.maximum(now - earlier, people["birth"] + 12 * EARLIEST_RECRUIT_WORK_AGE), now)
    out = []
    for i, (key, unit) in enumerate(zip(keys, units)):
        person = Entrant(work_start=int(work_start[i]), grassroots_months=int(min(grassroots[i], now - work_start[i])),
                         enterprise=bool(enterprise[i]), **{k: v[i].item() for k, v in people.items()})
        c = run.org.add(now, 0, int(unit), int(key), person)
        run.entries += 1
        run.log.add(now, "recruitment", c, 0, int(unit), -1, -1, "")
        out.append(c)
    return out


def lateral_hires(run: Replication, now: int) -> None:
    """Each lateral source fills up to ``per_year`` vacant posts of its grade (drawn at random)."""
    org = run.org
    for name, src in sorted(run.scenario.recruitment.lateral.items()):
        g = run.scenario.grade_index(src.grade)
        open_ = org.vacancies(g)
        if not src.per_year or not len(open_):
            continue
        order = np.argsort(run.rng.uniform("lateral_pick", now, open_), kind="stable")
        for p in open_[order][: src.per_year]:
            lateral_hire(run, name, src, int(p), now)


def lateral_hire(run: Replication, name: str, src: LateralSource, p: int, now: int) -> None:
    """Vacant post ``p`` is filled by a lateral hire from source ``name``."""
    org, rng = run.org, run.rng
    key = entry_key("lateral", now, p)
    drawn = _draw_person(run, key, now, src.age, run.scenario.recruitment.female_share)
    lo, hi = (months(y) for y in src.work_years)
    worked = int(rng.integers("lateral_work", lo, hi, key)[0])
    glo, ghi = (months(y) for y in src.grassroots_years)
    grassroots = min(int(rng.integers("lateral_grassroots", glo, ghi, key)[0]), worked)
    chain = int(org.chain[p])
    person = Entrant(work_start=now - worked, grassroots_months=grassroots, enterprise=src.enterprise, **drawn)
    c = org.add(now, int(org.post_grade[p]), int(org.post_unit[p]), key, person)
    org.move(c, p, now)
    run.entries += 1
    run.log.add(now, "lateral_hire", c, int(org.post_grade[p]), int(org.post_unit[p]), p, chain, name)
    run.filled(p, c, now, "lateral", chain)


def outside_hire(run: Replication, p: int, now: int) -> None:
    """Vacancy ``p`` is filled from outside the district; the chain ends.

    Appointees are assumed to meet the grade's rules (they were eligible where they came from); their
    age and grassroots experience are the grade's ``outside_age`` and ``outside_grassroots_years``.
    """
    org, rules = run.org, run.grade_rules(int(run.org.post_grade[p]))
    key = entry_key("outside", now, p)
    drawn = _draw_person(run, key, now, rules.outside_age, run.scenario.recruitment.female_share)
    worked = 12 * (min(rules.outside_age) - OUTSIDE_WORK_START_AGE)
    grassroots = months(rules.outside_grassroots_years)
    chain = int(org.chain[p])
    if run.teams is not None:
        run.teams.on_fill(int(org.post_unit[p]), int(org.post_grade[p]), -1)
    person = Entrant(work_start=now - worked, grassroots_months=min(grassroots, worked), last_promotion=now, **drawn)
    c = org.add(now, int(org.post_grade[p]), int(org.post_unit[p]), key, person)
    org.move(c, p, now)
    run.entries += 1
    run.log.add(now, "outside_hire", c, int(org.post_grade[p]), int(org.post_unit[p]), p, chain, "")
    run.filled(p, c, now, "outside", chain)
