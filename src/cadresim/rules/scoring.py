"""The selection score (docs/model.md): pure functions of arrays."""

from __future__ import annotations

import numpy as np

from cadresim.scenario.schema import NoiseSD, Score


def assessed(merit: np.ndarray, noise: np.ndarray, noise_sd: NoiseSD | float) -> np.ndarray:
    """Assessed merit: latent merit seen through standard normal ``noise`` scaled to ``noise_sd``."""
    return merit + noise_sd * noise


def base_score(w: Score, merit: np.ndarray, noise: np.ndarray, noise_sd: NoiseSD | float, months_in_grade: np.ndarray,
               youth_bonus: np.ndarray) -> np.ndarray:
    """Score before the team bonus: weighted assessed merit, seniority and the Youth Talent bonus.

    Args:
        merit: latent merit (N(0, 1), plus mentoring).
        noise: standard normal assessment noise for this round.
        noise_sd: its standard deviation.
        months_in_grade: months in the current grade.
        youth_bonus: True for Youth Talent members within their bonus period.
    """
    return (w.merit * assessed(merit, noise, noise_sd) + w.years_in_grade * months_in_grade / 12.0
            + w.youth_talent_bonus * youth_bonus)


def in_bonus_period(member: np.ndarray, bonus_from: np.ndarray, bonus_until: np.ndarray, now: int) -> np.ndarray:
    """Which Youth Talent ``member``s earn the score bonus at month ``now``: from ``bonus_from`` (the end
    of their cohort's secondment) to ``bonus_until``, both included."""
    return member & (bonus_from <= now) & (now <= bonus_until)


def team_bonus(w: Score, team_lacks_young: bool, candidate_young: np.ndarray) -> np.ndarray:
    """Bonus for a candidate who would give a team without a young member its first."""
    return w.young_team_bonus * (team_lacks_young & candidate_young)


def best(scores: np.ndarray) -> int:
    """Position of the best score (the first one on ties, so results never depend on sort stability)."""
    return int(np.argmax(scores))
