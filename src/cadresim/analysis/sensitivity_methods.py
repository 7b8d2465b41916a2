"""Global sensitivity methods (pure): SALib's Morris screening and Sobol indices over named factors.

:func:`sample` draws the design (in the factors' own units, integer factors rounded), :func:`analyse`
turns one output per design row into a tidy table of indices with 95% intervals, and
:func:`sensitivity_of` does both for a plain Python function (the tests check the methods on a toy
model with a known ranking). A **dummy factor** that the model never reads is always added: its
indices show what an inert factor scores (zero under paired replications; SALib's intervals around it
show the estimator's own spread). See docs/decision.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("morris", "sobol")
DUMMY = "(dummy)"
MORRIS_LEVELS = 4
MIN_TRAJECTORIES, MIN_SAMPLES = 4, 8
CONF_RESAMPLES = 500
MORRIS_COLUMNS = ("factor", "mu_star", "mu_star_conf", "mu", "sigma")
SOBOL_COLUMNS = ("factor", "S1", "S1_conf", "ST", "ST_conf")


@dataclass(frozen=True)
class Factor:
    """A factor and its range; an integer factor takes integer values."""

    name: str
    low: float
    high: float
    integer: bool = False


def problem(factors: list[Factor], dummy: bool = True) -> dict:
    """SALib's problem description, with the dummy factor last."""
    names = [f.name for f in factors] + ([DUMMY] if dummy else [])
    spans = [[f.low, f.high] for f in factors] + ([[0.0, 1.0]] if dummy else [])
    return {"num_vars": len(names), "names": names, "bounds": spans}


def design_size(method: str, factors: int, size: int) -> int:
    """Design rows for ``factors`` factors (plus the dummy): Morris ``size`` trajectories of
    factors + 2 points, Sobol ``size`` base samples times factors + 3."""
    return size * (factors + 2) if method == "morris" else size * (factors + 3)


def sample(factors: list[Factor], method: str, size: int, seed: int = 0) -> np.ndarray:
    """The design: one row per model evaluation, one column per factor and the dummy last.

    Args:
        size: Morris trajectories, or Sobol base samples (a power of 2 suits Sobol's sequence).
    """
    prob = problem(factors)
    if method == "morris":
        from SALib.sample import morris

        x = morris.sample(prob, size, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        from SALib.sample import sobol

        x = sobol.sample(prob, size, calc_second_order=False, scramble=True, seed=seed)
    for j, f in enumerate(factors):
        if f.integer:
            x[:, j] = np.clip(np.round(x[:, j]), f.low, f.high)
    return x


def analyse(factors: list[Factor], method: str, x: np.ndarray, y: np.ndarray, seed: int = 0,
            resamples: int = CONF_RESAMPLES) -> pd.DataFrame:
    """Indices with 95% intervals, one row per factor (the dummy last), ranked in the table's order
    of the design (use :func:`ranked` to sort).

    Morris: ``mu_star`` (mean absolute elementary effect, in the output's units per the factor's whole
    range), its interval half-width ``mu_star_conf``, ``mu`` and ``sigma``. Sobol: first-order ``S1`` and
    total ``ST`` with half-widths ``S1_conf`` and ``ST_conf``.
    """
    prob = problem(factors)
    y = np.asarray(y, dtype=float)
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_resamples=resamples, conf_level=0.95, num_levels=MORRIS_LEVELS,
                             seed=seed)
        frame = pd.DataFrame({c: list(res[c]) for c in ("mu_star", "mu_star_conf", "mu", "sigma")})
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(prob, y, calc_second_order=False, num_resamples=resamples, conf_level=0.95, seed=seed)
        frame = pd.DataFrame({c: list(res[c]) for c in ("S1", "S1_conf", "ST", "ST_conf")})
    frame.insert(0, "factor", prob["names"])
    return frame


def main_index(method: str) -> str:
    """The index factors are ranked by: ``mu_star`` (Morris) or ``ST`` (Sobol)."""
    return "mu_star" if method == "morris" else "ST"


def ranked(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """Factors from the most to the least influential (by :func:`main_index`)."""
    return indices.sort_values(main_index(method), ascending=False, kind="stable").reset_index(drop=True)


def sensitivity_of(f: Callable[[Mapping[str, float]], float], factors: list[Factor], method: str = "morris",
                   size: int = 20, seed: int = 0) -> pd.DataFrame:
    """The indices of a plain function of the factors (``f({name: value})``), ranked."""
    x = sample(factors, method, size, seed)
    y = np.array([f({fac.name: row[j] for j, fac in enumerate(factors)}) for row in x])
    return ranked(analyse(factors, method, x, y, seed), method)
