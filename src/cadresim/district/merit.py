"""Latent merit given the roster's history: how early a cadre reached the current grade among peers.

Merit is drawn per replication, never stored in a roster: ``merit = rho * z + sqrt(1 - rho^2) * e`` with
``e`` the cadre's keyed N(0, 1) draw, so a department's roster and an exported synthetic one are treated
alike and merit keeps its N(0, 1) marginal. ``z`` comes from roster columns only (grade, the month the
cadre entered it, birth month); ``rho`` is fitted on the grown district's spin-up over the cadres above the
bottom grade (docs/model.md, "Latent merit").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri


def merit_z(cadres: pd.DataFrame, bottom: str) -> np.ndarray:
    """Per cadre (in row order), how early in life they reached their grade against its other holders: normal
    scores of the rank of the age at entering the grade (youngest highest; ties share the mean rank),
    standardised to mean 0 and SD 1 over the cadres above the ``bottom`` grade. The bottom grade scores 0:
    the age at hiring says nothing of merit."""
    grade = cadres["grade"].to_numpy()
    entered = (cadres["grade_since"] - cadres["birth"]).to_numpy(np.int64)
    z = np.zeros(len(grade))
    above = grade != bottom
    if above.sum() < 2:
        return z
    groups = pd.Series(-entered[above]).groupby(grade[above])
    rank, size = groups.rank(method="average").to_numpy(), groups.transform("size").to_numpy()
    scores = ndtri((rank - 0.5) / size)
    sd = scores.std()
    z[above] = (scores - scores.mean()) / sd if sd > 0 else 0.0
    return z


def conditional_merit(noise: np.ndarray, z: np.ndarray, rho: float) -> np.ndarray:
    """Latent merit from the keyed N(0, 1) draws ``noise`` given ``z``: N(rho * z, 1 - rho^2)."""
    if rho == 0.0:
        return noise
    return rho * z + np.sqrt(1.0 - rho * rho) * noise
