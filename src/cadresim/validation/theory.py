"""Closed forms the engine must agree with (docs/model.md, "Theory the engine is checked against").

The pull model: K grades with fixed posts N_j, every vacancy filled at once from the
grade directly below, exits at a constant hazard, recruitment at the bottom only. The
engine runs in months and a yearly exit rate r gives a monthly exit probability
q = 1 - (1 - r)^(1/12), so the identities are stated per month with q.
"""

from __future__ import annotations

import numpy as np


def monthly_exit_probability(yearly_rate: np.ndarray | float) -> np.ndarray:
    """The engine's monthly exit probability for a yearly exit rate."""
    return 1.0 - (1.0 - np.asarray(yearly_rate, dtype=float)) ** (1.0 / 12.0)


def pull_flows(posts: np.ndarray, q: np.ndarray) -> np.ndarray:
    """F_j = sum over i >= j of q_i N_i: entries into grade j per month (F_1 is recruitment)."""
    exits = np.asarray(posts, float) * np.asarray(q, float)
    return np.cumsum(exits[::-1])[::-1]


def pull_time_in_grade(posts: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Mean months in grade j: N_j / F_j."""
    return np.asarray(posts, float) / pull_flows(posts, q)


def pull_promotion_probability(posts: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Probability of leaving grade j by promotion: F_{j+1} / F_j (0 for the top grade)."""
    f = pull_flows(posts, q)
    return np.append(f[1:] / f[:-1], 0.0)


def pull_length_of_service(posts: np.ndarray, q: np.ndarray) -> float:
    """Mean months from recruitment to exit: sum N_j / F_1."""
    return float(np.sum(posts) / pull_flows(posts, q)[0])


def white_chain_lengths(outside: np.ndarray) -> np.ndarray:
    """White (1970): mean vacancy-chain length by starting grade, (I - Q)^-1 · 1.

    A vacancy in grade j (0 = bottom) is filled from outside with probability ``outside[j]``
    (the chain ends) or from grade j - 1 (the vacancy moves down); the bottom is always
    filled from outside (recruitment).
    """
    k = len(outside)
    q = np.zeros((k, k))
    for j in range(1, k):
        q[j, j - 1] = 1.0 - outside[j]
    return np.linalg.solve(np.eye(k) - q, np.ones(k))
