"""Figures of decision support: tables in, matplotlib Figures out (built without pyplot).

:func:`morris_plot` draws mu* against sigma per factor (mu* with its 95% interval), :func:`sobol_plot`
first-order and total indices as bars with 95% intervals, and :func:`target_plot` the points a target
search tried (the metric's mean and 95% interval against the lever, the goal, the answer).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cadresim.report.labels import LABELS, metric_label
from cadresim.report.setting_labels import setting_label
from cadresim.report.style import STYLE

NOISE_COLOUR, MAIN_COLOUR = "0.6", "C0"


def _name(factor: str, labels: Mapping[str, str]) -> str:
    """A factor as the axes read it: the setting's label and its key."""
    if factor == "(dummy)":
        return factor
    label = setting_label(factor)
    return factor if label == factor else f"{label}\n({factor})"


def save(fig: Figure, path) -> None:
    """Write a figure as PNG with the house style."""
    with mpl.rc_context(STYLE):
        fig.savefig(path, dpi=120, format="png")


def morris_plot(indices: pd.DataFrame, title: str, labels: Mapping[str, str] = LABELS) -> Figure:
    """mu* (x, with its 95% interval) against sigma (y), one labelled point per factor."""
    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    ax = fig.add_subplot()
    for _, r in indices.iterrows():
        colour = MAIN_COLOUR if r["above_noise"] else NOISE_COLOUR
        ax.errorbar(r["mu_star"], r["sigma"], xerr=r["mu_star_conf"], fmt="o", color=colour, capsize=3)
        ax.annotate(_name(r["factor"], labels), (r["mu_star"], r["sigma"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    top = float(np.nanmax(indices[["mu_star", "sigma"]].to_numpy())) if len(indices) else 1.0
    ax.plot([0, top], [0, top], ls=":", color=NOISE_COLOUR, lw=1)
    ax.set_xlabel("μ* (mean |elementary effect| over the whole range), 95% interval")
    ax.set_ylabel("σ (spread of the effects: interaction or non-linearity)")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    return fig


def sobol_plot(indices: pd.DataFrame, title: str, labels: Mapping[str, str] = LABELS) -> Figure:
    """First-order (S1) and total (ST) indices per factor, bars with 95% intervals."""
    fig = Figure(figsize=(7.5, 0.5 * len(indices) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(indices))
    ax.barh(y - 0.2, indices["S1"], 0.4, xerr=indices["S1_conf"], label="first order S1", color=MAIN_COLOUR,
            capsize=3)
    ax.barh(y + 0.2, indices["ST"], 0.4, xerr=indices["ST_conf"], label="total ST", color=NOISE_COLOUR, capsize=3)
    ax.set_yticks(y, [_name(f, labels) for f in indices["factor"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of the metric's variance, 95% interval")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return fig


def target_plot(points: pd.DataFrame, key: str, metric: str, threshold: float, answer: float | None,
                labels: Mapping[str, str] = LABELS) -> Figure:
    """The metric's mean and 95% interval at every value tried (grid and bisection), the goal's threshold
    and the answer."""
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    for stage, marker in (("grid", "o"), ("bisection", "s")):
        at = points[points["stage"] == stage]
        err = np.vstack([at["mean"] - at["ci95_low"], at["ci95_high"] - at["mean"]]).clip(min=0)
        ax.errorbar(at["value"], at["mean"], yerr=np.nan_to_num(err), fmt=marker, capsize=3, label=stage,
                    color=MAIN_COLOUR if stage == "grid" else "C1")
    ax.axhline(threshold, ls="--", color=NOISE_COLOUR, label=f"goal {threshold:g}")
    if answer is not None:
        ax.axvline(answer, ls=":", color="C3", label=f"answer {answer:g}")
    ax.set_xlabel(_name(key, labels))
    ax.set_ylabel(metric_label(metric, labels) + " (mean, 95% interval)")
    ax.legend(fontsize=8)
    return fig
