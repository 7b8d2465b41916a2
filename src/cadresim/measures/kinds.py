"""What kind of number each metric and team measure is, and so the range its values can take.

A **count** (cadres, posts) and a **ratio** of counts cannot be negative, a **share** lies in [0, 1],
anything **other** (a mean age, a mean merit) is left unbounded. Summaries give each mean a 95%
interval within that range (:func:`cadresim.stats.mean_ci`; docs/model.md, "How intervals are
computed"). The metrics themselves are computed in :mod:`cadresim.measures.metrics` and
:mod:`cadresim.measures.teams`; their labels and units are in :mod:`cadresim.report.labels`.
"""

from __future__ import annotations

from cadresim.stats import NON_NEGATIVE, UNBOUNDED, UNIT_INTERVAL, Bounds

COUNT, RATIO, SHARE, OTHER = "count", "ratio", "share", "other"
BOUNDS: dict[str, Bounds] = {COUNT: NON_NEGATIVE, RATIO: NON_NEGATIVE, SHARE: UNIT_INTERVAL, OTHER: UNBOUNDED}

#: The Youth Talent cohort metrics (``youth_talent_promoted_share_c2``): one kind for every cohort.
COHORT_PREFIX = "youth_talent_promoted_share_"

METRIC_KINDS: dict[str, str] = {
    "post80_division_level": COUNT, "post70_division_head_share": SHARE, "post80_section_eligible": COUNT,
    "post80_section_eligible_strict": COUNT, "division_level_grassroots_share": SHARE,
    "division_level_enterprise_share": SHARE, "division_level_mean_age": OTHER, "reshuffle_fill_rate": SHARE,
    "reshuffle_unfilled": COUNT, "young_member_team_share": SHARE, "division_successor_ratio": RATIO,
    "promotion_merit_mean": OTHER, "post80_section_grassroots_share": SHARE,
    "post80_section_two_posts_share": SHARE, "post80_division_entries_round": COUNT,
    "post80_division_entries_young_fill": COUNT, "post80_division_entries_youth_talent": COUNT,
    COHORT_PREFIX.rstrip("_"): SHARE,
}

#: The measures of teams.csv (:data:`cadresim.measures.teams.MEASURES`), by name; ``born_<decade>s`` are counts.
TEAM_KINDS: dict[str, str] = {
    "departures_age": COUNT, "departures_other": COUNT, "departures_reshuffle": COUNT, "vacancies": COUNT,
    "successors_unit": COUNT, "successors_district": COUNT, "young_target_met": SHARE, "filled": COUNT,
    "filled_from_outside_unit": COUNT, "outside_unit_share": SHARE, "mean_age": OTHER,
}


def kind(metric: str) -> str:
    """The kind of a metric or team measure; for a name not listed, ``share`` when it says share or
    rate, else ``other`` (the plain t-interval)."""
    if metric.startswith(COHORT_PREFIX):
        return SHARE
    if metric.startswith("born_") and metric.endswith("s"):
        return COUNT
    known = METRIC_KINDS.get(metric) or TEAM_KINDS.get(metric)
    if known is not None:
        return known
    return SHARE if "share" in metric or metric.endswith("_rate") else OTHER


def bounds(metric: str) -> Bounds:
    """The range of a metric's (or team measure's) values: (0, inf) for counts and ratios, (0, 1) for
    shares, unbounded otherwise."""
    return BOUNDS[kind(metric)]
