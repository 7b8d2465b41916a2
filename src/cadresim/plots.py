"""Figures of a run for an official's reading: tables in, matplotlib Figures out.

Each function takes tables the run writes (MODEL.md section 7) and returns a
:class:`matplotlib.figure.Figure`; :func:`binding_rules`, a single panel, can also
draw into a given ``ax``. Figures are built from :class:`~matplotlib.figure.Figure`
directly, so nothing here touches pyplot's global state, opens a window or prints.

Every string a reader sees is in :data:`LABELS` (pass ``labels`` to translate; keys
left out fall back to English). A birth decade has one colour in every figure
(:data:`DECADE_COLOURS`, the Okabe-Ito palette, safe for colour-blind readers), and
an eligibility rule one colour (:data:`RULE_COLOURS`).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from cadresim import dates
from cadresim.eligibility import RULES
from cadresim.scenario import DEFAULT_LADDER

LABELS: dict[str, str] = {
    # birth decades, keyed by term ("post80" is 80后)
    "post40": "born 1940s", "post50": "born 1950s", "post60": "born 1960s", "post70": "born 1970s",
    "post80": "born 1980s", "post90": "born 1990s", "post00": "born 2000s",
    # grades (fallback when no grade_labels are given)
    "staff": "Staff", "deputy_section": "Deputy section chief", "section": "Section chief",
    "deputy_division": "Deputy division head", "division": "Division head",
    "deputy_bureau": "Deputy bureau level",
    # metrics (MODEL.md section 7); {cohort} is filled in
    "post80_division_level": "Division-level holders born in the 1980s",
    "post70_division_head_share": "Division heads born in the 1970s",
    "post80_section_eligible": "Section-level holders born in the 1980s eligible for deputy division",
    "post80_section_eligible_strict": "Section-level holders born in the 1980s eligible for deputy division, "
                                      "under the default rules",
    "division_level_grassroots_share": "Division-level holders with 2+ years of grassroots experience",
    "division_level_enterprise_share": "Division-level holders with enterprise experience",
    "division_level_mean_age": "Mean age of division-level holders",
    "reshuffle_fill_rate": "Division-level and deputy-bureau posts filled after the reshuffle",
    "reshuffle_unfilled": "Division-level and deputy-bureau posts left open after the reshuffle",
    "young_member_team_share": "Leadership teams meeting their young-member target",
    "division_successor_ratio": "Eligible candidates per division-head post",
    "promotion_merit_mean": "Mean merit of cadres promoted since the start",
    "youth_talent_promoted_share": "Youth Talent cohort {cohort}: promoted at least once",
    # units of the metrics' axes
    "unit_cadres": "cadres", "unit_percent": "percent", "unit_years": "years", "unit_posts": "posts",
    "unit_ratio": "candidates per post", "unit_merit": "merit (standard deviations)",
    # eligibility rules (cadresim.eligibility.RULES)
    "years_in_grade_below": "too few years in the grade below", "years_of_work": "too few years of work",
    "grassroots_years": "too little grassroots experience", "posts_held_below": "too few posts in the grade below",
    "age_ceiling": "over the age ceiling", "probation": "still on probation",
    # axes, legends and titles; {n}, {date}, {grade} are filled in
    "date_format": "%b %Y", "men": "men", "women": "women",
    "axis_year": "year", "axis_cadres_in_post": "cadres in post (mean)", "axis_age": "age (years)",
    "axis_cadres_per_age": "cadres per year of age (mean)", "axis_birth_decade": "birth decade",
    "axis_candidates": "candidates for promotion (mean)",
    "title_pipeline": "Cadres in post by birth decade: mean of {n} replications, shaded 95% confidence band",
    "title_headline": "Headline results at each snapshot: mean and 95% confidence interval over {n} replications",
    "title_pyramids": "Age structure by grade, {date}: men left, women right (mean of {n} replications)",
    "title_binding": "Promotion into {grade}, {date}: which single rule blocks otherwise eligible candidates\n"
                     "(mean of {n} replications)",
    "legend_candidates": "all candidates\n(cadres of the grade below)",
    "legend_binding": "Candidates failing this rule\nand no other (binding)",
}

DECADE_COLOURS: dict[int, str] = {
    1940: "#000000", 1950: "#999999", 1960: "#CC79A7", 1970: "#0072B2",
    1980: "#D55E00", 1990: "#009E73", 2000: "#E69F00",
}
RULE_COLOURS: dict[str, str] = {
    "years_in_grade_below": "#8DA0CB", "years_of_work": "#66C2A5", "grassroots_years": "#A6D854",
    "posts_held_below": "#E78AC3", "age_ceiling": "#FC8D62", "probation": "#FFD92F",
}
SEX_COLOURS = {False: "#4C72B0", True: "#C44E52"}
METRIC_UNITS: dict[str, str] = {
    "post80_division_level": "unit_cadres", "post80_section_eligible": "unit_cadres",
    "post80_section_eligible_strict": "unit_cadres", "division_level_mean_age": "unit_years",
    "reshuffle_unfilled": "unit_posts", "division_successor_ratio": "unit_ratio",
    "promotion_merit_mean": "unit_merit",
}
YOUTH_PREFIX = "youth_talent_promoted_share_"
PIPELINE_GRADES = ["deputy_section", "section", "deputy_division", "division"]
STYLE = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "figure.titlesize": 13,
    "figure.titleweight": "bold", "legend.fontsize": 10, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "grid.linewidth": 0.6,
}


def mean_band(df: pd.DataFrame, by: list[str], value: str, replications: Iterable | None = None,
              replication: str = "replication") -> pd.DataFrame:
    """Mean over replications of ``value`` per ``by`` group, with a 95% band.

    ``value`` is first summed within each replication and group. Every replication
    (``replications``, default those in ``df``) is then given every combination of
    the ``by`` levels present in ``df``, a missing one counting as 0, so that a
    replication without, say, any 1990s-born division heads pulls the mean down.

    Returns:
        One row per combination: the ``by`` columns, ``mean``, ``sd`` (across
        replications), ``n``, and ``low``/``high`` = mean ∓ 1.96·sd/√n (the mean alone
        when n is 1).
    """
    reps = pd.unique(df[replication]) if replications is None else pd.unique(np.asarray(list(replications)))
    levels = [pd.unique(df[c]) for c in by]
    full = pd.MultiIndex.from_product([reps, *levels], names=[replication, *by])
    per_rep = df.groupby([replication, *by])[value].sum().reindex(full, fill_value=0)
    groups = per_rep.groupby(level=list(by))
    out = pd.DataFrame({"mean": groups.mean(), "sd": groups.std(ddof=1), "n": groups.size()})
    half = 1.96 * out["sd"].fillna(0.0) / np.sqrt(out["n"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out.reset_index()


def decade_key(decade: int) -> str:
    """The term for a birth decade: 1980 -> "post80" (80后)."""
    return f"post{int(decade) % 100:02d}"


def decade_colour(decade: int) -> str:
    """The colour of a birth decade, the same in every figure."""
    return DECADE_COLOURS.get(int(decade), "#555555")


def ladder_order(grades: Iterable[str], grade_labels: Mapping[str, str] | None = None) -> list[str]:
    """``grades`` bottom to top: the order of ``grade_labels``, then the default ladder."""
    order = list(grade_labels or {}) + [g for g in DEFAULT_LADDER if g not in (grade_labels or {})]
    rank = {g: i for i, g in enumerate(order)}
    return sorted(set(grades), key=lambda g: (rank.get(g, len(rank)), g))


def pipeline_stocks(timeseries: pd.DataFrame, grades: list[str], grade_labels: Mapping[str, str] | None = None,
                    labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per grade: cadres in post by birth decade over time, with 95% bands."""
    lab = _labels(labels)
    with mpl.rc_context(STYLE):
        band = mean_band(timeseries[timeseries["grade"].isin(grades)], ["grade", "date", "birth_decade"], "count",
                         replications=timeseries["replication"].unique())
        band["time"] = _times(band["date"])
        fig, axes = _grid(len(grades), panel=(5.4, 3.4))
        drawn: set[int] = set()
        for i, (ax, grade) in enumerate(zip(axes, grades)):
            drawn |= _stock_panel(ax, band[band["grade"] == grade], _grade_label(grade, grade_labels, lab),
                                  lab["axis_cadres_in_post"])
            _year_axis(ax, band["time"], lab["axis_year"] if _bottom(i, len(grades), axes) else None)
        n = timeseries["replication"].nunique()
        fig.suptitle(lab["title_pipeline"].format(n=n))
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
        ax.fill_between(rows["time"].to_numpy(), rows["low"].clip(lower=0), rows["high"], color=colour,
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

    Raises:
        ValueError: when none of ``metrics`` is in ``summary``.
    """
    lab = _labels(labels)
    present = [m for m in metrics if m in set(summary["metric"])]
    if not present:
        raise ValueError(f"none of the metrics {metrics} is in the summary table")
    with mpl.rc_context(STYLE):
        fig, axes = _grid(len(present), panel=(4.6, 3.2))
        times = _times(summary["date"])
        for i, (ax, metric) in enumerate(zip(axes, present)):
            _metric_panel(ax, summary[summary["metric"] == metric], metric, lab)
            _year_axis(ax, times, lab["axis_year"] if _bottom(i, len(present), axes) else None)
        fig.suptitle(lab["title_headline"].format(n=int(summary["n"].max())))
    return fig


def _metric_panel(ax: Axes, rows: pd.DataFrame, metric: str, lab: Mapping[str, str]) -> None:
    rows = rows.assign(time=_times(rows["date"])).sort_values("time")
    unit = _metric_unit(metric)
    scale = 100.0 if unit == "unit_percent" else 1.0
    mean, low, high = (rows[c].to_numpy(float) * scale for c in ("mean", "ci95_low", "ci95_high"))
    yerr = np.nan_to_num(np.vstack([mean - low, high - mean])).clip(min=0)
    colour = decade_colour(decade) if (decade := _metric_decade(metric)) else "#333333"
    ax.errorbar(rows["time"].to_numpy(), mean, yerr=yerr, fmt="o", color=colour, ms=6, capsize=4, lw=1.6)
    ax.set_title(textwrap.fill(_metric_label(metric, lab), 46))
    ax.set_ylabel(lab[unit])
    if unit in ("unit_percent", "unit_cadres", "unit_posts", "unit_ratio"):
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1.0))
    if unit == "unit_percent":
        if ax.get_ylim()[1] > 105 and np.nanmax(high, initial=0) <= 100:
            ax.set_ylim(top=105)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))


def age_pyramids(ages: pd.DataFrame, date: str, grades: list[str], grade_labels: Mapping[str, str] | None = None,
                 labels: Mapping[str, str] = LABELS) -> Figure:
    """One pyramid per grade at snapshot ``date``: mean cadres per age, men left, women right.

    Raises:
        ValueError: when ``ages`` has no rows at ``date``.
    """
    lab = _labels(labels)
    at = ages[ages["date"] == date]
    if at.empty:
        raise ValueError(f"no ages at {date}; dates are {sorted(ages['date'].unique())}")
    reps = ages["replication"].unique()
    with mpl.rc_context(STYLE):
        fig, axes = _grid(len(grades), panel=(4.2, 3.6), sharey=True)
        for i, (ax, grade) in enumerate(zip(axes, grades)):
            band = mean_band(at[at["grade"] == grade], ["female", "age"], "count", replications=reps)
            _pyramid_panel(ax, band, _grade_label(grade, grade_labels, lab))
            ax.set_xlabel(lab["axis_cadres_per_age"] if _bottom(i, len(grades), axes) else "")
            ax.set_ylabel(lab["axis_age"] if i % axes[0].get_gridspec().ncols == 0 else "")
        fig.suptitle(lab["title_pyramids"].format(date=_date_text(date, lab), n=len(reps)))
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
    lab = _labels(labels)
    rows = eligibility[(eligibility["date"] == date) & (eligibility["grade"] == grade)]
    rows = rows[rows["rule"] != "any_rule"]  # the all-rules total, not a rule of its own
    if rows.empty:
        raise ValueError(f"no eligibility rows for grade {grade!r} at {date}")
    reps = eligibility["replication"].unique()
    fails = mean_band(rows, ["birth_decade", "rule"], "fail_alone", replications=reps)
    per_decade = rows.drop_duplicates(["replication", "birth_decade"])
    candidates = mean_band(per_decade, ["birth_decade"], "candidates", replications=reps).set_index("birth_decade")
    with mpl.rc_context(STYLE):
        fig, ax = _single(ax, figsize=(10, 5.2))
        decades = sorted(candidates.index)
        _binding_bars(ax, candidates["mean"].reindex(decades), fails, decades, lab)
        ax.set_title(lab["title_binding"].format(grade=_grade_label(grade, grade_labels, lab),
                                                 date=_date_text(date, lab), n=len(reps)), loc="left")
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
    if ts is not None and (stocked := [g for g in PIPELINE_GRADES if g in set(ts["grade"])]):
        plans["pipeline_stocks"] = partial(pipeline_stocks, ts, stocked, grade_labels, labels)
    if summary is not None and set(headline) & set(summary["metric"]):
        plans["headline_metrics"] = partial(headline_metrics, summary, headline, labels)
    if ages is not None:
        last = _last_date(ages)
        grades = ladder_order(ages.loc[ages["date"] == last, "grade"], grade_labels)
        plans["age_pyramids"] = partial(age_pyramids, ages, last, grades, grade_labels, labels)
    if elig is not None:
        last = _last_date(elig)
        present = ladder_order(elig.loc[elig["date"] == last, "grade"], grade_labels)
        target = "deputy_division" if "deputy_division" in present else present[-1]
        plans["binding_rules"] = partial(binding_rules, elig, last, target, labels, grade_labels)
    return plans


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    table = tables.get(name)
    return None if table is None or table.empty else table


def _last_date(table: pd.DataFrame) -> str:
    return max(table["date"].unique(), key=dates.parse)


def _labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {**LABELS, **labels}


def _grade_label(grade: str, grade_labels: Mapping[str, str] | None, lab: Mapping[str, str]) -> str:
    return (grade_labels or {}).get(grade) or lab.get(grade) or grade.replace("_", " ")


def _metric_unit(metric: str) -> str:
    if metric in METRIC_UNITS:
        return METRIC_UNITS[metric]
    return "unit_percent" if "share" in metric or metric.endswith("_rate") else "unit_cadres"


def _metric_decade(metric: str) -> int | None:
    """The birth decade a metric is about ("post80_..." -> 1980), if any."""
    match = re.match(r"post(\d\d)_", metric)
    if not match:
        return None
    year = int(match.group(1))
    return (1900 if year >= 30 else 2000) + year


def _metric_label(metric: str, lab: Mapping[str, str]) -> str:
    if metric.startswith(YOUTH_PREFIX):
        return lab["youth_talent_promoted_share"].format(cohort=metric[len(YOUTH_PREFIX):])
    return lab.get(metric, metric.replace("_", " "))


def _times(year_months: pd.Series) -> pd.Series:
    """'YYYY-MM' strings as datetimes (first of the month)."""
    idx = year_months.map(dates.parse)
    return pd.to_datetime(pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1}))


def _date_text(date: str, lab: Mapping[str, str]) -> str:
    return _times(pd.Series([date])).iloc[0].strftime(lab["date_format"])


def _year_axis(ax: Axes, times: pd.Series, label: str | None) -> None:
    """Years on the x axis, about six ticks, whatever the span."""
    first, last = times.min(), times.max()
    if first == last:  # a single date: a year either side
        first, last = first - pd.DateOffset(years=1), last + pd.DateOffset(years=1)
    years = (last - first).days / 365.25
    base = next(b for b in (1, 2, 5, 10, 20, 50) if years / b <= 7)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=base))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    pad = (last - first) * 0.04
    ax.set_xlim(first - pad, last + pad)
    ax.set_xlabel(label or "")


def _grid(n: int, panel: tuple[float, float], sharey: bool = False) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` panels, at most three a row; unused cells removed."""
    ncols = n if n <= 3 else (2 if n == 4 else 3)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 1.0), layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False, sharey=sharey).ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]


def _bottom(i: int, n: int, axes: list[Axes]) -> bool:
    """Whether panel ``i`` has no panel below it (so it carries the x label)."""
    return i + axes[0].get_gridspec().ncols >= n


def _single(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _decade_legend(fig: Figure, decades: list[int], lab: Mapping[str, str]) -> None:
    handles = [Line2D([], [], color=decade_colour(d), lw=2.5, label=lab.get(decade_key(d), f"born {d}s"))
               for d in decades]
    fig.legend(handles=handles, loc="outside lower center", ncols=max(len(handles), 1), frameon=False)
