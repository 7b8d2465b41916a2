"""An independent, scalar re-check of each promotion against the rules in force.

Selection uses the vectorized rules of ``eligibility``; this module restates them
one cadre at a time, so that a slip in either is caught on every run.
"""

from __future__ import annotations

from cadresim.state.replication import InvariantError, Run


def check_promotion(run: Run, c: int, target: int, now: int) -> None:
    """Raise InvariantError unless cadre ``c`` (still in the grade below) may enter ``target``."""
    org, rules = run.org, run.grade_rules(target)
    problems = []
    if org.grade[c] != target - 1:
        problems.append("not in the grade directly below")
    if rules.years_in_grade_below is not None and now - org.grade_since[c] < 12 * rules.years_in_grade_below - 1e-9:
        problems.append("years in grade below")
    if rules.years_of_work is not None and now - org.work_start[c] < 12 * rules.years_of_work - 1e-9:
        problems.append("years of work")
    if rules.grassroots_years is not None and org.grassroots_at(c, now) < 12 * rules.grassroots_years - 1e-9:
        problems.append("grassroots experience")
    if rules.posts_held_below is not None and org.posts_held[c, org.grade[c]] < rules.posts_held_below:
        problems.append("posts held")
    if rules.age_ceiling is not None and (now - org.birth[c]) // 12 > rules.age_ceiling:
        problems.append("age ceiling")
    if org.probation_end[c] > now:
        problems.append("on probation")
    if problems:
        raise InvariantError(f"promotion of cadre {int(org.key[c])} into {run.s.ladder[target]} breaks: "
                             f"{', '.join(problems)}")
