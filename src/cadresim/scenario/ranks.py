"""Non-leading ranks (非领导职务, the 2014 system) in the scenario format.

A non-leading rank is held at a level of the ladder (副主任科员 at 副科级, 主任科员 at 正科级, 副调研员 at
副处级, 调研员 at 正处级) by a cadre who holds no leading post of that level: a cadre with ``grade`` the
level's grade and ``nonleading`` true, seated in the staff establishment of their unit.
"""

from __future__ import annotations

from typing import Literal

from cadresim.scenario.fields import (ASSUMPTION, MODEL, RULE, CalendarMonth, Probability, Section, Years, param,
                                      param_factory)


class Rank(Section):
    """The non-leading rank held at one level (keyed by the level's grade)."""

    name_zh: str = param("", "Chinese title of the rank (the 职务 a roster lists)", MODEL)
    name: str = param("", "English title of the rank", MODEL)
    min_years_below: Years = param(3.0, "minimum years at the level below (leading or non-leading) before "
                                   "appointment to the rank at the yearly review", ASSUMPTION)


def default_ranks() -> dict[str, Rank]:
    """副主任科员 ← 科员 3 years; 主任科员 ← 副科级 3; 副调研员 ← 正科级 4; 调研员 ← 副处级 4 (after the 1993
    国家公务员非领导职务设置办法)."""
    return {
        "deputy_section": Rank(name_zh="副主任科员", name="deputy principal staff member", min_years_below=3),
        "section": Rank(name_zh="主任科员", name="principal staff member", min_years_below=3),
        "deputy_division": Rank(name_zh="副调研员", name="deputy researcher", min_years_below=4),
        "division": Rank(name_zh="调研员", name="researcher", min_years_below=4),
    }


class Quota(Section):
    """职数 of the non-leading ranks in each unit (holders over it on the start date are kept, with a note)."""

    section_level: Probability = param(0.5, "ranks at section-level grades (主任科员 + 副主任科员): at most this "
                                       "share of the unit's staff establishment", ASSUMPTION)
    division_level: Probability = param(0.5, "ranks at division-level grades (调研员 + 副调研员): at most this "
                                        "share of the unit's division-level leading posts", ASSUMPTION)


class NonLeading(Section):
    """Non-leading ranks beside the leading posts. Headline metrics count leading posts only."""

    enabled: bool = param(True, "the non-leading track is on (false: leading holders leave at their leaving age "
                          "and no one is appointed to a non-leading rank; a roster's non-leading holders still "
                          "count for eligibility)", MODEL)
    ranks: dict[str, Rank] = param_factory(default_ranks, "the rank held at each level, keyed by the level's grade",
                                           RULE)
    review_month: CalendarMonth = param(12, "calendar month of the yearly review that appoints non-leading ranks "
                                        "(before that month's selection round)", ASSUMPTION)
    quota: Quota = param_factory(Quota, "职数 of the non-leading ranks in each unit", ASSUMPTION)
    at_leaving_age: bool = param(True, "leading holders reaching their grade's leaving age move to the "
                                 "non-leading rank of their level until retirement (改任非领导职务), over the 职数 "
                                 "if need be; false: they leave", ASSUMPTION)
    opens_next_level: bool = param(True, "time at a level in a non-leading rank counts for the next level, so a "
                                   "non-leading holder may be promoted to the next leading grade when eligible "
                                   "under its rules (false: only to a leading post of their own level)", ASSUMPTION)
    roster_titles: dict[str, Literal["leading", "nonleading"]] = param_factory(
        dict, "local 职务 titles of a roster file, each mapped to a track (leading or nonleading), beside the titles "
        "read by default (the ranks' names and the leading titles listed in the README, \"Your own roster\"); the "
        "level comes from 现职务层次, e.g. {站务主管: leading, 专职委员: nonleading}", MODEL)
