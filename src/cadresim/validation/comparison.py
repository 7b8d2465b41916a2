"""One comparison of simulation with theory or with a parameter: the ``Check`` row and its tolerances.

A statistical check passes when the simulated value is within ``Z`` standard errors of the expected
one: of the mean over replications (estimated from them), or of a binomial share (from the expected
probability and the number of trials). Exact identities have tolerance 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z = 4.0  # a correct engine fails one statistical check in about 16,000


@dataclass(frozen=True)
class Check:
    """One comparison of simulation with theory."""

    group: str
    check: str
    expected: float
    simulated: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return bool(abs(self.simulated - self.expected) <= self.tolerance + 1e-9)

    def __str__(self) -> str:
        return (f"{self.group}: {self.check}: expected {self.expected:.4g}, simulated {self.simulated:.4g}, "
                f"tolerance {self.tolerance:.3g} -> {'pass' if self.passed else 'FAIL'}")


def statistical(group: str, check: str, expected: float, per_replication: np.ndarray) -> Check:
    """Mean over replications against ``expected`` with a tolerance of Z standard errors."""
    x = np.asarray(per_replication, float)
    se = x.std(ddof=1) / np.sqrt(len(x))
    return Check(group, f"{check} (R={len(x)}, tolerance {Z:g} SE)", float(expected), float(x.mean()), Z * se)


def binomial(group: str, check: str, p: float, successes: int, trials: int) -> Check:
    """The share ``successes / trials`` against probability ``p``, within Z binomial standard errors."""
    se = np.sqrt(p * (1 - p) / trials) if trials else np.inf
    return Check(group, f"{check} (n={trials:,}, tolerance {Z:g} binomial SE)", float(p),
                 successes / trials if trials else np.nan, float(Z * se))


def exact(group: str, check: str, expected: float, simulated: float) -> Check:
    """An identity: tolerance 0."""
    return Check(group, check, float(expected), float(simulated), 0.0)
