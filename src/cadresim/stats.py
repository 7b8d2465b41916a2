"""Small statistics shared by run summaries, comparisons, sweeps, team tables and figure bands.

The 95% interval of a mean over replications respects the range the values can take (docs/model.md,
"How intervals are computed"): a Student-t interval computed on a scale where the range is unbounded,
then carried back. Shares (values in [0, 1]) use the logit of the mean, counts and other quantities
that cannot be negative (values >= 0) its logarithm, anything else the mean itself; the standard error
is carried to that scale by the delta method. Such an interval never leaves the range, shrinks to the
mean when every replication agrees, and is the plain t-interval, mean ± t(0.975, n − 1) · sd / √n, far
from the bounds. Differences between scenarios can take either sign: they keep the plain t-interval.

Replications nested in districts (an ensemble of start rosters, R replications each) get
:func:`nested_mean_ci`: the interval of the mean of the district means, on the same scale, with the
districts as the sample (docs/model.md, "Intervals across districts").
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import stats

INF = float("inf")
#: The range of a quantity: (lowest, highest) value it can take.
Bounds = tuple[float, float]
UNBOUNDED: Bounds = (-INF, INF)
NON_NEGATIVE: Bounds = (0.0, INF)
UNIT_INTERVAL: Bounds = (0.0, 1.0)


def mean_ci(x: np.ndarray, bounds: Bounds = UNBOUNDED) -> tuple[float, float, float, float, int]:
    """(mean, sd, ci95_low, ci95_high, n) of values that lie within ``bounds``.

    The interval is :func:`interval`'s (the plain Student-t interval when ``bounds`` is
    :data:`UNBOUNDED`); sd and the interval are NaN for n = 1. Values outside ``bounds`` (the
    bounds are not the quantity's) get the plain t-interval.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    mean = float(np.mean(x))
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan"), n
    sd = float(np.std(x, ddof=1))
    inside = bool(x.min() >= bounds[0] and x.max() <= bounds[1])
    return (mean, sd, *interval(mean, sd, n, bounds if inside else UNBOUNDED), n)


def nested_mean_ci(values: np.ndarray, groups: np.ndarray, bounds: Bounds = UNBOUNDED
                   ) -> tuple[float, float, float, float, int, int, float]:
    """(mean, sd, ci95_low, ci95_high, n, n_groups, between_share) of values nested in groups.

    The groups are districts, the values their replications. The mean is the mean of the group means
    and its interval is :func:`interval` of the group means: a Student-t interval on n_groups − 1
    degrees of freedom (on the logit or log scale within ``bounds``, as :func:`mean_ci`), which counts
    the spread between groups as well as the chance within them. It is exact for a balanced design
    (every group has the same number of values) of normal values; unbalanced groups weigh alike.
    ``sd`` is the standard deviation of all n values. ``between_share`` is the one-way random-effects
    ANOVA estimate of σ²_between / (σ²_between + σ²_within), clipped to [0, 1]: NaN when it cannot be
    estimated (no group with two values, or no variation at all).

    With one group this is :func:`mean_ci` exactly, with n_groups 1 and between_share NaN.
    """
    x = np.asarray(values, dtype=float)
    codes, n_g = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)[1:]
    if len(n_g) < 2:
        return (*mean_ci(x, bounds), 1, math.nan)
    means = np.bincount(codes, weights=x) / n_g
    mean = float(np.mean(means))
    sd = float(np.std(x, ddof=1))
    inside = bool(x.min() >= bounds[0] and x.max() <= bounds[1])
    low, high = interval(mean, float(np.std(means, ddof=1)), len(means), bounds if inside else UNBOUNDED)
    return mean, sd, low, high, len(x), len(means), between_share(x, codes, means, n_g)


def between_share(x: np.ndarray, codes: np.ndarray, means: np.ndarray, n_g: np.ndarray) -> float:
    """σ²_between / (σ²_between + σ²_within) by one-way random-effects ANOVA (method of moments, with
    the usual n0 for unequal group sizes), clipped to [0, 1]; NaN when not estimable.

    Args:
        x: the values; codes: each value's group (0 .. G − 1); means, n_g: each group's mean and size.
    """
    n, g = len(x), len(n_g)
    if n - g < 1 or g < 2:
        return math.nan
    within = float(np.sum((x - means[codes]) ** 2)) / (n - g)
    grand = float(np.sum(x)) / n
    between_ms = float(np.sum(n_g * (means - grand) ** 2)) / (g - 1)
    n0 = (n - float(np.sum(n_g ** 2)) / n) / (g - 1)
    between = max((between_ms - within) / n0, 0.0)
    total = between + within
    return math.nan if not total > 0 else min(between / total, 1.0)


def interval(mean: float, sd: float, n: int, bounds: Bounds = UNBOUNDED) -> tuple[float, float]:
    """The 95% interval (low, high) of a mean of ``n`` values within ``bounds`` with standard deviation ``sd``.

    A Student-t interval on the logit scale (both bounds finite), the log scale (one bound finite) or
    the plain scale (none), back-transformed: never outside ``bounds``. A mean at a bound (every value
    there) or an sd of 0 gives the mean alone; n < 2 gives NaN.
    """
    if not n >= 2 or not math.isfinite(sd):
        return math.nan, math.nan
    if sd == 0:
        return mean, mean
    half = _t975(int(n)) * sd / math.sqrt(n)
    low, high = bounds
    if math.isfinite(low) and math.isfinite(high):
        lo, hi = _logit_interval((mean - low) / (high - low), half / (high - low))
        return low + (high - low) * lo, low + (high - low) * hi
    if math.isfinite(low):
        lo, hi = _log_interval(mean - low, half)
        return low + lo, low + hi
    if math.isfinite(high):
        lo, hi = _log_interval(high - mean, half)
        return high - hi, high - lo
    return mean - half, mean + half


def bounded_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray,
                     bounds: Bounds = UNBOUNDED) -> tuple[np.ndarray, np.ndarray]:
    """:func:`interval`, element-wise (the bands of figures)."""
    mean, sd, n = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (mean, sd, n)))
    pairs = [interval(m, s, k, bounds) for m, s, k in zip(mean.ravel(), sd.ravel(), n.ravel())]
    low, high = (np.array([p[i] for p in pairs], dtype=float).reshape(mean.shape) for i in (0, 1))
    return low, high


def _logit_interval(p: float, half: float) -> tuple[float, float]:
    """t-interval of a proportion ``p`` with plain-scale half width ``half``, made on the logit scale."""
    if not 0 < p < 1:
        return p, p
    z, h = math.log(p / (1 - p)), half / (p * (1 - p))
    return _expit(z - h), _expit(z + h)


def _log_interval(m: float, half: float) -> tuple[float, float]:
    """t-interval of a positive mean ``m`` with plain-scale half width ``half``, made on the log scale."""
    if not m > 0:
        return m, m
    h = min(half / m, 700.0)  # e^700 is near the largest float
    return m * math.exp(-h), m * math.exp(h)


def _expit(z: float) -> float:
    return 0.5 * (1 + math.tanh(0.5 * z))  # 1 / (1 + e^-z) without overflow


@lru_cache(maxsize=None)
def _t975(n: int) -> float:
    """t(0.975, n − 1), the Student-t quantile of a 95% interval of a mean of n values."""
    return float(stats.t.ppf(0.975, n - 1))


def ci95_halfwidth(sd: float | np.ndarray, n: int | np.ndarray) -> float | np.ndarray:
    """Half width of the plain Student-t 95% CI of a mean, t(0.975, n − 1) · sd / √n (NaN for n < 2);
    element-wise on arrays. For differences, which can take either sign."""
    n = np.asarray(n, dtype=float)
    t = np.vectorize(lambda k: _t975(int(k)) if k >= 2 else math.nan, otypes=[float])(n) if n.size else n
    return t * np.asarray(sd, dtype=float) / np.sqrt(n)
