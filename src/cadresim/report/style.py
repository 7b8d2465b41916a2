"""What every figure shares: the look (:data:`STYLE`, colours), mean bands, and axes helpers.

A birth decade has one colour in every figure (:data:`DECADE_COLOURS`, the Okabe-Ito palette, safe
for colour-blind readers), an eligibility rule one colour (:data:`RULE_COLOURS`), and a scenario one
colour and line style (:func:`scenario_style`). Figures are built from
:class:`~matplotlib.figure.Figure` directly, so nothing here touches pyplot's global state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cadresim import dates
from cadresim.scenario.schema import DEFAULT_LADDER
from cadresim.stats import NON_NEGATIVE, Bounds, bounded_interval

DECADE_COLOURS: dict[int, str] = {
    1940: "#000000", 1950: "#999999", 1960: "#CC79A7", 1970: "#0072B2",
    1980: "#D55E00", 1990: "#009E73", 2000: "#E69F00",
}
RULE_COLOURS: dict[str, str] = {
    "years_in_grade_below": "#8DA0CB", "years_of_work": "#66C2A5", "grassroots_years": "#A6D854",
    "posts_held_below": "#E78AC3", "age_ceiling": "#FC8D62", "probation": "#FFD92F",
}
SEX_COLOURS = {False: "#4C72B0", True: "#C44E52"}
SCENARIO_COLOURS = ["#333333", "#AA3377", "#4477AA", "#228833", "#CCBB44", "#66CCEE", "#EE6677", "#BBBBBB"]
SCENARIO_LINESTYLES = ["-", "--", "-.", ":"]
ELIGIBLE_COLOUR, SEVERAL_COLOUR = "#1B7837", "#8C8C8C"
STYLE = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "figure.titlesize": 13,
    "figure.titleweight": "bold", "legend.fontsize": 10, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "grid.linewidth": 0.6,
}


def mean_band(df: pd.DataFrame, by: list[str], value: str, replications: Iterable | None = None,
              replication: str = "replication", bounds: Bounds = NON_NEGATIVE) -> pd.DataFrame:
    """Mean over replications of ``value`` per ``by`` group, with a 95% band.

    ``value`` is first summed within each replication and group. Every replication
    (``replications``, default those in ``df``) is then given every combination of
    the ``by`` levels present in ``df``, a missing one counting as 0, so that a
    replication without, say, any 1990s-born division heads pulls the mean down.

    Returns:
        One row per combination: the ``by`` columns, ``mean``, ``sd`` (across
        replications), ``n``, and ``low``/``high``: the 95% confidence interval of the mean
        within ``bounds`` (default: counts, never negative), as :func:`cadresim.stats.mean_ci`
        (the mean alone when n is 1).
    """
    reps = pd.unique(df[replication]) if replications is None else pd.unique(np.asarray(list(replications)))
    levels = [pd.unique(df[c]) for c in by]
    full = pd.MultiIndex.from_product([reps, *levels], names=[replication, *by])
    per_rep = df.groupby([replication, *by])[value].sum().reindex(full, fill_value=0)
    groups = per_rep.groupby(level=list(by))
    out = pd.DataFrame({"mean": groups.mean(), "sd": groups.std(ddof=1), "n": groups.size()})
    low, high = bounded_interval(out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy(), bounds)
    one = out["n"].to_numpy() < 2
    out["low"], out["high"] = np.where(one, out["mean"], low), np.where(one, out["mean"], high)
    return out.reset_index()


def scenario_bands(df: pd.DataFrame, scenarios: list[str], by: list[str], value: str) -> pd.DataFrame:
    """:func:`mean_band` per scenario, each over its own replications, with a ``scenario`` column."""
    frames = [mean_band(df[df["scenario"] == s], by, value).assign(scenario=s)
              for s in scenarios if (df["scenario"] == s).any()]
    return pd.concat(frames, ignore_index=True)


def decade_colour(decade: int) -> str:
    """The colour of a birth decade, the same in every figure."""
    return DECADE_COLOURS.get(int(decade), "#555555")


def scenario_style(i: int) -> dict[str, object]:
    """Colour and line style of the ``i``-th scenario (0: the baseline)."""
    return {"color": SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)],
            "ls": SCENARIO_LINESTYLES[i % len(SCENARIO_LINESTYLES)]}


def ladder_order(grades: Iterable[str], grade_labels: Mapping[str, str] | None = None) -> list[str]:
    """``grades`` bottom to top: the order of ``grade_labels``, then the default ladder."""
    order = list(grade_labels or {}) + [g for g in DEFAULT_LADDER if g not in (grade_labels or {})]
    rank = {g: i for i, g in enumerate(order)}
    return sorted(set(grades), key=lambda g: (rank.get(g, len(rank)), g))


def last_date(table: pd.DataFrame) -> str:
    """The latest of a table's 'YYYY-MM' dates."""
    return max(table["date"].unique(), key=dates.parse)


def times(year_months: pd.Series) -> pd.Series:
    """'YYYY-MM' strings as datetimes (first of the month)."""
    idx = year_months.map(dates.parse)
    return pd.to_datetime(pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1}))


def year_axis(ax: Axes, when: pd.Series, label: str | None) -> None:
    """Years on the x axis, about six ticks, whatever the span of the datetimes ``when``."""
    first, last = when.min(), when.max()
    if first == last:  # a single date: a year either side
        first, last = first - pd.DateOffset(years=1), last + pd.DateOffset(years=1)
    years = (last - first).days / 365.25
    base = next(b for b in (1, 2, 5, 10, 20, 50) if years / b <= 7)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=base))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    pad = (last - first) * 0.04
    ax.set_xlim(first - pad, last + pad)
    ax.set_xlabel(label or "")


def panel_grid(n: int, panel: tuple[float, float], sharey: bool = False) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` panels, at most three a row; unused cells removed."""
    ncols = n if n <= 3 else (2 if n == 4 else 3)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 1.0), layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False, sharey=sharey).ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]


def is_bottom(i: int, n: int, axes: list[Axes]) -> bool:
    """Whether panel ``i`` of a :func:`panel_grid` has no panel below it (so it carries the x label)."""
    return i + axes[0].get_gridspec().ncols >= n


def single_panel(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure of one panel."""
    if ax is not None:
        return ax.get_figure(), ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
