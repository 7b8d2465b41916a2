"""An independent, scalar re-check of each promotion against the rules in force.

Selection uses the vectorized rules of ``eligibility``; this module restates them
one cadre at a time, so that a slip in either is caught on every run. The two
share only the conversion of a rule's years into months (``spans.months``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cadresim.errors import InvariantError
from cadresim.rules.spans import months
from cadresim.scenario.schema import Grade


@dataclass(frozen=True)
class Candidate:
    """What the rules look at in one cadre about to be promoted (months as ints, -1: none).

    Attributes:
        grade: ladder index of the cadre's grade.
        posts_held: distinct posts held in that grade.
        grassroots_months: grassroots experience at the month of the promotion.
    """

    grade: int
    birth: int
    work_start: int
    grade_since: int
    grassroots_months: int
    posts_held: int
    probation_end: int


def breaches(rules: Grade, cadre: Candidate, target: int, now: int) -> list[str]:
    """The rules of grade ``target`` (``rules``) that ``cadre`` breaks at month ``now``."""
    broken = []
    if cadre.grade != target - 1:
        broken.append("not in the grade directly below")
    if rules.years_in_grade_below is not None and now - cadre.grade_since < months(rules.years_in_grade_below):
        broken.append("years in grade below")
    if rules.years_of_work is not None and now - cadre.work_start < months(rules.years_of_work):
        broken.append("years of work")
    if rules.grassroots_years is not None and cadre.grassroots_months < months(rules.grassroots_years):
        broken.append("grassroots experience")
    if rules.posts_held_below is not None and cadre.posts_held < rules.posts_held_below:
        broken.append("posts held")
    if rules.age_ceiling is not None and (now - cadre.birth) // 12 > rules.age_ceiling:
        broken.append("age ceiling")
    if cadre.probation_end > now:
        broken.append("on probation")
    return broken


def check_promotion(rules: Grade, cadre: Candidate, target: int, now: int, who: str) -> None:
    """Raise InvariantError unless ``cadre`` may enter grade ``target`` under ``rules`` at month ``now``.

    Args:
        who: how the message names the promotion, e.g. "cadre 17 into section".
    """
    broken = breaches(rules, cadre, target, now)
    if broken:
        raise InvariantError(f"promotion of {who} breaks: {', '.join(broken)}")


def check_same_level(rules: Grade, cadre: Candidate, target: int, now: int, who: str) -> None:
    """Raise InvariantError unless ``cadre``, holding the non-leading rank of grade ``target``'s level, may
    take one of its leading posts: within the grade's age ceiling and not on probation."""
    broken = []
    if cadre.grade != target:
        broken.append("not at the level of the post")
    if rules.age_ceiling is not None and (now - cadre.birth) // 12 > rules.age_ceiling:
        broken.append("age ceiling")
    if cadre.probation_end > now:
        broken.append("on probation")
    if broken:
        raise InvariantError(f"leading appointment of {who} breaks: {', '.join(broken)}")
