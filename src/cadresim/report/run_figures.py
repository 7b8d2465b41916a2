"""Figures of one run for an official's reading: the run's tables in, matplotlib Figures out.

Each function takes tables the run writes (timeseries, summary, ages, eligibility; see the README's
results folder) and returns a :class:`matplotlib.figure.Figure`; :func:`binding_rules`, a single
panel, can also draw into a given ``ax``. :func:`save_all` writes the four standard figures of a
results folder. Nothing here touches pyplot's global state, opens a window or prints.

Every string a reader sees comes from :mod:`cadresim.report.labels` (pass ``labels`` to translate;
keys left out fall back to English); colours and bands from :mod:`cadresim.report.style`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cadresim import dates
from cadresim.measures import kinds
from cadresim.report.labels import (LABELS, date_text, decade_key, grade_label, metric_decade, metric_label,
                                    metric_unit, with_defaults)
from cadresim.report.style import (RULE_COLOURS, SEX_COLOURS, STYLE, decade_colour, is_bottom, ladder_order,
                                   last_date, mean_band, panel_grid, single_panel, times, year_axis)
from cadresim.report.scales import value_axis
from cadresim.report.tracks import leading, nonleading_by_rank, rank_key
from cadresim.rules.eligibility import RULES

#: The grades of the pipeline figures, bottom to top.
PIPELINE_GRADES = ["deputy_section", "section", "deputy_division", "division"]


def pipeline_stocks(timeseries: pd.DataFrame, grades: list[str], grade_labels: Mapping[str, str] | None = None,
                    labels: Mapping[str, str] = LABELS, title: str = "title_pipeline",
                    axis: str = "axis_cadres_in_post") -> Figure:
    """One panel per grade: cadres in post by birth decade over time, with 95% bands (``title`` and
    ``axis``: label keys, for the non-leading ranks' figure)."""
    lab = with_defaults(labels)
    with mpl.rc_context(STYLE):
        band = mean_band(timeseries[timeseries["grade"].isin(grades)], ["grade", "date", "birth_decade"], "count",
                         replications=timeseries["replication"].unique())
        band["time"] = times(band["date"])
        fig, axes = panel_grid(len(grades), panel=(5.4, 3.4))
        drawn: set[int] = set()
        for i, (ax, grade) in enumerate(zip(axes, grades)):
            drawn |= _stock_panel(ax, band[band["grade"] == grade], grade_label(grade, grade_labels, lab),
                                  lab[axis])
            year_axis(ax, band["time"], lab["axis_year"] if is_bottom(i, len(grades), axes) else None)
        n = timeseries["replication"].nunique()
        fig.suptitle(lab[title].format(n=n))
        _decade_legend(fig, sorted(drawn), lab)
    return fig


def _stock_panel(ax: Axes, band: pd.DataFrame, title: str, ylabel: str) -> set[int]:
    """Draw one grade's decades; returns the decades drawn (those not zero throughout)."""
    drawn = set()
    for decade, rows in band.groupby("birth_decade"):
        if not rows["mean"].any():
            continue
        rows = rows.sort_values("time")
        colour = decade_colour(decade)
        ax.fill_between(rows["time"].to_numpy(), rows["low"], rows["high"], color=colour,
                        alpha=0.2, lw=0)
        ax.plot(rows["time"].to_numpy(), rows["mean"], color=colour, lw=2)
        drawn.add(int(decade))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return drawn


def headline_metrics(summary: pd.DataFrame, metrics: list[str], labels: Mapping[str, str] = LABELS) -> Figure:
    """Small multiples, one per metric present: mean and 95% CI at each snapshot date.

    The snapshot dates are categories on the x axis (a run has a few, years apart), and each value
    axis leaves room for dots at its bounds (0, 100%).

    Raises:
        ValueError: when none of ``metrics`` is in ``summary``.
    """
    lab = with_defaults(labels)
    present = [m for m in metrics if m in set(summary["metric"])]
    if not present:
        raise ValueError(f"none of the metrics {metrics} is in the summary table")
    when = sorted(summary.loc[summary["metric"].isin(present), "date"].unique(), key=dates.parse)
    with mpl.rc_context(STYLE):
        fig, axes = panel_grid(len(present), panel=(min(4.6, 2.4 + 0.6 * len(when)), 3.2))
        for i, (ax, metric) in enumerate(zip(axes, present)):
            _metric_panel(ax, summary[summary["metric"] == metric], metric, when, lab)
            ax.set_xlabel(lab["axis_snapshot"] if is_bottom(i, len(present), axes) else "")
        fig.suptitle(textwrap.fill(lab["title_headline"].format(n=int(summary["n"].max())),
                                   int(7.5 * fig.get_figwidth())))
    return fig


def _metric_panel(ax: Axes, rows: pd.DataFrame, metric: str, when: list[str], lab: Mapping[str, str]) -> None:
    """One metric: a dot and its 95% interval at each snapshot date (a category)."""
    position = {d: k for k, d in enumerate(when)}
    rows = rows.assign(x=rows["date"].map(position)).sort_values("x")
    unit = metric_unit(metric)
    scale = 100.0 if unit == "unit_percent" else 1.0
    mean, low, high = (rows[c].to_numpy(float) * scale for c in ("mean", "ci95_low", "ci95_high"))
    yerr = np.nan_to_num(np.vstack([mean - low, high - mean])).clip(min=0)
    colour = decade_colour(decade) if (decade := metric_decade(metric)) else "#333333"
    ax.errorbar(rows["x"].to_numpy(float), mean, yerr=yerr, fmt="o", color=colour, ms=6, capsize=4, lw=1.6)
    ax.set_title(textwrap.fill(metric_label(metric, lab), 40, break_on_hyphens=False))
    ax.set_ylabel(lab[unit])
    ax.set_xticks(range(len(when)), [date_text(d, lab) for d in when], rotation=0 if len(when) <= 4 else 45)
    ax.set_xlim(-0.5, len(when) - 0.5)
    ax.grid(axis="x", visible=False)
    low_bound, high_bound = kinds.bounds(metric)
    zero = [0.0] if low_bound == 0 else []  # counts and shares from zero, so that levels compare
    value_axis(ax, [*mean, *low, *high], (low_bound * scale, high_bound * scale), "%" if scale == 100.0 else "",
               include=zero, integer=kinds.kind(metric) == kinds.COUNT)


def age_pyramids(ages: pd.DataFrame, date: str, grades: list[str], grade_labels: Mapping[str, str] | None = None,
                 labels: Mapping[str, str] = LABELS) -> Figure:
    """One pyramid per grade at snapshot ``date``: mean cadres per age, men left, women right.

    Raises:
        ValueError: when ``ages`` has no rows at ``date``.
    """
    lab = with_defaults(labels)
    at = ages[ages["date"] == date]
    if at.empty:
        raise ValueError(f"no ages at {date}; dates are {sorted(ages['date'].unique())}")
    reps = ages["replication"].unique()
    with mpl.rc_context(STYLE):
        fig, axes = panel_grid(len(grades), panel=(4.2, 3.6), sharey=True)
        for i, (ax, grade) in enumerate(zip(axes, grades)):
            band = mean_band(at[at["grade"] == grade], ["female", "age"], "count", replications=reps)
            _pyramid_panel(ax, band, grade_label(grade, grade_labels, lab))
            ax.set_xlabel(lab["axis_cadres_per_age"] if is_bottom(i, len(grades), axes) else "")
            ax.set_ylabel(lab["axis_age"] if i % axes[0].get_gridspec().ncols == 0 else "")
        fig.suptitle(lab["title_pyramids"].format(date=date_text(date, lab), n=len(reps)))
        handles = [Patch(color=SEX_COLOURS[f], label=lab["women" if f else "men"]) for f in (False, True)]
        fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    return fig


def _pyramid_panel(ax: Axes, band: pd.DataFrame, title: str) -> None:
    for female, rows in band.groupby("female"):
        sign = 1 if female else -1
        ax.barh(rows["age"], sign * rows["mean"], height=0.85, color=SEX_COLOURS[bool(female)], lw=0)
    widest = max(float(band["mean"].max()) if len(band) else 0.0, 0.5)
    ax.set_xlim(-1.1 * widest, 1.1 * widest)
    ax.axvline(0, color="0.2", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{abs(v):g}"))
    ax.grid(axis="y", visible=False)
    ax.set_title(title)


def binding_rules(eligibility: pd.DataFrame, date: str, grade: str, labels: Mapping[str, str] = LABELS,
                  grade_labels: Mapping[str, str] | None = None, ax: Axes | None = None) -> Figure:
    """For promotion into ``grade`` at ``date``, by birth decade: candidates (outline bar) and,
    stacked inside, those failing each rule and no other (the binding constraint).

    Raises:
        ValueError: when ``eligibility`` has no rows for ``grade`` at ``date``.
    """
    lab = with_defaults(labels)
    rows = eligibility[(eligibility["date"] == date) & (eligibility["grade"] == grade)]
    rows = rows[rows["rule"] != "any_rule"]  # the all-rules total, not a rule of its own
    if rows.empty:
        raise ValueError(f"no eligibility rows for grade {grade!r} at {date}")
    reps = eligibility["replication"].unique()
    fails = mean_band(rows, ["birth_decade", "rule"], "fail_alone", replications=reps)
    per_decade = rows.drop_duplicates(["replication", "birth_decade"])
    candidates = mean_band(per_decade, ["birth_decade"], "candidates", replications=reps).set_index("birth_decade")
    with mpl.rc_context(STYLE):
        fig, ax = single_panel(ax, figsize=(10, 5.2))
        decades = sorted(candidates.index)
        _binding_bars(ax, candidates["mean"].reindex(decades), fails, decades, lab)
        ax.set_title(lab["title_binding"].format(grade=grade_label(grade, grade_labels, lab),
                                                 date=date_text(date, lab), n=len(reps)), loc="left")
        ax.set_xticks(range(len(decades)), [lab.get(decade_key(d), str(d)) for d in decades])
        ax.set_xlabel(lab["axis_birth_decade"])
        ax.set_ylabel(lab["axis_candidates"])
        ax.grid(axis="x", visible=False)
    return fig


def _binding_bars(ax: Axes, candidates: pd.Series, fails: pd.DataFrame, decades: list[int],
                  lab: Mapping[str, str]) -> None:
    x = np.arange(len(decades))
    outline = ax.bar(x, candidates.to_numpy(), width=0.8, fill=False, edgecolor="0.3", lw=1.4)
    ax.bar_label(outline, fmt="%.0f", padding=2, color="0.3")
    bottom, handles = np.zeros(len(decades)), []
    present = [r for r in RULES if r in set(fails["rule"])] + sorted(set(fails["rule"]) - set(RULES))
    for rule in present:
        height = fails[fails["rule"] == rule].set_index("birth_decade")["mean"].reindex(decades, fill_value=0)
        if not height.any():
            continue
        bars = ax.bar(x, height.to_numpy(), width=0.5, bottom=bottom, color=RULE_COLOURS.get(rule, "#BBBBBB"),
                      edgecolor="white", lw=0.6, label=lab.get(rule, rule.replace("_", " ")))
        handles.insert(0, bars)  # legend top to bottom as the stack
        bottom += height.to_numpy()
    ax.set_ylim(0, max(float(candidates.max()), 1.0) * 1.12)
    first = ax.legend([outline], [lab["legend_candidates"]], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      frameon=False)
    ax.add_artist(first)
    if handles:
        ax.legend(handles=handles, title=lab["legend_binding"], loc="upper left", bbox_to_anchor=(1.01, 0.84),
                  frameon=False, alignment="left")


def save_all(tables: dict[str, pd.DataFrame], folder: Path, headline: list[str], grade_labels: dict[str, str],
             labels: Mapping[str, str] = LABELS) -> list[Path]:
    """Write the four standard figures as PNG (dpi 120) into ``folder``.

    A figure whose table is missing or empty is skipped.

    Returns:
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in _plans(tables, headline, grade_labels, labels).items():
        fig = build()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=120)
        fig.clear()  # not registered with pyplot: clearing releases it, nothing to close
        written.append(path)
    return written


def _plans(tables: Mapping[str, pd.DataFrame], headline: list[str], grade_labels: dict[str, str],
           labels: Mapping[str, str]) -> dict[str, Callable[[], Figure]]:
    """The figures that the tables at hand allow, each as a builder."""
    plans: dict[str, Callable[[], Figure]] = {}
    ts, summary, ages, elig = (_table(tables, k) for k in ("timeseries", "summary", "ages", "eligibility"))
    ranks = None if ts is None else _table({"ranks": nonleading_by_rank(ts)}, "ranks")
    ts, ages, elig = (None if t is None else _table({"t": leading(t)}, "t") for t in (ts, ages, elig))
    if ts is not None and (stocked := [g for g in PIPELINE_GRADES if g in set(ts["grade"])]):
        plans["pipeline_stocks"] = partial(pipeline_stocks, ts, stocked, grade_labels, labels)
    if ranks is not None:
        held = [rank_key(g) for g in PIPELINE_GRADES if rank_key(g) in set(ranks["grade"])]
        plans["nonleading_stocks"] = partial(pipeline_stocks, ranks, held, grade_labels, labels,
                                             "title_nonleading", "axis_rank_holders")
    if summary is not None and set(headline) & set(summary["metric"]):
        plans["headline_metrics"] = partial(headline_metrics, summary, headline, labels)
    if ages is not None:
        last = last_date(ages)
        grades = ladder_order(ages.loc[ages["date"] == last, "grade"], grade_labels)
        plans["age_pyramids"] = partial(age_pyramids, ages, last, grades, grade_labels, labels)
    if elig is not None:
        last = last_date(elig)
        present = ladder_order(elig.loc[elig["date"] == last, "grade"], grade_labels)
        target = "deputy_division" if "deputy_division" in present else present[-1]
        plans["binding_rules"] = partial(binding_rules, elig, last, target, labels, grade_labels)
    return plans


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    table = tables.get(name)
    return None if table is None or table.empty else table


def _decade_legend(fig: Figure, decades: list[int], lab: Mapping[str, str]) -> None:
    handles = [Line2D([], [], color=decade_colour(d), lw=2.5, label=lab.get(decade_key(d), f"born {d}s"))
               for d in decades]
    fig.legend(handles=handles, loc="outside lower center", ncols=max(len(handles), 1), frameon=False)
