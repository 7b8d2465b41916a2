"""Outcome metrics (docs/model.md), computed from the state at a snapshot.

Each function returns plain rows; tables are built after the run. A metric whose
role the ladder lacks, or that has no meaning at a date, is left out, never zero.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from cadresim import dates
from cadresim.measures.rows import TRACKS, AgeRow, EligibilityRow, PoolRow, StockRow
from cadresim.rules import eligibility
from cadresim.rules.eligibility import Pool
from cadresim.scenario.schema import default_grades
from cadresim.state.replication import Replication

HEADLINE = ["post80_division_level", "post70_division_head_share", "post80_section_eligible_strict",
            "division_level_grassroots_share", "reshuffle_fill_rate", "young_member_team_share"]


def decade(birth: np.ndarray) -> np.ndarray:
    """Birth decade (1970 for 1970..1979) of birth months."""
    return (birth // 12) // 10 * 10


def holders(run: Replication, grades: list[int]) -> np.ndarray:
    """Holders of the posts of ``grades``."""
    org = run.org
    h = org.holder[np.isin(org.post_grade, grades)]
    return h[h >= 0]


def snapshot_metrics(run: Replication, now: int, after_reshuffle: bool) -> dict[str, float]:
    """Every metric with a meaning at ``now``."""
    out: dict[str, float] = {}
    out.update(division_metrics(run, now))
    out.update(section_metrics(run, now))
    out.update(post80_section_experience(run, now))
    if now > run.scenario.start_month:
        out.update(post80_division_entries(run))
    out.update(team_metrics(run, now))
    if after_reshuffle and now in run.reshuffle_outcome:
        filled, posts = run.reshuffle_outcome[now]
        out["reshuffle_fill_rate"] = filled / posts if posts else np.nan
        out["reshuffle_unfilled"] = float(posts - filled)
    if now > run.scenario.start_month and run.promotions:
        out["promotion_merit_mean"] = float(np.mean([p.merit for p in run.promotions]))
    out.update(youth_talent_metrics(run, now))
    return {k: float(v) for k, v in out.items() if not np.isnan(v)}


def division_metrics(run: Replication, now: int) -> dict[str, float]:
    """Division-level holders' make-up, and the successors for the division-head grade."""
    org, out = run.org, {}
    div = run.scenario.role_indices("division_level")
    grassroots = eligibility.division_grassroots_months(run.scenario)
    if div:
        h = holders(run, div)
        out["post80_division_level"] = float(np.sum(decade(org.birth[h]) == 1980))
        if len(h):
            if grassroots is not None:  # the share meeting the grassroots rule in force
                out["division_level_grassroots_share"] = float(np.mean(org.grassroots_at(h, now) >= grassroots))
            out["division_level_enterprise_share"] = float(np.mean(org.enterprise[h]))
            out["division_level_mean_age"] = float(np.mean(org.age(h, now)))
    head = run.scenario.role_indices("division_head")
    if head:
        h = holders(run, head)
        if len(h):
            out["post70_division_head_share"] = float(np.mean(decade(org.birth[h]) == 1970))
        g = head[0]
        posts = np.sum(org.post_grade == g)
        if g > 0 and posts:
            idx = org.members(g - 1)
            out["division_successor_ratio"] = float(np.sum(eligibility.eligible(
                run.grade_rules(g), org.pool(idx, now), now)) / posts)
    return out


def section_metrics(run: Replication, now: int) -> dict[str, float]:
    """80后 section-level holders eligible for the first division-level grade (scenario and default rules)."""
    org, s = run.org, run.scenario
    div = s.role_indices("division_level")
    if not div or not s.role_indices("section_level"):
        return {}
    target = min(div)
    idx = holders(run, s.role_indices("section_level"))
    idx = idx[(decade(org.birth[idx]) == 1980) & (org.grade[idx] == target - 1)]
    pool = org.pool(idx, now)
    strict_rules = default_grades().get(s.ladder[target], run.grade_rules(target))
    return {"post80_section_eligible": float(np.sum(eligibility.eligible(run.grade_rules(target), pool, now))),
            "post80_section_eligible_strict": float(np.sum(eligibility.eligible(strict_rules, pool, now)))}


def post80_section_experience(run: Replication, now: int) -> dict[str, float]:
    """Among 80后 section-level holders, the share with the grassroots experience of the division-level
    rule in force; among 80后 section-head holders, the share who have held two section-head posts."""
    org, s, out = run.org, run.scenario, {}
    idx = holders(run, s.role_indices("section_level"))
    idx = idx[decade(org.birth[idx]) == 1980]
    grassroots = eligibility.division_grassroots_months(s)
    if len(idx) and grassroots is not None:
        out["post80_section_grassroots_share"] = float(np.mean(org.grassroots_at(idx, now) >= grassroots))
    head = s.grade_index(s.roles.section_head)
    heads = idx[org.grade[idx] == head] if head >= 0 else idx[:0]
    if len(heads):
        out["post80_section_two_posts_share"] = float(np.mean(org.posts_held[heads, head] >= 2))
    return out


#: Paths into division level, for the metrics ``post80_division_entries_<path>``.
ENTRY_PATHS = ("round", "young_fill", "youth_talent")


def post80_division_entries(run: Replication) -> dict[str, float]:
    """80后 promotions into division level since the start, by path: a Youth Talent member's (whatever
    the round), else the reshuffle's young-member fill, else an ordinary round (exceptions included)."""
    div = run.scenario.role_indices("division_level")
    if not div:
        return {}
    counts = dict.fromkeys(ENTRY_PATHS, 0)
    org, first = run.org, min(div)
    for p in run.promotions:
        if p.grade == first and decade(org.birth[p.cadre]) == 1980:
            path = "youth_talent" if p.youth_talent else "young_fill" if p.path == "young_fill" else "round"
            counts[path] += 1
    return {f"post80_division_entries_{k}": float(v) for k, v in counts.items()}


def team_metrics(run: Replication, now: int) -> dict[str, float]:
    """Share of leadership teams with a member younger than their unit type's target age."""
    org = run.org
    div = run.scenario.role_indices("division_level")
    if not div:
        return {}
    met, teams = 0, 0
    for unit in range(len(org.unit_ids)):
        young_age = int(org.type_young_age[org.unit_type[unit]])
        posts = org.unit_posts[unit]
        posts = posts[np.isin(org.post_grade[posts], div)]
        if young_age < 0 or not len(posts):
            continue
        teams += 1
        h = org.holder[posts]
        h = h[h >= 0]
        met += bool(len(h)) and bool(np.any(org.age(h, now) < young_age))
    return {"young_member_team_share": met / teams} if teams else {}


def youth_talent_metrics(run: Replication, now: int) -> dict[str, float]:
    """Share of each started cohort's members promoted at least once since joining."""
    org, out = run.org, {}
    n = org.n
    for k, name in enumerate(run.scenario.youth_talent.cohorts):
        members = org.cohort[:n] == k
        if members.any():
            out[f"youth_talent_promoted_share_{name}"] = float(np.mean(org.promoted_in_cohort[:n][members]))
    return out


def candidate_pools(run: Replication, now: int) -> Iterator[tuple[int, str, np.ndarray, np.ndarray, Pool]]:
    """For promotion into each grade g, on each track of the grade below: (g, track, candidates' indices,
    their birth decades, their Pool). Non-leading holders are candidates only when their time at the level
    opens the next one (``nonleading.opens_next_level``)."""
    org, opens = run.org, run.scenario.nonleading.opens_next_level
    for g in range(1, len(run.scenario.ladder)):
        for track, idx in zip(TRACKS, (org.members(g - 1), org.nonleading_at(g - 1) if opens else [])):
            if len(idx):
                yield g, track, idx, decade(org.birth[idx]), org.pool(idx, now)


def eligibility_rows(run: Replication, now: int) -> list[EligibilityRow]:
    """For promotion into each grade, by birth decade: candidates, and those failing each rule (alone)."""
    rows, date = [], dates.fmt(now)
    for g, track, _, dec, pool in candidate_pools(run, now):
        rules, key = run.grade_rules(g), run.scenario.ladder[g]
        attr = eligibility.attribution(rules, pool, now)
        ok = eligibility.eligible(rules, pool, now)
        for d in np.unique(dec):
            here = dec == d
            not_ok = int(np.sum(~ok & here))
            rows.append(EligibilityRow(date, key, int(d), "any_rule", int(here.sum()), not_ok, not_ok, track))
            rows += [EligibilityRow(date, key, int(d), rule, int(here.sum()), int(np.sum(fail & here)),
                                    int(np.sum(alone & here)), track) for rule, (fail, alone) in attr.items()]
    return rows


def pool_rows(run: Replication, now: int) -> list[PoolRow]:
    """The pool for promotion into each grade, by birth decade: candidates and those eligible."""
    rows, date = [], dates.fmt(now)
    for g, track, _, dec, pool in candidate_pools(run, now):
        ok = eligibility.eligible(run.grade_rules(g), pool, now)
        values, counts = np.unique(dec, return_counts=True)
        rows += [PoolRow(date, run.scenario.ladder[g], int(d), int(n), int(np.sum(ok & (dec == d))), track)
                 for d, n in zip(values, counts)]
    return rows


def stock_rows(run: Replication, now: int) -> list[StockRow]:
    """Active cadres by grade and birth decade at month ``now``."""
    org, date = run.org, dates.fmt(now)
    idx = np.flatnonzero(org.active[:org.n])
    code = (org.grade[idx] * 2 + org.nonleading[idx]) * 10_000 + decade(org.birth[idx])
    values, counts = np.unique(code, return_counts=True)
    return [StockRow(date, run.scenario.ladder[v // 20_000], int(v % 10_000), int(n), TRACKS[(v // 10_000) % 2])
            for v, n in zip(values, counts)]


def age_rows(run: Replication, now: int) -> list[AgeRow]:
    """Active cadres by grade, sex and age at month ``now``."""
    org, date, ladder = run.org, dates.fmt(now), run.scenario.ladder
    idx = np.flatnonzero(org.active[:org.n])
    code = ((org.grade[idx] * 2 + org.nonleading[idx]) * 2 + org.female[idx]) * 1000 + org.age(idx, now)
    values, counts = np.unique(code, return_counts=True)
    return [AgeRow(date, ladder[v // 4000], bool((v // 1000) % 2), int(v % 1000), int(n), TRACKS[(v // 2000) % 2])
            for v, n in zip(values, counts)]
