"""Value axes and colour scales that do not mislead.

* :func:`value_axis`: limits with room for every marker (a dot at 0% or 100% is drawn whole), ticks
  only within the range the metric can take (no "105%"), and tick labels that never read alike
  (:class:`DistinctFormatter`: "99.5%", "100.0%", not "100%", "100%").
* :func:`colour_limits` and :func:`value_places`: a heat map's colour scale is never narrower than
  ten steps of the rounding its cells are written with, so cells that read the same look nearly the
  same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, MaxNLocator

MINUS = "\u2212"
#: Room left beyond the outermost value, as a share of the axis span.
MARGIN = 0.07
#: A heat map's colour scale spans at least this many steps of its cells' rounding.
COLOUR_STEPS = 10


class BoundedLocator(MaxNLocator):
    """:class:`~matplotlib.ticker.MaxNLocator`'s ticks, keeping those within [low, high] only."""

    def __init__(self, low: float = -math.inf, high: float = math.inf, **kw) -> None:
        super().__init__(**{"nbins": "auto", "steps": [1, 2, 5, 10], **kw})
        self.low, self.high = low, high

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        ticks = super().tick_values(vmin, vmax)
        tol = 1e-9 * max(1.0, abs(vmax - vmin))
        return ticks[(ticks >= self.low - tol) & (ticks <= self.high + tol)]


class DistinctFormatter(Formatter):
    """Tick labels with the fewest decimals that write every tick exactly, then ``suffix`` ("%")."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.places = 0

    def set_locs(self, locs: Iterable[float]) -> None:
        super().set_locs(locs)
        self.places = places_for(list(locs))

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = f"{x:.{self.places}f}"
        if float(text) == 0:
            text = text.lstrip("-")
        return text.replace("-", MINUS) + self.suffix


def places_for(values: list[float], most: int = 6) -> int:
    """The fewest decimals (up to ``most``) that write each of ``values`` exactly (ticks: 0.25 needs 2)."""
    finite = [v for v in values if math.isfinite(v)]
    for places in range(most + 1):
        if all(abs(round(v, places) - v) <= 1e-9 * max(1.0, abs(v)) for v in finite):
            return places
    return most


def value_axis(ax: Axes, values: Iterable[float], bounds: tuple[float, float] = (-math.inf, math.inf),
               suffix: str = "", include: Iterable[float] = (), integer: bool = False) -> None:
    """Fit the y axis to ``values`` (means and interval ends, in plotted units) and ``include`` (say 0).

    The limits leave :data:`MARGIN` of room beyond the outermost value, also past a bound, so markers
    there are drawn whole; ticks are placed only within ``bounds`` and labelled by
    :class:`DistinctFormatter` with ``suffix``.
    """
    finite = [float(v) for v in [*values, *include] if v is not None and math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = high - low
    if span <= 0:  # one value: a little room around it
        span = max(abs(high) * 0.1, 1.0)
        low, high = low - span / 2, high + span / 2
        low, high = max(low, bounds[0]), min(high, bounds[1])
        span = high - low
    pad = MARGIN * span
    ax.set_ylim(low - pad, high + pad)
    ax.yaxis.set_major_locator(BoundedLocator(*bounds, integer=integer))
    ax.yaxis.set_major_formatter(DistinctFormatter(suffix))


def value_places(values: np.ndarray, percent: bool) -> int:
    """Decimals a heat map writes its cells with: enough that the values' spread spans five steps,
    at most 1 (percent) or 2 (other values); 0 for percent, and 1 or 2 otherwise, at the least."""
    finite = values[np.isfinite(values)]
    spread = float(finite.max() - finite.min()) if len(finite) else 0.0
    least, most = (0, 1) if percent else ((1 if np.nanmax(np.abs(finite), initial=0) >= 10 else 2), 2)
    places = least
    while places < most and spread > 0 and 10.0 ** -places > spread / 5:
        places += 1
    return places


def colour_limits(values: np.ndarray, places: int, bounds: tuple[float, float] = (-math.inf, math.inf),
                  noise: float = 0.0) -> tuple[float, float]:
    """(vmin, vmax) of a heat map's colour scale: the values' range, widened to at least
    :data:`COLOUR_STEPS` steps of their rounding (10 ** -places) and to ``noise`` (the typical width
    of the cells' 95% intervals, so chance differences do not look large), kept within ``bounds``."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    least = max(COLOUR_STEPS * 10.0 ** -places, noise if math.isfinite(noise) else 0.0)
    if high - low < least:
        centre = (low + high) / 2
        low, high = centre - least / 2, centre + least / 2
        if low < bounds[0]:
            low, high = bounds[0], bounds[0] + least
        if high > bounds[1]:
            low, high = bounds[1] - least, bounds[1]
    return low, high
