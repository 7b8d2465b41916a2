"""Checks that catch a misleading figure, shared by the figure tests: tick labels that read alike, markers
cut by the axes, colour scales narrower than the values' rounding, raw dotted keys where a label belongs."""

from __future__ import annotations

import re

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

#: A scenario key as a file writes it (``youth_talent.cohorts.c2.size``): not a label for readers.
DOTTED_KEY = re.compile(r"\b[a-z_]+\.[a-z_0-9]+\.[a-z_0-9.]+\b")


def drawn(fig: Figure) -> Figure:
    """``fig`` after a draw (ticks, limits and texts are final only then)."""
    fig.canvas.draw()
    return fig


def y_tick_labels(ax: Axes) -> list[str]:
    """The y tick labels shown within the axis limits."""
    low, high = sorted(ax.get_ylim())
    return [t.get_text() for t, v in zip(ax.get_yticklabels(), ax.get_yticks()) if low <= v <= high and t.get_text()]


def assert_distinct_y_ticks(fig: Figure) -> None:
    """No two y tick labels of an axis read alike (the sweep's "100%, 100%, 99%, 99%" axis)."""
    for ax in drawn(fig).axes:
        labels = y_tick_labels(ax)
        assert len(labels) == len(set(labels)), f"{ax.get_title()!r}: y ticks read alike: {labels}"


def assert_markers_whole(fig: Figure) -> None:
    """Every marker (dots and error-bar caps) lies inside its axes by at least its radius, so none is cut
    (the dots at 0% and 100% of the headline figure)."""
    fig = drawn(fig)
    for ax in fig.axes:
        box = ax.get_window_extent()
        for line in ax.get_lines():
            if not _has_marker(line):
                continue
            points = np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
            points = points[np.isfinite(points).all(axis=1)]
            radius = line.get_markersize() / 2 * fig.dpi / 72
            for x, y in ax.transData.transform(points) if len(points) else []:
                assert box.y0 + radius - 0.5 <= y <= box.y1 - radius + 0.5, (
                    f"{ax.get_title()!r}: a marker at y={y:.0f} px is cut by the axes ({box.y0:.0f} to {box.y1:.0f})")
                assert box.x0 + radius - 0.5 <= x <= box.x1 - radius + 0.5, f"{ax.get_title()!r}: marker cut at x"


def _has_marker(line: Line2D) -> bool:
    return line.get_visible() and line.get_marker() not in (None, "", "None", " ") and line.get_markersize() > 0


def assert_labels_not_keys(fig: Figure) -> None:
    """Axis labels, titles and legend titles are words, not dotted scenario keys."""
    texts = [t.get_text() for t in drawn(fig).findobj(Text)]
    keys = [t for t in texts if DOTTED_KEY.search(t)]
    assert not keys, f"raw keys where labels belong: {keys}"


def colour_span(ax: Axes) -> float:
    """The span of the colour scale of the first image of ``ax``."""
    image = ax.get_images()[0]
    return float(image.norm.vmax - image.norm.vmin)


def cell_texts(ax: Axes) -> list[str]:
    """The first line (the value) of each annotated heat-map cell."""
    return [t.get_text().split("\n")[0] for t in ax.texts]
