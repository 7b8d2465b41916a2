"""A start roster's figures on the start date, to set beside the calibration targets
(``cadresim roster check``): the outcome metrics as the engine computes them, and the Youth Talent
cohorts the roster holds."""

from __future__ import annotations

from cadresim.district.roster import Roster
from cadresim.engine.schedule import setup
from cadresim.measures.metrics import snapshot_metrics
from cadresim.scenario.schema import Scenario

#: The start-date figures shown beside the calibration targets: (metric, index in
#: cadresim.scenario.docs.CALIBRATION_TARGETS, format).
FIGURES = (("post80_division_level", 0, "{:.0f}"), ("division_level_grassroots_share", 1, "{:.0%}"),
           ("post70_division_head_share", 2, "{:.0%}"), ("division_level_mean_age", 3, "{:.1f}"),
           ("post80_section_eligible", 4, "{:.0f}"))


def start_figures(scenario: Scenario, roster: Roster) -> dict[str, float]:
    """The outcome metrics at the start date, as the engine computes them (no random draw enters them)."""
    run = setup(scenario, roster, 0, 0, False)
    return snapshot_metrics(run, scenario.start_month, False)


def cohort_figures(scenario: Scenario, roster: Roster) -> dict[str, tuple[int, int]]:
    """Per Youth Talent cohort in the roster: members, and how many are seconded on the start date."""
    c, out = roster.cadres, {}
    for name in scenario.youth_talent.cohorts:
        members = c[c["cohort"] == name]
        if len(members):
            out[name] = (len(members), int((members["secondment_end"] > roster.start).sum()))
    return out
