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
    half = float(ci95_halfwidth(sd, n))
    return mean, sd, mean - half, mean + half, n


def ci95_halfwidth(sd: float | np.ndarray, n: int | np.ndarray) -> float | np.ndarray:
    """Half width of the Student-t 95% CI of a mean, t(0.975, n - 1) · sd / √n (NaN for n < 2); element-wise
    on arrays (the bands of figures use it too)."""
    n = np.asarray(n, dtype=float)
    t = stats.t.ppf(0.975, np.where(n >= 2, n - 1, np.nan))
    return t * np.asarray(sd, dtype=float) / np.sqrt(n)
