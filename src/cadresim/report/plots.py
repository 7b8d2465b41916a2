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
from cadresim.rules.eligibility import RULES
from cadresim.scenario.schema import DEFAULT_LADDER

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
    # eligibility rules (cadresim.rules.eligibility.RULES)
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
    # several scenarios side by side (cadresim compare); {baseline}, {grade}, {date}, {cohort} are filled in
    "baseline_suffix": "{name} (baseline)", "reshuffle": "reshuffle", "unit_points": "percentage points",
    "title_forest": "Difference from {baseline} (scenario minus baseline): mean and 95% confidence interval",
    "marker_paired": "paired: the same random draws as the baseline",
    "marker_unpaired": "unpaired (Welch): other seed or replication count",
    "title_pipeline_compare": "Cadres in post by grade and birth decade, per scenario: mean and 95% band",
    "title_grade_mix": "Birth-decade make-up of each grade after the reshuffle, {date} (mean of the replications)",
    "axis_share_of_grade": "share of the grade's cadres",
    "title_pool": "Section chiefs born in the 1980s who meet every condition for deputy division head "
                  "(mean and 95% band)",
    "axis_eligible": "eligible cadres (mean)",
    "title_binding_compare": "Candidates for promotion into {grade}, {date}: eligible, blocked by one rule alone, "
                             "or by several (mean of the replications)",
    "eligible": "eligible", "several_rules": "fails two or more rules",
    "title_youth": "Youth Talent cohorts: share of members promoted at least once since joining "
                   "(mean and 95% CI)",
    "cohort": "cohort {cohort}", "no_cohort": "not in this scenario", "none": "none",
}

#: The same terms in Chinese (``--lang zh``): needs a CJK font (cadresim.report.fonts).
LABELS_ZH: dict[str, str] = {
    "post40": "40后", "post50": "50后", "post60": "60后", "post70": "70后", "post80": "80后", "post90": "90后",
    "post00": "00后",
    "staff": "科员", "deputy_section": "副科", "section": "正科", "deputy_division": "副处", "division": "正处",
    "deputy_bureau": "副局",
    "post80_division_level": "80后处级干部人数",
    "post70_division_head_share": "正处级干部中70后的比例",
    "post80_section_eligible": "符合副处任职条件的80后科级干部",
    "post80_section_eligible_strict": "符合副处任职条件的80后科级干部（按默认条件）",
    "division_level_grassroots_share": "有两年以上基层工作经历的处级干部比例",
    "division_level_enterprise_share": "有企业工作经历的处级干部比例",
    "division_level_mean_age": "处级干部平均年龄",
    "reshuffle_fill_rate": "换届后处级和副局级岗位配备率",
    "reshuffle_unfilled": "换届后处级和副局级空缺岗位数",
    "young_member_team_share": "达到年轻干部配备目标的领导班子比例",
    "division_successor_ratio": "每个正处岗位的合格人选数",
    "promotion_merit_mean": "期初以来获提拔干部的平均素质",
    "youth_talent_promoted_share": "青年英才{cohort}期：至少获提拔一次的比例",
    "unit_cadres": "人", "unit_percent": "百分比", "unit_years": "岁", "unit_posts": "个岗位",
    "unit_ratio": "人选/岗位", "unit_merit": "素质（标准差）",
    "years_in_grade_below": "下一级职务任职年限不足", "years_of_work": "工作年限不足",
    "grassroots_years": "基层工作经历不足", "posts_held_below": "下一级岗位任职经历不足",
    "age_ceiling": "超过年龄上限", "probation": "试用期未满",
    "date_format": "%Y年%m月", "men": "男", "women": "女",
    "axis_year": "年份", "axis_cadres_in_post": "在岗干部数（均值）", "axis_age": "年龄（岁）",
    "axis_cadres_per_age": "每岁干部数（均值）", "axis_birth_decade": "出生年代",
    "axis_candidates": "晋升人选数（均值）",
    "title_pipeline": "各出生年代在岗干部数：{n}次重复模拟的均值，阴影为95%置信区间",
    "title_headline": "各时点主要结果：{n}次重复模拟的均值及95%置信区间",
    "title_pyramids": "{date}各职级年龄结构：左为男性，右为女性（{n}次重复模拟均值）",
    "title_binding": "晋升{grade}，{date}：哪一项条件单独阻碍了其余条件均符合的人选\n（{n}次重复模拟均值）",
    "legend_candidates": "全部人选\n（下一职级干部）",
    "legend_binding": "仅此一项条件不符\n（起约束作用的条件）",
    "baseline_suffix": "{name}（基准）", "reshuffle": "换届", "unit_points": "百分点",
    "title_forest": "与{baseline}的差异（方案减基准）：均值及95%置信区间",
    "marker_paired": "配对：与基准使用相同的随机数",
    "marker_unpaired": "非配对（Welch）：随机种子或重复次数不同",
    "title_pipeline_compare": "各方案分职级、分出生年代在岗干部数：均值及95%置信区间",
    "title_grade_mix": "换届后各职级干部的出生年代构成，{date}（重复模拟均值）",
    "axis_share_of_grade": "占该职级干部的比例",
    "title_pool": "符合副处任职全部条件的80后正科级干部（均值及95%置信区间）",
    "axis_eligible": "符合条件人数（均值）",
    "title_binding_compare": "{date}晋升{grade}的人选：符合条件、仅一项条件不符或多项条件不符（重复模拟均值）",
    "eligible": "符合条件", "several_rules": "两项及以上条件不符",
    "title_youth": "青年英才各期学员：入选后至少获提拔一次的比例（均值及95%置信区间）",
    "cohort": "{cohort}期", "no_cohort": "本方案无此期", "none": "无",
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


# --- several scenarios side by side (cadresim compare) -------------------------------------------
#
# These take tidy tables with a ``scenario`` column (rows of every scenario) and ``scenarios``, the
# scenario names in display order, baseline first. A scenario keeps one colour and line style in
# every figure; a birth decade keeps its colour (DECADE_COLOURS) where decades are the colours.

SCENARIO_COLOURS = ["#333333", "#AA3377", "#4477AA", "#228833", "#CCBB44", "#66CCEE", "#EE6677", "#BBBBBB"]
SCENARIO_LINESTYLES = ["-", "--", "-.", ":"]
ELIGIBLE_COLOUR, SEVERAL_COLOUR = "#1B7837", "#8C8C8C"


def metric_label(metric: str, labels: Mapping[str, str] = LABELS) -> str:
    """What a metric measures, in words (``youth_talent_promoted_share_c2`` names its cohort)."""
    return _metric_label(metric, _labels(labels))


def metric_unit(metric: str) -> str:
    """The :data:`LABELS` key of a metric's unit: ``unit_percent`` for shares and rates."""
    return _metric_unit(metric)


def date_text(date: str, labels: Mapping[str, str] = LABELS) -> str:
    """A 'YYYY-MM' date as readers write it (``date_format``: Dec 2016, 2016年12月)."""
    return _date_text(date, _labels(labels))


def scenario_style(i: int) -> dict[str, object]:
    """Colour and line style of the ``i``-th scenario (0: the baseline)."""
    return {"color": SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)],
            "ls": SCENARIO_LINESTYLES[i % len(SCENARIO_LINESTYLES)]}


def scenario_bands(df: pd.DataFrame, scenarios: list[str], by: list[str], value: str) -> pd.DataFrame:
    """:func:`mean_band` per scenario, each over its own replications, with a ``scenario`` column."""
    frames = [mean_band(df[df["scenario"] == s], by, value).assign(scenario=s)
              for s in scenarios if (df["scenario"] == s).any()]
    return pd.concat(frames, ignore_index=True)


def differences_forest(comparison: pd.DataFrame, metrics: list[str], scenarios: list[str],
                       labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per metric: each scenario's difference from the baseline, mean and 95% CI, per date.

    ``comparison`` has columns metric, date, scenario, diff, diff_ci95_low, diff_ci95_high and paired.
    Dates where every difference is exactly zero (the shared start) are left out. A filled marker is
    a paired difference, an open one an unpaired (Welch) difference.

    Raises:
        ValueError: when no metric of ``metrics`` has a difference to show.
    """
    lab = _labels(labels)
    rows = _forest_rows(comparison, metrics, scenarios)
    present = [m for m in metrics if m in set(rows["metric"])]
    if not present:
        raise ValueError(f"no differences from the baseline to show for {metrics}")
    ticks = list(dict.fromkeys(zip(rows["date"], rows["scenario"])))
    many_dates = rows["date"].nunique() > 1
    with mpl.rc_context(STYLE):
        fig, axes = _grid(len(present), panel=(4.6, 0.45 * len(ticks) + 1.7), sharey=True)
        for i, (ax, metric) in enumerate(zip(axes, present)):
            _forest_panel(ax, rows[rows["metric"] == metric], ticks, scenarios, metric, lab)
        names = [_tick_text(s, d, many_dates, lab) for d, s in ticks]
        axes[0].set_yticks(range(len(ticks)), names)
        axes[0].set_ylim(len(ticks) - 0.5, -0.5)
        fig.suptitle(lab["title_forest"].format(baseline=scenarios[0]))
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
    scale = 100.0 if _metric_unit(metric) == "unit_percent" else 1.0
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
    ax.set_title(textwrap.fill(_metric_label(metric, lab), 40))
    ax.set_xlabel(lab["unit_points"] if scale == 100.0 else lab[_metric_unit(metric)])
    ax.grid(axis="y", visible=False)


def _digits(*values: float) -> int:
    """Decimals that show the spread of ``values``: 1, or 2 when they are all within 1 of zero."""
    finite = [abs(v) for v in values if np.isfinite(v)]
    return 2 if finite and max(finite) < 1 else 1


def _is_paired(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _tick_text(scenario: str, date: str, many_dates: bool, lab: Mapping[str, str]) -> str:
    return f"{scenario}\n{_date_text(date, lab)}" if many_dates else scenario


def _paired_legend(fig: Figure, rows: pd.DataFrame, lab: Mapping[str, str]) -> None:
    kinds = {_is_paired(p) for p in rows["paired"]}
    handles = [Line2D([], [], ls="", marker="o", ms=8, mfc="0.3" if paired else "white", mec="0.3", mew=1.8,
                      label=lab["marker_paired" if paired else "marker_unpaired"])
               for paired in sorted(kinds, reverse=True)]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)


def pipeline_compare(timeseries: pd.DataFrame, scenarios: list[str], grades: list[str],
                     grade_labels: Mapping[str, str] | None = None, labels: Mapping[str, str] = LABELS,
                     reshuffles: Iterable[str] = ()) -> Figure:
    """Grades in rows (highest on top), birth decades in columns: cadres in post over time, every
    scenario overlaid (mean and 95% band). Decades that never reach one cadre on average are left out."""
    lab = _labels(labels)
    ts = timeseries[timeseries["grade"].isin(grades)]
    band = scenario_bands(ts, scenarios, ["grade", "date", "birth_decade"], "count")
    band["time"] = _times(band["date"])
    decades = sorted(d for d, g in band.groupby("birth_decade") if g["mean"].max() >= 1.0)
    rows = list(reversed(grades))
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(3.3 * len(decades) + 0.8, 2.3 * len(rows) + 1.4), layout="constrained")
        axes = fig.subplots(len(rows), len(decades), squeeze=False, sharex=True)
        for (r, grade), (c, decade) in ((rg, cd) for rg in enumerate(rows) for cd in enumerate(decades)):
            ax = axes[r][c]
            here = band[(band["grade"] == grade) & (band["birth_decade"] == decade)]
            _overlay_panel(ax, here, scenarios, reshuffles, lab["none"])
            _year_axis(ax, band["time"], lab["axis_year"] if r == len(rows) - 1 else None)
            if r == 0:
                ax.set_title(lab.get(decade_key(decade), str(decade)), color=decade_colour(decade),
                             fontweight="bold")
            if c == 0:
                ax.set_ylabel(_grade_label(grade, grade_labels, lab), fontweight="bold")
        fig.suptitle(lab["title_pipeline_compare"])
        _scenario_legend(fig, scenarios, lab, reshuffles)
    return fig


def _overlay_panel(ax: Axes, band: pd.DataFrame, scenarios: list[str], reshuffles: Iterable[str],
                   none: str = "") -> None:
    for i, scenario in enumerate(scenarios):
        rows = band[band["scenario"] == scenario].sort_values("time")
        style = scenario_style(i)
        t = rows["time"].to_numpy()
        ax.fill_between(t, rows["low"].clip(lower=0), rows["high"], color=style["color"], alpha=0.15, lw=0)
        ax.plot(t, rows["mean"], color=style["color"], ls=style["ls"], lw=1.8)
    for date in reshuffles:
        ax.axvline(_times(pd.Series([date])).iloc[0], color="0.5", lw=0.9, ls=":", zorder=0)
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
    return lab["baseline_suffix"].format(name=scenario) if i == 0 and scenario != "baseline" else scenario


def grade_mix(timeseries: pd.DataFrame, date: str, scenarios: list[str], grades: list[str],
              grade_labels: Mapping[str, str] | None = None, labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per grade (highest on top), one bar per scenario: the birth-decade shares of the
    grade's cadres at ``date`` (mean over replications), shares of 7% or more written in.

    Raises:
        ValueError: when ``timeseries`` has no rows at ``date``.
    """
    lab = _labels(labels)
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
            _mix_panel(ax, band[band["grade"] == grade], scenarios, decades)
            ax.set_title(_grade_label(grade, grade_labels, lab), loc="left", fontweight="bold")
        axes[-1].xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        axes[-1].set_xlabel(lab["axis_share_of_grade"])
        fig.suptitle(lab["title_grade_mix"].format(date=_date_text(date, lab)))
        handles = [Patch(color=decade_colour(d), label=lab.get(decade_key(d), str(d))) for d in decades]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


def _mix_panel(ax: Axes, band: pd.DataFrame, scenarios: list[str], decades: list[int]) -> None:
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
    ax.set_yticks(y, scenarios)
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
    lab = _labels(labels)
    rows = pool[pool["grade"] == grade]
    if rows.empty:
        raise ValueError(f"no pool rows for grade {grade!r}")
    band = scenario_bands(rows.assign(eligible=rows["eligible"].where(rows["birth_decade"] == decade, 0)),
                          scenarios, ["date"], "eligible")
    band["time"] = _times(band["date"])
    with mpl.rc_context(STYLE):
        fig, ax = _single(None, figsize=(10, 5.0))
        _overlay_panel(ax, band, scenarios, reshuffles)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _year_axis(ax, band["time"], lab["axis_year"])
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
    lab = _labels(labels)
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
            _parts_panel(ax, parts[parts["birth_decade"] == decade], scenarios, kinds)
            ax.set_title(lab.get(decade_key(decade), str(decade)), loc="left", color=decade_colour(decade),
                         fontweight="bold")
        axes[-1].set_xlabel(lab["axis_candidates"])
        fig.suptitle(textwrap.fill(lab["title_binding_compare"].format(
            grade=_grade_label(grade, grade_labels, lab), date=_date_text(date, lab)), 110))
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


def _parts_panel(ax: Axes, parts: pd.DataFrame, scenarios: list[str], kinds: list[str]) -> None:
    y = np.arange(len(scenarios))
    wide = parts.pivot_table(index="scenario", columns="part", values="mean", aggfunc="sum")
    wide = wide.reindex(index=scenarios, columns=kinds).fillna(0)
    left = np.zeros(len(scenarios))
    for kind in kinds:
        ax.barh(y, wide[kind].to_numpy(), left=left, height=0.7, lw=0.6, **_part_style(kind))
        left += wide[kind].to_numpy()
    for k, total in enumerate(left):
        ax.text(total, k, f" {total:.0f}", va="center", ha="left", fontsize=9, color="0.25")
    ax.set_yticks(y, scenarios)
    ax.set_ylim(len(scenarios) - 0.5, -0.5)
    ax.set_xlim(0, max(float(left.max()), 1.0) * 1.1)
    ax.grid(axis="y", visible=False)


def youth_talent_compare(summary: pd.DataFrame, scenarios: list[str], labels: Mapping[str, str] = LABELS) -> Figure:
    """One panel per Youth Talent cohort: the share of members promoted at least once, per snapshot
    date and scenario (mean and 95% CI). ``summary`` has metric, date, scenario, mean, ci95_low/high.

    Raises:
        ValueError: when ``summary`` has no Youth Talent metric.
    """
    lab = _labels(labels)
    rows = summary[summary["metric"].str.startswith(YOUTH_PREFIX) & summary["scenario"].isin(scenarios)]
    if rows.empty:
        raise ValueError("no Youth Talent metrics in the summary")
    cohorts = sorted(rows["metric"].str.removeprefix(YOUTH_PREFIX).unique())
    dates_ = sorted(rows["date"].unique(), key=dates.parse)
    with mpl.rc_context(STYLE):
        fig, axes = _grid(len(cohorts), panel=(max(4.6, 1.3 * len(dates_) * len(scenarios) / 2), 3.6),
                          sharey=True)
        for ax, cohort in zip(axes, cohorts):
            _youth_panel(ax, rows[rows["metric"] == YOUTH_PREFIX + cohort], scenarios, dates_, lab)
            ax.set_title(lab["cohort"].format(cohort=cohort), fontweight="bold")
        axes[0].set_ylabel(lab["unit_percent"])
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
            ax.text(0.03, 0.92 - 0.07 * absent, f"{scenario}: {lab['no_cohort']}", transform=ax.transAxes,
                    ha="left", color=scenario_style(i)["color"], fontsize=9)
            absent += 1
    ax.set_xticks(range(len(dates_)), [_date_text(d, lab) for d in dates_])
    ax.set_xlim(-0.6, len(dates_) - 0.4)
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.grid(axis="x", visible=False)
