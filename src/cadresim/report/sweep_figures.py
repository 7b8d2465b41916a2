"""Figures of a parameter sweep: tables in, matplotlib Figures out.

Each function takes the sweep's run table (:func:`cadresim.analysis.sweep_tables.build_table`: one row per run, a
column per swept key and per ``metric@date``) and returns a :class:`~matplotlib.figure.Figure`, built
without pyplot. Means and 95% confidence intervals are taken over the runs of each group; a swept
key that a figure does not show is averaged over (the figure says so).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from numbers import Number
from pathlib import Path
from typing import Protocol

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cadresim import dates
from cadresim.measures.kinds import bounds
from cadresim.report.labels import (LABELS, date_text, metric_column, metric_columns, metric_label, metric_unit,
                                    split_column)
from cadresim.report.scales import colour_limits, value_axis, value_places
from cadresim.report.setting_labels import setting_label
from cadresim.report.style import STYLE
from cadresim.stats import mean_ci

BAND_ALPHA = 0.18
CMAP = "viridis"


class SweepDesign(Protocol):
    """What the figures need of a sweep's design (a :class:`cadresim.analysis.sweep_design.Design`)."""

    @property
    def kind(self) -> str:
        """``"grid"`` or ``"lhs"``."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The swept keys, in the order given."""


def point_means(table: pd.DataFrame, column: str, by: Sequence[str]) -> pd.DataFrame:
    """Mean, sd, 95% CI (within the metric's range) and n of ``column`` over the runs of each combination
    of ``by`` (NaN left out)."""
    rows, limits = [], bounds(split_column(column)[0])
    for values, runs in table.groupby(list(by), sort=True, dropna=False):
        x = runs[column].dropna().to_numpy()
        if len(x):
            rows.append((*(values if isinstance(values, tuple) else (values,)), *mean_ci(x, limits)))
    return pd.DataFrame(rows, columns=[*by, "mean", "sd", "ci95_low", "ci95_high", "n"])


def metric_vs_parameter(table: pd.DataFrame, column: str, x: str, by: str | None = None, ax: Axes | None = None,
                        labels: Mapping[str, str] = LABELS) -> Figure:
    """A metric (``metric@date``) against one swept key: mean and 95% CI band, one line per value of
    ``by`` if given.

    Raises:
        ValueError: ``column``, ``x`` or ``by`` is not in the table.
    """
    _require(table, [column, x, *([by] if by else [])])
    lab = {**LABELS, **labels}
    groups = [x, by] if by else [x]
    means = point_means(table, column, groups)
    scale = _scale(column)
    with mpl.rc_context(STYLE):
        fig, ax, own = _single(ax, (7.2, 4.6))
        positions, ticks = _positions(table[x])
        levels = sorted(means[by].unique(), key=_order) if by else [None]
        colours = _colours(len(levels))
        for level, colour in zip(levels, colours):
            rows = means if level is None else means[means[by] == level]
            _line(ax, rows, x, positions, scale, colour, None if level is None else f"{_value(level)}")
        _x_axis(ax, x, positions, ticks)
        _y_axis(ax, column, scale, lab, means)
        if by:
            ax.legend(title=_key_text(by, 28), frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        _decorate(fig, ax, own, _title(column, lab), _footnote(table, [x, by] if by else [x]))
    return fig


def heatmap(table: pd.DataFrame, column: str, x: str, y: str, ax: Axes | None = None,
            labels: Mapping[str, str] = LABELS) -> Figure:
    """The mean of a metric (``metric@date``) over two swept keys, each cell annotated with its mean
    and its 95% CI.

    Cells are written to the decimals the values' spread needs, and the colour scale spans at least
    ten steps of that rounding, so cells that read the same look nearly the same.

    Raises:
        ValueError: ``column``, ``x`` or ``y`` is not in the table.
    """
    _require(table, [column, x, y])
    lab = {**LABELS, **labels}
    scale = _scale(column)
    means = point_means(table, column, [x, y])
    xs, ys = sorted(means[x].unique(), key=_order), sorted(means[y].unique(), key=_order)
    def cells(value: str) -> np.ndarray:
        wide = means.pivot(index=y, columns=x, values=value).reindex(index=ys, columns=xs)
        return wide.to_numpy(float) * scale

    grid, low, high = cells("mean"), cells("ci95_low"), cells("ci95_high")
    places = value_places(grid, scale == 100.0)
    widths = (high - low)[np.isfinite(high - low) & (high - low > 0)]  # cells whose replications vary
    vmin, vmax = colour_limits(grid, places, tuple(b * scale for b in bounds(split_column(column)[0])),
                               float(np.median(widths)) if len(widths) else 0.0)
    with mpl.rc_context({**STYLE, "axes.grid": False}):
        fig, ax, own = _single(ax, (max(6.4, 1.1 * len(xs) + 3.2), max(4.2, 0.7 * len(ys) + 2.4)))
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap=CMAP, vmin=vmin, vmax=vmax)
        _annotate(ax, grid, low, high, image, places, scale == 100.0)
        ax.set_xticks(range(len(xs)), [_value(v) for v in xs])
        ax.set_yticks(range(len(ys)), [_value(v) for v in ys])
        ax.set_xlabel(_key_text(x, 60))
        ax.set_ylabel(_key_text(y, 40))
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.set_label(f"mean, {lab[metric_unit(split_column(column)[0])]}")
        note = _footnote(table, [x, y], "cell: mean and, below, its 95% CI; the colour scale spans at least the "
                                        "typical CI width, so chance differences look small")
        _decorate(fig, ax, own, _title(column, lab), note)
    return fig


def metric_by_point(table: pd.DataFrame, column: str, keys: Sequence[str],
                    labels: Mapping[str, str] = LABELS) -> Figure:
    """For designs that are not grids (a Latin hypercube): each point's mean and 95% CI against each
    swept key, one panel per key.

    Raises:
        ValueError: ``column`` or a key is not in the table.
    """
    _require(table, [column, *keys])
    lab = {**LABELS, **labels}
    scale = _scale(column)
    means = point_means(table, column, ["run_id", *keys])
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(4.6 * len(keys) + 0.6, 4.2), layout="constrained")
        axes = fig.subplots(1, len(keys), squeeze=False, sharey=True)[0]
        for i, (ax, key) in enumerate(zip(axes, keys)):
            mean, low, high = (means[c].to_numpy(float) * scale for c in ("mean", "ci95_low", "ci95_high"))
            err = np.nan_to_num(np.vstack([mean - low, high - mean])).clip(min=0)
            ax.errorbar(means[key].to_numpy(float), mean, yerr=err, fmt="o", ms=4, capsize=2, lw=1, color="#33638D")
            ax.set_xlabel(_key_text(key, 40))
            if i == 0:
                _y_axis(ax, column, scale, lab, means)
        _decorate(fig, axes[0], True, _title(column, lab), _footnote(table, list(keys), "each dot: one point, mean and "
                                                                                "95% CI"))
    return fig


def save_sweep_plots(table: pd.DataFrame, design: SweepDesign, folder: Path, metrics: Sequence[str] | None = None,
                     date: str | None = None) -> list[Path]:
    """Write the figures of each metric at ``date`` as PNG (dpi 120) into ``folder``.

    A grid gets the metric against its first key (one line per value of the second, if any) and, with
    two keys or more, a heatmap over the first two; a Latin hypercube gets :func:`metric_by_point`.

    Args:
        metrics: metric names (default: the headline metrics the table holds at ``date``).
        date: a snapshot date (default: the last one).

    Raises:
        ValueError: a metric is not in the table at ``date``.
    """
    columns = plot_columns(table, metrics, date)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for column in columns:
        for kind, fig in _figures(table, design, column).items():
            metric, when = split_column(column)
            path = folder / f"{metric}_{when}_{kind}.png"
            fig.savefig(path, dpi=120)
            fig.clear()
            written.append(path)
    return written


def plot_columns(table: pd.DataFrame, metrics: Sequence[str] | None, date: str | None) -> list[str]:
    """The ``metric@date`` columns to draw.

    Raises:
        ValueError: a metric is not in the table at that date (the message lists those that are).
    """
    from cadresim.measures.metrics import HEADLINE

    present = metric_columns(table)
    if not present:
        raise ValueError("the sweep holds no metric values (did every run fail? see the error column)")
    when = date or max((split_column(c)[1] for c in present), key=dates.parse)
    at_date = [split_column(c)[0] for c in present if split_column(c)[1] == when]
    if not at_date:
        raise ValueError(f"no metric at {when}; snapshot dates: {sorted({split_column(c)[1] for c in present})}")
    wanted = list(metrics) if metrics else [m for m in HEADLINE if m in at_date]
    missing = [m for m in wanted if m not in at_date]
    if missing:
        raise ValueError(f"not in the sweep at {when}: {', '.join(missing)}; metrics there: {', '.join(at_date)}")
    return [metric_column(m, when) for m in wanted]


def _figures(table: pd.DataFrame, design: SweepDesign, column: str) -> dict[str, Figure]:
    keys = list(design.keys)
    if design.kind != "grid":
        return {"points": metric_by_point(table, column, keys)}
    figures = {"line": metric_vs_parameter(table, column, keys[0], keys[1] if len(keys) > 1 else None)}
    if len(keys) > 1:
        figures["heatmap"] = heatmap(table, column, keys[0], keys[1])
    return figures


# --- helpers ---------------------------------------------------------------------------------------


def _require(table: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"not in the sweep table: {', '.join(missing)}")


def _single(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw in, and whether the figure is ours (to title and annotate)."""
    if ax is not None:
        return ax.get_figure(), ax, False
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot(), True


def _decorate(fig: Figure, ax: Axes, own: bool, title: str, note: str) -> None:
    """A figure of ours gets the title on top and the note below, both wrapped to its width; a
    caller's axes get the title only."""
    if not own:
        ax.set_title(textwrap.fill(title, 60), loc="left")
        return
    width = fig.get_figwidth()
    fig.suptitle(textwrap.fill(title, int(width * 8.5)), x=0.02, ha="left")
    fig.supxlabel(textwrap.fill(note, int(width * 14)), x=0.02, ha="left", fontsize=8, color="#555555")


def _scale(column: str) -> float:
    return 100.0 if metric_unit(split_column(column)[0]) == "unit_percent" else 1.0


def _numeric(values: pd.Series) -> bool:
    return all(isinstance(v, Number) and not isinstance(v, bool) for v in values.dropna())


def _order(value: object) -> tuple:
    return (0, value, "") if isinstance(value, Number) and not isinstance(value, bool) else (1, 0, str(value))


def _positions(values: pd.Series) -> tuple[dict, list | None]:
    """x position of each value: the value itself when numeric, else its rank (with tick labels)."""
    levels = sorted(values.dropna().unique(), key=_order)
    if _numeric(values):
        return {v: float(v) for v in levels}, None
    return {v: float(i) for i, v in enumerate(levels)}, [_value(v) for v in levels]


def _line(ax: Axes, rows: pd.DataFrame, x: str, positions: dict, scale: float, colour, label: str | None) -> None:
    rows = rows.assign(pos=rows[x].map(positions)).sort_values("pos")
    pos = rows["pos"].to_numpy(float)
    ax.fill_between(pos, rows["ci95_low"].to_numpy(float) * scale, rows["ci95_high"].to_numpy(float) * scale,
                    color=colour, alpha=BAND_ALPHA, lw=0)
    ax.plot(pos, rows["mean"].to_numpy(float) * scale, "o-", color=colour, lw=1.8, ms=5, label=label)


def _colours(n: int) -> list:
    if n == 1:
        return ["#333333"]
    cmap = mpl.colormaps[CMAP]
    return [cmap(v) for v in np.linspace(0.0, 0.85, n)]


def _x_axis(ax: Axes, key: str, positions: dict, ticks: list | None) -> None:
    ax.set_xlabel(_key_text(key, 70))
    if ticks is not None:
        ax.set_xticks(list(positions.values()), ticks)
    elif len(positions) <= 8:
        ax.set_xticks(list(positions.values()), [_value(v) for v in positions])


def _y_axis(ax: Axes, column: str, scale: float, lab: Mapping[str, str], means: pd.DataFrame) -> None:
    """The metric's unit; limits with room for every point and band, ticks within the metric's range,
    labels that never read alike."""
    metric = split_column(column)[0]
    ax.set_ylabel(lab[metric_unit(metric)])
    values = means[["mean", "ci95_low", "ci95_high"]].to_numpy(float).ravel() * scale
    low, high = bounds(metric)
    value_axis(ax, values, (low * scale, high * scale), "%" if scale == 100.0 else "")


def _key_text(key: str, width: int) -> str:
    """A swept key as readers read it (its section and meaning), wrapped to ``width``."""
    return textwrap.fill(setting_label(key), width)


def _annotate(ax: Axes, grid: np.ndarray, low: np.ndarray, high: np.ndarray, image, places: int,
              percent: bool) -> None:
    """Each cell's mean and, below it, its 95% CI (none where every replication agrees)."""
    unit = "%" if percent else ""
    for (i, j), value in np.ndenumerate(grid):
        if np.isnan(value):
            continue
        r, g, b, _ = image.cmap(image.norm(value))
        colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        text = f"{_number(value, places)}{unit}"
        if np.isfinite(low[i, j]) and high[i, j] - low[i, j] > 1e-9:
            text += f"\n{_number(low[i, j], places)}–{_number(high[i, j], places)}"
        ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=9)


def _number(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace("-", "\u2212")


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _title(column: str, lab: Mapping[str, str]) -> str:
    metric, date = split_column(column)
    return f"{metric_label(metric, lab)}, {date_text(date, lab)}"


def _footnote(table: pd.DataFrame, shown: Sequence[str], what: str = "line: mean; band: 95% CI") -> str:
    keys = [c for c in table.columns if c not in ("run_id", "replication", "seed", "error") and "@" not in c]
    others = [k for k in keys if k not in shown]
    reps = table.groupby("run_id")["replication"].nunique().max()
    note = f"{what}; {reps} replications per point (paired: replication i draws the same numbers at every point)"
    if others:
        note += f"; averaged over {'; '.join(setting_label(k) for k in others)}"
    return note
