"""Figures of several scenarios side by side (``cadresim compare``): tidy tables in, Figures out.

These take tidy tables with a ``scenario`` column (rows of every scenario) and ``scenarios``, the
scenario names in display order, baseline first. A scenario keeps one colour and line style in every
figure; a birth decade keeps its colour where decades are the colours
(:mod:`cadresim.report.style`). Every string a reader sees comes from :mod:`cadresim.report.labels`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from cadresim import dates
from cadresim.report.labels import (LABELS, YOUTH_PREFIX, date_text, decade_key, grade_label, metric_label,
                                    metric_unit, scenario_text, with_defaults)
from cadresim.report.scales import value_axis
from cadresim.report.style import (ELIGIBLE_COLOUR, RULE_COLOURS, SEVERAL_COLOUR, STYLE, decade_colour,
                                   panel_grid, scenario_bands, scenario_style, single_panel, times, year_axis)
from cadresim.rules.eligibility import RULES


def differences_forest(comparison: pd.DataFrame, metrics: list[str], scenarios: list[str],
                       labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per metric: each scenario's difference from the baseline, mean and 95% CI, per date.

    ``comparison`` has columns metric, date, scenario, diff, diff_ci95_low, diff_ci95_high and paired.
    Dates where every difference is exactly zero (the shared start) are left out. A filled marker is
    a paired difference, an open one an unpaired (Welch) difference.

    Raises:
        ValueError: when no metric of ``metrics`` has a difference to show.
    """
    lab = with_defaults(labels)
    rows = _forest_rows(comparison, metrics, scenarios)
    present = [m for m in metrics if m in set(rows["metric"])]
    if not present:
        raise ValueError(f"no differences from the baseline to show for {metrics}")
    ticks = list(dict.fromkeys(zip(rows["date"], rows["scenario"])))
    many_dates = rows["date"].nunique() > 1
    with mpl.rc_context(STYLE):
        fig, axes = panel_grid(len(present), panel=(4.6, 0.45 * len(ticks) + 1.7), sharey=True)
        for i, (ax, metric) in enumerate(zip(axes, present)):
            _forest_panel(ax, rows[rows["metric"] == metric], ticks, scenarios, metric, lab)
        names = [_tick_text(s, d, many_dates, lab) for d, s in ticks]
        axes[0].set_yticks(range(len(ticks)), names)
        axes[0].set_ylim(len(ticks) - 0.5, -0.5)
        fig.suptitle(lab["title_forest"].format(baseline=scenario_text(scenarios[0], lab)))
        _paired_legend(fig, rows, lab)
    return fig


def _forest_rows(comparison: pd.DataFrame, metrics: list[str], scenarios: list[str]) -> pd.DataFrame:
    rows = comparison[comparison["metric"].isin(metrics) & comparison["scenario"].isin(scenarios[1:])]
    rows = rows[rows["diff"].notna()]
    spread = (rows["diff"].abs() + (rows["diff_ci95_high"] - rows["diff_ci95_low"]).fillna(0)) > 1e-9
    rows = rows[spread.groupby(rows["date"]).transform("any")]  # not where all runs agree (up to rounding)
    order = {s: i for i, s in enumerate(scenarios)}
    return rows.assign(_t=rows["date"].map(dates.parse), _s=rows["scenario"].map(order)).sort_values(["_t", "_s"])


def _forest_panel(ax: Axes, rows: pd.DataFrame, ticks: list[tuple[str, str]], scenarios: list[str], metric: str,
                  lab: Mapping[str, str]) -> None:
    scale = 100.0 if metric_unit(metric) == "unit_percent" else 1.0
    pos = {t: k for k, t in enumerate(ticks)}
    for _, r in rows.iterrows():
        y, style = pos[(r["date"], r["scenario"])], scenario_style(scenarios.index(r["scenario"]))
        mean, low, high = (scale * r[c] for c in ("diff", "diff_ci95_low", "diff_ci95_high"))
        if np.isfinite(low) and np.isfinite(high):
            ax.plot([low, high], [y, y], color=style["color"], lw=2, solid_capstyle="butt")
        face = style["color"] if _is_paired(r["paired"]) else "white"
        ax.plot([mean], [y], "o", ms=8, mfc=face, mec=style["color"], mew=1.8)
        ax.annotate(f"{mean:+.{_digits(mean, low, high)}f}", (mean, y), xytext=(0, 7), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8.5, color=style["color"])
    ax.axvline(0, color="0.3", lw=1, zorder=0)
    reach = np.nanmax(np.abs(scale * rows[["diff", "diff_ci95_low", "diff_ci95_high"]].to_numpy(float)), initial=0)
    reach = reach * 1.15 if reach > 0 else 1.0
    ax.set_xlim(-reach, reach)
    ax.set_title(textwrap.fill(metric_label(metric, lab), 40))
    ax.set_xlabel(lab["unit_points"] if scale == 100.0 else lab[metric_unit(metric)])
    ax.grid(axis="y", visible=False)


def _digits(*values: float) -> int:
    """Decimals that show the spread of ``values``: 1, or 2 when they are all within 1 of zero."""
    finite = [abs(v) for v in values if np.isfinite(v)]
    return 2 if finite and max(finite) < 1 else 1


def _is_paired(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _tick_text(scenario: str, date: str, many_dates: bool, lab: Mapping[str, str]) -> str:
    name = textwrap.fill(scenario_text(scenario, lab), 24)
    return f"{name}\n{date_text(date, lab)}" if many_dates else name


def _paired_legend(fig: Figure, rows: pd.DataFrame, lab: Mapping[str, str]) -> None:
    kinds = {_is_paired(p) for p in rows["paired"]}
    handles = [Line2D([], [], ls="", marker="o", ms=8, mfc="0.3" if paired else "white", mec="0.3", mew=1.8,
                      label=lab["marker_paired" if paired else "marker_unpaired"])
               for paired in sorted(kinds, reverse=True)]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)


def pipeline_compare(timeseries: pd.DataFrame, scenarios: list[str], grades: list[str],
                     grade_labels: Mapping[str, str] | None = None, labels: Mapping[str, str] = LABELS,
                     reshuffles: Iterable[str] = (), title: str = "title_pipeline_compare") -> Figure:
    """Grades in rows (highest on top), birth decades in columns: cadres in post over time, every
    scenario overlaid (mean and 95% band). Decades that never reach one cadre on average are left out.
    ``title``: its label key (the non-leading ranks' figure has its own)."""
    lab = with_defaults(labels)
    ts = timeseries[timeseries["grade"].isin(grades)]
    band = scenario_bands(ts, scenarios, ["grade", "date", "birth_decade"], "count")
    band["time"] = times(band["date"])
    decades = sorted(d for d, g in band.groupby("birth_decade") if g["mean"].max() >= 1.0)
    rows = list(reversed(grades))
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(3.3 * len(decades) + 0.8, 2.3 * len(rows) + 1.4), layout="constrained")
        axes = fig.subplots(len(rows), len(decades), squeeze=False, sharex=True)
        for (r, grade), (c, decade) in ((rg, cd) for rg in enumerate(rows) for cd in enumerate(decades)):
            ax = axes[r][c]
            here = band[(band["grade"] == grade) & (band["birth_decade"] == decade)]
            _overlay_panel(ax, here, scenarios, reshuffles, lab["none"])
            year_axis(ax, band["time"], lab["axis_year"] if r == len(rows) - 1 else None)
            if r == 0:
                ax.set_title(lab.get(decade_key(decade), str(decade)), color=decade_colour(decade),
                             fontweight="bold")
            if c == 0:
                ax.set_ylabel(grade_label(grade, grade_labels, lab), fontweight="bold")
        fig.suptitle(lab[title])
        _scenario_legend(fig, scenarios, lab, reshuffles)
    return fig


def _overlay_panel(ax: Axes, band: pd.DataFrame, scenarios: list[str], reshuffles: Iterable[str],
                   none: str = "") -> None:
    for i, scenario in enumerate(scenarios):
        rows = band[band["scenario"] == scenario].sort_values("time")
        style = scenario_style(i)
        t = rows["time"].to_numpy()
        ax.fill_between(t, rows["low"], rows["high"], color=style["color"], alpha=0.15, lw=0)
        ax.plot(t, rows["mean"], color=style["color"], ls=style["ls"], lw=1.8)
    for date in reshuffles:
        ax.axvline(times(pd.Series([date])).iloc[0], color="0.5", lw=0.9, ls=":", zorder=0)
    if band.empty or band["mean"].max() < 0.5:
        ax.text(0.5, 0.5, none, transform=ax.transAxes, ha="center", va="center", color="0.5")
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 2.0))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))


def _scenario_legend(fig: Figure, scenarios: list[str], lab: Mapping[str, str], reshuffles: Iterable[str] = ()) -> None:
    handles = [Line2D([], [], lw=2.2, label=_scenario_name(s, i, lab), **scenario_style(i))
               for i, s in enumerate(scenarios)]
    if list(reshuffles):
        handles.append(Line2D([], [], color="0.5", lw=0.9, ls=":", label=lab["reshuffle"]))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)


def _scenario_name(scenario: str, i: int, lab: Mapping[str, str]) -> str:
    name = scenario_text(scenario, lab)
    return lab["baseline_suffix"].format(name=name) if i == 0 and scenario != "baseline" else name


def grade_mix(timeseries: pd.DataFrame, date: str, scenarios: list[str], grades: list[str],
              grade_labels: Mapping[str, str] | None = None, labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per grade (highest on top), one bar per scenario: the birth-decade shares of the
    grade's cadres at ``date`` (mean over replications), shares of 7% or more written in.

    Raises:
        ValueError: when ``timeseries`` has no rows at ``date``.
    """
    lab = with_defaults(labels)
    at = timeseries[(timeseries["date"] == date) & timeseries["grade"].isin(grades)]
    if at.empty:
        raise ValueError(f"no stocks at {date}")
    band = scenario_bands(at, scenarios, ["grade", "birth_decade"], "count")
    decades = sorted(band.loc[band["mean"] > 0, "birth_decade"].unique())
    rows = [g for g in reversed(grades) if g in set(at["grade"])]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, (0.42 * len(scenarios) + 0.55) * len(rows) + 1.3), layout="constrained")
        axes = fig.subplots(len(rows), 1, squeeze=False, sharex=True).ravel()
        for ax, grade in zip(axes, rows):
            _mix_panel(ax, band[band["grade"] == grade], scenarios, decades, lab)
            ax.set_title(grade_label(grade, grade_labels, lab), loc="left", fontweight="bold")
        axes[-1].xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        axes[-1].set_xlabel(lab["axis_share_of_grade"])
        fig.suptitle(lab["title_grade_mix"].format(date=date_text(date, lab)))
        handles = [Patch(color=decade_colour(d), label=lab.get(decade_key(d), str(d))) for d in decades]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


def _mix_panel(ax: Axes, band: pd.DataFrame, scenarios: list[str], decades: list[int],
               lab: Mapping[str, str] = LABELS) -> None:
    y = np.arange(len(scenarios))
    means = band.pivot_table(index="scenario", columns="birth_decade", values="mean", aggfunc="sum")
    shares = means.reindex(index=scenarios, columns=decades, fill_value=0).fillna(0)
    shares = shares.div(shares.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
    left = np.zeros(len(scenarios))
    for decade in decades:
        width = shares[decade].to_numpy()
        ax.barh(y, width, left=left, height=0.7, color=decade_colour(decade), edgecolor="white", lw=0.8)
        for k, (w, x) in enumerate(zip(width, left)):
            if w >= 0.045:
                ink = "white" if decade_colour(decade) in ("#000000", "#0072B2", "#D55E00", "#CC79A7") else "black"
                ax.text(x + w / 2, k, f"{w:.0%}", ha="center", va="center", fontsize=8.5, color=ink)
        left += width
    ax.set_yticks(y, [textwrap.fill(scenario_text(s, lab), 28) for s in scenarios])
    ax.set_ylim(len(scenarios) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.grid(axis="y", visible=False)


def eligible_pool(pool: pd.DataFrame, scenarios: list[str], labels: Mapping[str, str] = LABELS,
                  reshuffles: Iterable[str] = (), grade: str = "deputy_division", decade: int = 1980) -> Figure:
    """The cadres born in ``decade`` eligible for promotion into ``grade`` over time, every scenario
    overlaid (mean and 95% band); dotted lines at the reshuffles.

    Raises:
        ValueError: when ``pool`` has no candidates for ``grade``.
    """
    lab = with_defaults(labels)
    rows = pool[pool["grade"] == grade]
    if rows.empty:
        raise ValueError(f"no pool rows for grade {grade!r}")
    band = scenario_bands(rows.assign(eligible=rows["eligible"].where(rows["birth_decade"] == decade, 0)),
                          scenarios, ["date"], "eligible")
    band["time"] = times(band["date"])
    with mpl.rc_context(STYLE):
        fig, ax = single_panel(None, figsize=(10, 5.0))
        _overlay_panel(ax, band, scenarios, reshuffles)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        year_axis(ax, band["time"], lab["axis_year"])
        ax.set_ylabel(lab["axis_eligible"])
        ax.set_title(textwrap.fill(lab["title_pool"], 115), loc="left")
        _scenario_legend(fig, scenarios, lab, reshuffles)
    return fig


def binding_compare(eligibility: pd.DataFrame, date: str, grade: str, scenarios: list[str],
                    grade_labels: Mapping[str, str] | None = None, labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per birth decade (with at least one candidate on average), one bar per scenario: the
    candidates for promotion into ``grade`` at ``date``, split into eligible, failing exactly one rule
    (by rule: the binding constraint) and failing several.

    Raises:
        ValueError: when ``eligibility`` has no rows for ``grade`` at ``date``.
    """
    lab = with_defaults(labels)
    rows = eligibility[(eligibility["date"] == date) & (eligibility["grade"] == grade)]
    if rows.empty:
        raise ValueError(f"no eligibility rows for grade {grade!r} at {date}")
    parts = _binding_parts(rows, scenarios)
    totals = parts.groupby(["birth_decade", "scenario"])["mean"].sum()
    decades = sorted(d for d in totals.index.get_level_values(0).unique() if totals[d].max() >= 1.0)
    kinds = [k for k in ["eligible", *RULES, "several_rules"] if parts.loc[parts["part"] == k, "mean"].gt(0).any()]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(11, (0.42 * len(scenarios) + 0.6) * len(decades) + 1.6), layout="constrained")
        axes = fig.subplots(len(decades), 1, squeeze=False, sharex=True).ravel()
        for ax, decade in zip(axes, decades):
            _parts_panel(ax, parts[parts["birth_decade"] == decade], scenarios, kinds, lab)
            ax.set_title(lab.get(decade_key(decade), str(decade)), loc="left", color=decade_colour(decade),
                         fontweight="bold")
        axes[-1].set_xlabel(lab["axis_candidates"])
        widest = max([float(totals[d].max()) for d in decades] + [1.0])
        axes[-1].set_xlim(0, widest * 1.1)  # one scale for every decade (the axes share it)
        fig.suptitle(textwrap.fill(lab["title_binding_compare"].format(
            grade=grade_label(grade, grade_labels, lab), date=date_text(date, lab)), 110))
        fig.legend(handles=[Patch(label=lab.get(k, k), **_part_style(k)) for k in kinds], loc="outside lower center",
                   ncols=min(len(kinds), 4), frameon=False)
    return fig


def _binding_parts(rows: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Mean candidates per scenario and decade in each part: eligible, each rule alone, several rules."""
    key = ["scenario", "replication", "birth_decade"]
    total = rows[rows["rule"] == "any_rule"].set_index(key)
    alone = rows[rows["rule"] != "any_rule"]
    wide = alone.pivot_table(index=key, columns="rule", values="fail_alone", aggfunc="sum").reindex(total.index)
    wide = wide.fillna(0)
    wide["eligible"] = total["candidates"] - total["fail"]
    wide["several_rules"] = total["fail"] - wide[[c for c in wide.columns if c in set(alone["rule"])]].sum(axis=1)
    long = wide.reset_index().melt(id_vars=key, var_name="part", value_name="count")
    return scenario_bands(long, scenarios, ["birth_decade", "part"], "count")


def _part_style(kind: str) -> dict[str, object]:
    if kind == "eligible":
        return {"facecolor": ELIGIBLE_COLOUR, "edgecolor": "white"}
    if kind == "several_rules":
        return {"facecolor": SEVERAL_COLOUR, "edgecolor": "white", "hatch": "///"}
    return {"facecolor": RULE_COLOURS.get(kind, "#BBBBBB"), "edgecolor": "white"}


def _parts_panel(ax: Axes, parts: pd.DataFrame, scenarios: list[str], kinds: list[str],
                 lab: Mapping[str, str] = LABELS) -> None:
    y = np.arange(len(scenarios))
    wide = parts.pivot_table(index="scenario", columns="part", values="mean", aggfunc="sum")
    wide = wide.reindex(index=scenarios, columns=kinds).fillna(0)
    left = np.zeros(len(scenarios))
    for kind in kinds:
        ax.barh(y, wide[kind].to_numpy(), left=left, height=0.7, lw=0.6, **_part_style(kind))
        left += wide[kind].to_numpy()
    for k, total in enumerate(left):
        ax.text(total, k, f" {total:.0f}", va="center", ha="left", fontsize=9, color="0.25")
    ax.set_yticks(y, [textwrap.fill(scenario_text(s, lab), 28) for s in scenarios])
    ax.set_ylim(len(scenarios) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)


def youth_talent_compare(summary: pd.DataFrame, scenarios: list[str], labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per Youth Talent cohort: the share of members promoted at least once, per snapshot
    date and scenario (mean and 95% CI). ``summary`` has metric, date, scenario, mean, ci95_low/high.

    Raises:
        ValueError: when ``summary`` has no Youth Talent metric.
    """
    lab = with_defaults(labels)
    rows = summary[summary["metric"].str.startswith(YOUTH_PREFIX) & summary["scenario"].isin(scenarios)]
    if rows.empty:
        raise ValueError("no Youth Talent metrics in the summary")
    cohorts = sorted(rows["metric"].str.removeprefix(YOUTH_PREFIX).unique())
    dates_ = sorted(rows["date"].unique(), key=dates.parse)
    with mpl.rc_context(STYLE):
        fig, axes = panel_grid(len(cohorts), panel=(max(4.6, 1.3 * len(dates_) * len(scenarios) / 2), 3.6),
                          sharey=True)
        for ax, cohort in zip(axes, cohorts):
            _youth_panel(ax, rows[rows["metric"] == YOUTH_PREFIX + cohort], scenarios, dates_, lab)
            ax.set_title(lab["cohort"].format(cohort=cohort), fontweight="bold")
        axes[0].set_ylabel(lab["unit_percent"])
        shown = 100 * rows[["mean", "ci95_low", "ci95_high"]].to_numpy(float).ravel()
        value_axis(axes[0], shown, (0.0, 100.0), "%", include=[0.0])  # shared: room for dots at 0% and 100%
        fig.suptitle(textwrap.fill(lab["title_youth"], int(8 * fig.get_figwidth())))
        handles = [Line2D([], [], ls="", marker="o", ms=7, color=scenario_style(i)["color"],
                          label=_scenario_name(s, i, lab)) for i, s in enumerate(scenarios)]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


def _youth_panel(ax: Axes, rows: pd.DataFrame, scenarios: list[str], dates_: list[str],
                 lab: Mapping[str, str]) -> None:
    width, absent = 0.8 / max(len(scenarios), 1), 0
    for i, scenario in enumerate(scenarios):
        here = rows[rows["scenario"] == scenario].set_index("date")
        for k, date in enumerate(dates_):
            x = k - 0.4 + width * (i + 0.5)
            if date not in here.index:
                continue
            r = here.loc[date]
            mean, low, high = 100 * r["mean"], 100 * r["ci95_low"], 100 * r["ci95_high"]
            err = [[max(mean - low, 0)], [max(high - mean, 0)]] if np.isfinite(low) else None
            ax.errorbar([x], [mean], yerr=err, fmt="o", ms=6, capsize=3, color=scenario_style(i)["color"], lw=1.5)
        if here.empty:
            ax.text(0.03, 0.92 - 0.07 * absent, f"{scenario_text(scenario, lab)}: {lab['no_cohort']}",
                    transform=ax.transAxes,
                    ha="left", color=scenario_style(i)["color"], fontsize=9)
            absent += 1
    ax.set_xticks(range(len(dates_)), [date_text(d, lab) for d in dates_])
    ax.set_xlim(-0.6, len(dates_) - 0.4)
    ax.grid(axis="x", visible=False)
