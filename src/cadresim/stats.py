"""Small statistics shared by run summaries, comparisons, sweeps and team tables."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(x: np.ndarray) -> tuple[float, float, float, float, int]:
    """(mean, sd, ci95_low, ci95_high, n) with a Student-t interval; sd and CI are NaN for n = 1."""
    n = len(x)
    mean = float(np.mean(x))
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan"), n
    sd = float(np.std(x, ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half, n
