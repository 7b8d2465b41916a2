"""Selection rounds: vacancies served top-down, vacancy chains, outside fills (docs/model.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cadresim.processes.intake import outside_hire
from cadresim.processes.probation import start_probation
from cadresim.processes.seating import seat_returners
from cadresim.processes.youth_talent import drawn_merit, in_bonus_period, is_member
from cadresim.rules import audit, eligibility, scoring
from cadresim.state.replication import Promotion, Replication


@dataclass
class Candidates:
    """The pool for one grade in one round: who, eligibility and base scores."""

    idx: np.ndarray
    ok: np.ndarray
    score: np.ndarray
    young_age: np.ndarray
    unit: np.ndarray
    taken: np.ndarray
    exceptional: np.ndarray
    groups: dict[int, np.ndarray] | None = None  # positions by district, when there are several
    state: np.ndarray | None = None  # grade * 2 + non-leading, when the pool was drawn up

    def unchanged(self, run: Replication, pos: np.ndarray) -> np.ndarray:
        """Which candidates at ``pos`` still hold the grade and track they had when the pool was drawn up (a
        non-leading holder sits in two pools, for the next level and for their own: pools drawn up at once,
        as at the reshuffle's young-member fill, must not promote them twice)."""
        org = run.org
        if self.state is None:
            return np.ones(len(pos), dtype=bool)
        idx = self.idx[pos]
        return self.state[pos] == org.grade[idx] * 2 + org.nonleading[idx]

    def within(self, run: Replication, unit: int) -> np.ndarray:
        """Positions of the candidates who may fill a post of ``unit`` (its district; all for city level)."""
        group = int(run.org.unit_group[unit])
        if self.groups is None or group < 0:
            return np.arange(len(self.idx))
        return self.groups.get(group, np.zeros(0, dtype=np.int64))


def selection_round(run: Replication, now: int) -> int:
    """One ordinary round: reviews of rate-based grades, then every vacancy top-down. Returns fills."""
    seat_returners(run, now)
    filled = 0
    fresh: set[int] = set()
    for g in range(len(run.scenario.ladder) - 1, 0, -1):
        if run.grade_rules(g).kind == "rate_based":
            filled += review(run, g, now)
        else:
            filled += serve_grade(run, g, now, fresh)
    return filled


def serve_grade(run: Replication, g: int, now: int, fresh: set[int], only: np.ndarray | None = None,
                young_only: bool = False) -> int:
    """Serve the open posts of grade ``g`` (or the posts ``only``), by unit id. Returns fills."""
    org = run.org
    posts = org.vacancies(g) if only is None else only
    posts = [int(p) for p in posts if run.scenario.selection.cascade or int(p) not in fresh]
    if not posts:
        return 0
    pool = candidates(run, g, now)
    filled = 0
    for p in sorted(posts, key=lambda p: (int(org.post_unit[p]), p)):
        filled += fill(run, p, pool, now, fresh, young_only)
    return filled


def candidates(run: Replication, g: int, now: int) -> Candidates:
    """The grade-below pool for grade ``g`` with eligibility and base scores for this round."""
    org, s = run.org, run.scenario
    below = org.at_level(g - 1) if s.nonleading.opens_next_level else org.members(g - 1)
    idx = np.concatenate([below, org.nonleading_at(g)])  # then non-leading holders of the level itself
    up = np.arange(len(idx)) < len(below)
    pool = org.pool(idx, now)
    rules = run.grade_rules(g)
    t0 = time.perf_counter()
    ok = np.where(up, eligibility.eligible(rules, pool, now), eligibility.eligible_same_level(rules, pool, now))
    run.timings["eligibility"] = run.timings.get("eligibility", 0.0) + time.perf_counter() - t0
    score = round_scores(run, idx, now)
    exceptional = np.zeros(len(idx), dtype=bool)
    if s.selection.exceptional.per_year:
        exceptional = up & eligibility.waivable_single_failure(rules, pool, now, org.last_promotion[idx])
    groups = None
    if org.several_districts:  # split once per round, so each vacancy scans its own district only
        group = org.unit_group[org.unit[idx]]
        order = np.argsort(group, kind="stable")
        keys, starts = np.unique(group[order], return_index=True)
        groups = dict(zip(keys.tolist(), np.split(order, starts[1:])))
    return Candidates(idx, ok, score, org.age(idx, now), org.unit[idx].copy(), np.zeros(len(idx), bool),
                      exceptional, groups, org.grade[idx] * 2 + org.nonleading[idx])


def round_scores(run: Replication, idx: np.ndarray, now: int) -> np.ndarray:
    """This round's base scores of cadres ``idx`` under the scenario's selection method."""
    org, sel = run.org, run.scenario.selection
    if sel.method == "random":
        return run.rng.uniform("random_pick", now, org.key[idx])
    if sel.method == "seniority":  # longest in grade first; ties broken at random
        return (now - org.grade_since[idx]) + 0.5 * run.rng.uniform("random_pick", now, org.key[idx])
    noise = run.rng.normal("assess", now, org.key[idx])
    youth = in_bonus_period(run, idx, now)
    return scoring.base_score(sel.score, org.merit[idx], noise, sel.assessment_noise, now - org.grade_since[idx],
                              youth)


def fill(run: Replication, p: int, pool: Candidates, now: int, fresh: set[int], young_only: bool = False) -> int:
    """Fill vacancy ``p``: from outside (White mode), the best eligible candidate, an exception,
    from outside when no one is eligible, or leave it open. Returns 1 when filled."""
    org, s = run.org, run.scenario
    g, u, chain = int(org.post_grade[p]), int(org.post_unit[p]), int(org.chain[p])
    rules = run.grade_rules(g)
    draw = run.rng.uniform("outside", now, p)[0] if rules.outside_fill > 0 else 1.0
    if s.selection.outside_fill_mode == "always" and not young_only and draw < rules.outside_fill:
        outside_hire(run, p, now)
        return 1
    young_age = team_young_age(run, u, g)
    pos = pool.within(run, u)
    young = pool.young_age[pos] < young_age if young_age > 0 else np.zeros(len(pos), bool)
    free = ~pool.taken[pos] & pool.unchanged(run, pos)
    wanted = free & (young if young_only else True)
    choice = pick(run, pool, pos, pool.ok[pos] & wanted, u, g, young, young_age, now)
    exception = False
    if exceptions_left(run, now) and (choice < 0 or s.selection.exceptional.competes):
        either = (pool.exceptional[pos] | (pool.ok[pos] if s.selection.exceptional.competes else False)) & wanted
        choice = pick(run, pool, pos, either, u, g, young, young_age, now)
        exception = choice >= 0 and not pool.ok[choice]
    if choice >= 0:
        path = "exception" if exception else "young_fill" if young_only else "round"
        promote(run, int(pool.idx[choice]), p, now, fresh, path)
        pool.taken[choice] = True
        return 1
    if young_only:
        return 0
    if s.selection.outside_fill_mode == "no_candidate" and draw < rules.outside_fill:
        outside_hire(run, p, now)
        return 1
    run.log.add(now, "vacancy_left_open", -1, g, u, p, chain)
    return 0


def pick(run: Replication, pool: Candidates, pos: np.ndarray, mask: np.ndarray, unit: int, g: int, young: np.ndarray,
         young_age: int, now: int) -> int:
    """Position in ``pool`` of the best candidate among ``pos[mask]`` within the grade's scope (-1: none)."""
    if run.grade_rules(g).scope == "unit_first":
        local = mask & (pool.unit[pos] == unit)
        if local.any():
            mask = local
    where = np.flatnonzero(mask)
    if not len(where):
        return -1
    lacks = young_age > 0 and not team_has_young(run, unit, young_age, now)
    scores = pool.score[pos[where]] + scoring.team_bonus(run.scenario.selection.score, lacks, young[where])
    return int(pos[where[scoring.best(scores)]])


def promote(run: Replication, c: int, p: int, now: int, fresh: set[int], path: str = "round") -> None:
    """Cadre ``c`` enters vacant post ``p`` one grade up by ``path`` (see ``Promotion``); the post they
    leave carries the chain on."""
    org = run.org
    g, chain = int(org.post_grade[p]), int(org.chain[p])
    exception = path == "exception"
    if exception:
        year = now // 12
        run.exceptions_used[year] = run.exceptions_used.get(year, 0) + 1
    else:
        check_promotion(run, c, g, now)
    if run.teams is not None:
        run.teams.on_fill(int(org.post_unit[p]), g, int(org.unit[c]))
    same_level = bool(org.nonleading[c]) and int(org.grade[c]) == g
    detail = "exception" if exception else "from_nonleading" if org.nonleading[c] else ""
    old = org.promote(c, p, now)
    start_probation(run, c, g, now)
    record_promotion(run, c, now, path)
    run.log.add(now, "leading_appointment" if same_level else "promotion", c, g, int(org.post_unit[p]), p, chain,
                detail)
    run.filled(p, c, now, "promotion", chain)
    if old >= 0:
        fresh.add(old)
        run.open_vacancy(old, now, "chain")


def check_promotion(run: Replication, c: int, g: int, now: int) -> None:
    """The audit's independent re-check that cadre ``c`` may enter grade ``g`` now, or a leading post of
    ``g`` from its non-leading rank (raises InvariantError)."""
    org = run.org
    who = f"cadre {int(org.key[c])} into {run.scenario.ladder[g]}"
    if org.nonleading[c] and org.grade[c] == g:
        audit.check_same_level(run.grade_rules(g), org.candidate(c, now), g, now, who)
    else:
        audit.check_promotion(run.grade_rules(g), org.candidate(c, now), g, now, who)


def record_promotion(run: Replication, c: int, now: int, path: str) -> None:
    """Note a promotion (cadre ``c`` is already in the new grade) for the metrics and the cadre's cohort."""
    org = run.org
    member = bool(is_member(run, np.array([c]), now)[0])
    run.promotions.append(Promotion(now, c, int(org.grade[c]), path, member, drawn_merit(run, c)))
    org.note_promotion(c, now)


def exceptions_left(run: Replication, now: int) -> bool:
    """Whether an exceptional promotion is still allowed in the calendar year of ``now``."""
    return run.exceptions_used.get(now // 12, 0) < run.scenario.selection.exceptional.per_year


def team_young_age(run: Replication, unit: int, g: int) -> int:
    """The young-member age of ``unit``'s team when ``g`` is a team grade, else -1."""
    if g < run.division_start() or g not in run.scenario.role_indices("division_level"):
        return -1
    return int(run.org.type_young_age[run.org.unit_type[unit]])


def team_has_young(run: Replication, unit: int, young_age: int, now: int) -> bool:
    """Whether ``unit``'s leadership team has a member younger than ``young_age``."""
    org = run.org
    posts = org.unit_posts[unit]
    holders = org.holder[posts[np.isin(org.post_grade[posts], run.scenario.role_indices("division_level"))]]
    holders = holders[holders >= 0]
    return bool(len(holders)) and bool(np.any(org.age(holders, now) < young_age))


def review(run: Replication, g: int, now: int) -> int:
    """Yearly review of a rate-based grade: each eligible cadre below moves up with the grade's rate."""
    rules = run.grade_rules(g)
    if now % 12 + 1 != rules.review_month:
        return 0
    org = run.org
    idx = org.members(g - 1)
    ok = eligibility.eligible(rules, org.pool(idx, now), now)
    up = idx[ok & (run.rng.uniform("review", now, org.key[idx]) < rules.promotion_rate)]
    for c in up:
        c = int(c)
        check_promotion(run, c, g, now)
        old = org.promote_in_place(c, g, now)
        record_promotion(run, c, now, "review")
        run.log.add(now, "promotion", c, g, int(org.unit[c]), -1, -1, "review")
        run.open_vacancy(old, now, "review")
    return len(up)

