"""Time spans of rules: years as a scenario writes them, whole months as the engine counts them.

Months are the engine's clock, so every span a rule asks for (years in the grade below, of work,
of grassroots experience, in post, to the leaving age...) becomes a whole number of months here,
once, the same way for the vectorized eligibility, the scalar audit, the processes and the
synthetic district. A span is the fewest whole months at least that long: 2 years are 24 months,
1.04 years (12.48 months) are 13 months.
"""

from __future__ import annotations

import math

from cadresim.scenario.schema import YearSpan

#: Slack for binary rounding: 7/12 years written as 0.5833333333333334 is 7.000000000000001 months,
#: which must count as 7, not 8.
ROUNDING_SLACK = 1e-9


def months(years: YearSpan | float) -> int:
    """Whole months a span of ``years`` asks for: the fewest whole months at least that long."""
    return math.ceil(12 * years - ROUNDING_SLACK)


def months_or_zero(years: YearSpan | float | None) -> int:
    """As :func:`months`, with 0 for a rule that is off (``None``)."""
    return 0 if years is None else months(years)
