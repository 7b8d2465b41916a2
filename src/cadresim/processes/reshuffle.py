"""The leadership reshuffle (换届): age and move-on departures, rotation, then a round to a fixpoint."""

from __future__ import annotations

import numpy as np

from cadresim.processes.exits import due_to_leave, leave, moves_to_nonleading, step_down
from cadresim.processes.rotation import in_post_at_least, swap_with_peer
from cadresim.processes.seating import seat_returners
from cadresim.processes.selection import candidates, fill, selection_round, team_has_young
from cadresim.rules.spans import months
from cadresim.state.replication import Replication


def reshuffle(run: Replication, now: int) -> None:
    """Run the reshuffle of month ``now`` in place of that month's ordinary round."""
    departures(run, now)
    rotate_long_serving(run, now)
    if run.teams is not None:
        run.teams.before_round(run, now)
    if run.scenario.reshuffle.young_targets:
        fill_young_targets(run, now)
    while selection_round(run, now):
        pass
    if run.teams is not None:
        run.teams.after_round(run, now)
    posts = reshuffle_posts(run)
    run.reshuffle_outcome[now] = (int(np.sum(run.org.holder[posts] >= 0)), len(posts))


def reshuffle_posts(run: Replication) -> np.ndarray:
    """Division-level and district-leadership posts."""
    grades = run.scenario.role_indices("division_level") + run.scenario.role_indices("district_leadership")
    return np.flatnonzero(np.isin(run.org.post_grade, grades))


def departures(run: Replication, now: int) -> None:
    """Holders close to their leaving age leave; district-leadership holders move on at a rate."""
    rs, org = run.scenario.reshuffle, run.org
    holders = org.holder[reshuffle_posts(run)]
    holders = np.sort(holders[holders >= 0])
    if rs.leave_within_years is not None:
        near = due_to_leave(run, holders) - now <= months(rs.leave_within_years)
        to_rank = moves_to_nonleading(run, holders, now)
        for c, rank in zip(holders[near], to_rank[near]):
            (step_down if rank else leave)(run, int(c), now, "reshuffle_age")
        holders = holders[~near]
    leadership = run.scenario.role_indices("district_leadership")
    top = holders[np.isin(org.grade[holders], leadership)]
    for c in top[run.rng.uniform("move_on", now, org.key[top]) < rs.leadership_move_on]:
        leave(run, int(c), now, "move_on")


def rotate_long_serving(run: Replication, now: int) -> None:
    """Division-level holders ``rotate_after_years`` in one post swap with a peer in another unit."""
    years = run.scenario.reshuffle.rotate_after_years
    if years is None:
        return
    org = run.org
    moved = np.zeros(org.n, dtype=bool)
    for g in run.scenario.role_indices("division_level"):
        members = org.members(g)
        for c in members[(org.post[members] >= 0) & in_post_at_least(org, members, years, now)]:
            if not moved[c]:
                swap_with_peer(run, int(c), now, "reshuffle_partner", "reshuffle", moved)


def fill_young_targets(run: Replication, now: int) -> None:
    """In each team short of its young-member target, fill one vacancy with the best young candidate."""
    org = run.org
    seat_returners(run, now)
    team_grades = sorted(run.scenario.role_indices("division_level"))
    pools = {g: candidates(run, g, now) for g in team_grades}
    for unit in range(len(org.unit_ids)):
        young_age = int(org.type_young_age[org.unit_type[unit]])
        if young_age < 0 or team_has_young(run, unit, young_age, now):
            continue
        for g in team_grades:
            open_ = org.vacancies(g)
            open_ = open_[org.post_unit[open_] == unit]
            if len(open_) and fill(run, int(open_[0]), pools[g], now, set(), young_only=True):
                break
