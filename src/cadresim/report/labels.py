"""Every word a reader sees in figures and reports: one home per metric, and the other terms.

A metric's label, Chinese term, unit and the noun the html report puts in a sentence are in one
entry of :data:`METRICS`; :data:`METRIC_ORDER` is the order of tables and reports (headline metrics
first, then this order, then any other metric by name: :func:`metric_rank`). The metrics themselves
are computed in :mod:`cadresim.measures.metrics` and defined in docs/model.md.

Other terms (birth decades, grades, eligibility rules, axes, titles) are in :data:`TERMS` and
:data:`TERMS_ZH`. :data:`LABELS` and :data:`LABELS_ZH` join terms and metric labels: the mapping every
figure takes as ``labels`` (keys left out fall back to English).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date as calendar_date

import pandas as pd

from cadresim import dates


@dataclass(frozen=True)
class MetricText:
    """What readers see of one metric.

    Attributes:
        label: English label (figure titles, table rows); ``{cohort}`` is filled in for cohort metrics.
        zh: the Chinese term (``--lang zh``).
        unit: the :data:`TERMS` key of its unit (``unit_percent`` for shares and rates).
        noun: the English noun the html report uses in a sentence ("... has 2 more <noun> than ..."),
            where the label reads badly there (empty: the label).
    """

    label: str
    zh: str
    unit: str
    noun: str = ""


#: The prefix of the Youth Talent cohort metrics (``youth_talent_promoted_share_c2``).
YOUTH_PREFIX = "youth_talent_promoted_share_"

METRICS: dict[str, MetricText] = {
    "post80_division_level": MetricText(
        "Division-level holders born in the 1980s", "80后处级干部人数", "unit_cadres"),
    "post70_division_head_share": MetricText(
        "Division heads born in the 1970s", "正处级干部中70后的比例", "unit_percent"),
    "post80_section_eligible": MetricText(
        "Section-level holders born in the 1980s eligible for deputy division", "符合副处任职条件的80后科级干部",
        "unit_cadres", "section-level holders born in the 1980s who are eligible for deputy division"),
    "post80_section_eligible_strict": MetricText(
        "Section-level holders born in the 1980s eligible for deputy division, under the default rules",
        "符合副处任职条件的80后科级干部（按默认条件）", "unit_cadres",
        "section-level holders born in the 1980s who are eligible for deputy division under the default rules"),
    "division_level_grassroots_share": MetricText(
        "Division-level holders with 2+ years of grassroots experience", "有两年以上基层工作经历的处级干部比例",
        "unit_percent"),
    "division_level_enterprise_share": MetricText(
        "Division-level holders with enterprise experience", "有企业工作经历的处级干部比例", "unit_percent"),
    "division_level_mean_age": MetricText(
        "Mean age of division-level holders", "处级干部平均年龄", "unit_years", "mean age of division-level holders"),
    "reshuffle_fill_rate": MetricText(
        "Division-level and deputy-bureau posts filled after the reshuffle", "换届后处级和副局级岗位配备率",
        "unit_percent", "division-level and deputy-bureau posts filled"),
    "reshuffle_unfilled": MetricText(
        "Division-level and deputy-bureau posts left open after the reshuffle", "换届后处级和副局级空缺岗位数",
        "unit_posts", "division-level and deputy-bureau posts left open"),
    "young_member_team_share": MetricText(
        "Leadership teams meeting their young-member target", "达到年轻干部配备目标的领导班子比例", "unit_percent"),
    "division_successor_ratio": MetricText(
        "Eligible candidates per division-head post", "每个正处岗位的合格人选数", "unit_ratio",
        "number of eligible candidates per division-head post"),
    "promotion_merit_mean": MetricText(
        "Mean merit of cadres promoted since the start", "期初以来获提拔干部的平均素质", "unit_merit",
        "mean merit of cadres promoted since the start"),
    "post80_section_grassroots_share": MetricText(
        "Section-level cadres born in the 1980s with 2+ years of grassroots experience",
        "有两年以上基层工作经历的80后科级干部比例", "unit_percent"),
    "post80_section_two_posts_share": MetricText(
        "Section chiefs born in the 1980s who have held two section-chief posts", "任过两个正科岗位的80后正科级干部比例",
        "unit_percent"),
    "post80_division_entries_round": MetricText(
        "Cadres born in the 1980s promoted into division level since the start: ordinary rounds",
        "期初以来经常规选拔提任处级的80后干部人数", "unit_cadres",
        "cadres born in the 1980s promoted into division level in ordinary rounds"),
    "post80_division_entries_young_fill": MetricText(
        "Cadres born in the 1980s promoted into division level since the start: the reshuffle's young-member fill",
        "期初以来经换届年轻干部配备提任处级的80后干部人数", "unit_cadres",
        "cadres born in the 1980s seated by the reshuffle's young-member fill"),
    "post80_division_entries_youth_talent": MetricText(
        "Cadres born in the 1980s promoted into division level since the start: Youth Talent members",
        "期初以来提任处级的80后青年英才学员人数", "unit_cadres",
        "Youth Talent members born in the 1980s promoted into division level"),
    "youth_talent_promoted_share": MetricText(
        "Youth Talent cohort {cohort}: promoted at least once", "青年英才{cohort}期：至少获提拔一次的比例",
        "unit_percent"),
}

#: The order of metrics in tables and reports, after the headline metrics (the Youth Talent entry
#: stands for every cohort, by cohort name).
METRIC_ORDER: tuple[str, ...] = (
    "post80_division_level", "post70_division_head_share", "post80_section_eligible",
    "post80_section_eligible_strict", "division_level_grassroots_share", "division_level_enterprise_share",
    "division_level_mean_age", "reshuffle_fill_rate", "reshuffle_unfilled", "young_member_team_share",
    "division_successor_ratio", "promotion_merit_mean", "post80_section_grassroots_share",
    "post80_section_two_posts_share", "post80_division_entries_round", "post80_division_entries_young_fill",
    "post80_division_entries_youth_talent", "youth_talent_promoted_share",
)

TERMS: dict[str, str] = {
    # birth decades, keyed by term ("post80" is 80后)
    "post40": "born 1940s", "post50": "born 1950s", "post60": "born 1960s", "post70": "born 1970s",
    "post80": "born 1980s", "post90": "born 1990s", "post00": "born 2000s",
    # grades (fallback when no grade_labels are given)
    "staff": "Staff", "deputy_section": "Deputy section chief", "section": "Section chief",
    "deputy_division": "Deputy division head", "division": "Division head",
    "deputy_bureau": "Deputy bureau level",
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
    "axis_candidates": "candidates for promotion (mean)", "axis_snapshot": "snapshot date",
    "title_pipeline": "Cadres in post by birth decade: mean of {n} replications, shaded 95% confidence band",
    "title_nonleading": "Non-leading rank holders by birth decade: mean of {n} replications, shaded 95% band",
    "axis_rank_holders": "rank holders (mean)",
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
    "title_nonleading_compare": "Non-leading rank holders by rank and birth decade, per scenario: mean and 95% band",
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
TERMS_ZH: dict[str, str] = {
    "post40": "40后", "post50": "50后", "post60": "60后", "post70": "70后", "post80": "80后", "post90": "90后",
    "post00": "00后",
    "staff": "科员", "deputy_section": "副科", "section": "正科", "deputy_division": "副处", "division": "正处",
    "deputy_bureau": "副局",
    "unit_cadres": "人", "unit_percent": "百分比", "unit_years": "岁", "unit_posts": "个岗位",
    "unit_ratio": "人选/岗位", "unit_merit": "素质（标准差）",
    "years_in_grade_below": "下一级职务任职年限不足", "years_of_work": "工作年限不足",
    "grassroots_years": "基层工作经历不足", "posts_held_below": "下一级岗位任职经历不足",
    "age_ceiling": "超过年龄上限", "probation": "试用期未满",
    "date_format": "%Y年%m月", "men": "男", "women": "女",
    "axis_year": "年份", "axis_cadres_in_post": "在岗干部数（均值）", "axis_age": "年龄（岁）",
    "axis_cadres_per_age": "每岁干部数（均值）", "axis_birth_decade": "出生年代",
    "axis_candidates": "晋升人选数（均值）", "axis_snapshot": "统计时点",
    "title_pipeline": "各出生年代在岗干部数：{n}次重复模拟的均值，阴影为95%置信区间",
    "title_nonleading": "各出生年代非领导职务人数：{n}次重复模拟的均值，阴影为95%置信区间",
    "axis_rank_holders": "非领导职务人数（均值）",
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
    "title_nonleading_compare": "各方案分职务、分出生年代非领导职务人数：均值及95%置信区间",
    "title_grade_mix": "换届后各职级干部的出生年代构成，{date}（重复模拟均值）",
    "axis_share_of_grade": "占该职级干部的比例",
    "title_pool": "符合副处任职全部条件的80后正科级干部（均值及95%置信区间）",
    "axis_eligible": "符合条件人数（均值）",
    "title_binding_compare": "{date}晋升{grade}的人选：符合条件、仅一项条件不符或多项条件不符（重复模拟均值）",
    "eligible": "符合条件", "several_rules": "两项及以上条件不符",
    "title_youth": "青年英才各期学员：入选后至少获提拔一次的比例（均值及95%置信区间）",
    "cohort": "{cohort}期", "no_cohort": "本方案无此期", "none": "无",
}

LABELS: dict[str, str] = {**TERMS, **{m: t.label for m, t in METRICS.items()}}
LABELS_ZH: dict[str, str] = {**TERMS_ZH, **{m: t.zh for m, t in METRICS.items()}}


def with_defaults(labels: Mapping[str, str]) -> dict[str, str]:
    """``labels`` over the English :data:`LABELS`, so that every key is there."""
    return {**LABELS, **labels}


def in_language(lang: str) -> dict[str, str]:
    """Every label in ``lang`` ("en" or "zh")."""
    return {**LABELS, **(LABELS_ZH if lang == "zh" else {})}


#: The prefix of a scenario's title in a labels mapping: ``labels["scenario:youth2"]`` = "第二期青年英才".
SCENARIO_PREFIX = "scenario:"


def with_titles(labels: Mapping[str, str], titles: Mapping[str, str]) -> dict[str, str]:
    """``labels`` with each scenario's title (``titles``: scenario name -> title in the labels' language)."""
    return {**labels, **{SCENARIO_PREFIX + name: title for name, title in titles.items() if title}}


def scenario_text(name: str, labels: Mapping[str, str] = LABELS) -> str:
    """How readers see a scenario: its title in ``labels`` (:func:`with_titles`), else its name."""
    return labels.get(SCENARIO_PREFIX + name) or name


def metric_key(metric: str) -> str:
    """The :data:`METRICS` key of a metric: a Youth Talent cohort's metric is the family's."""
    return YOUTH_PREFIX.rstrip("_") if metric.startswith(YOUTH_PREFIX) else metric


def metric_label(metric: str, labels: Mapping[str, str] = LABELS) -> str:
    """What a metric measures, in words (``youth_talent_promoted_share_c2`` names its cohort)."""
    lab = with_defaults(labels)
    if metric.startswith(YOUTH_PREFIX):
        return lab[metric_key(metric)].format(cohort=metric[len(YOUTH_PREFIX):])
    return lab.get(metric, metric.replace("_", " "))


def metric_unit(metric: str) -> str:
    """The :data:`TERMS` key of a metric's unit; for an unknown metric ``unit_percent`` when its name
    says share or rate, else ``unit_cadres``."""
    known = METRICS.get(metric_key(metric))
    if known is not None:
        return known.unit
    return "unit_percent" if "share" in metric or metric.endswith("_rate") else "unit_cadres"


def is_share(metric: str) -> bool:
    """Whether a metric is a share or rate (shown in percent, its differences in points)."""
    return metric_unit(metric) == "unit_percent"


def metric_noun(metric: str) -> str:
    """The English noun for a sentence about ``metric`` ("" when the label serves)."""
    known = METRICS.get(metric_key(metric))
    return known.noun if known is not None else ""


def metric_rank(metrics: Iterable[str], first: Iterable[str] = ()) -> dict[str, int]:
    """Each metric's place in a table: ``first`` (the headline metrics) in their order, then
    :data:`METRIC_ORDER` (Youth Talent cohorts by name at their family's place), then the rest by name."""
    order = {m: i for i, m in enumerate(dict.fromkeys([*first, *METRIC_ORDER]))}
    def key(m: str) -> tuple:
        return (order.get(m, order.get(metric_key(m), len(order))), m)
    return {m: i for i, m in enumerate(sorted(set(metrics), key=key))}


def metric_decade(metric: str) -> int | None:
    """The birth decade a metric is about ("post80_..." -> 1980), if any."""
    match = re.match(r"post(\d\d)_", metric)
    if not match:
        return None
    year = int(match.group(1))
    return (1900 if year >= 30 else 2000) + year


def decade_key(decade: int) -> str:
    """The term for a birth decade: 1980 -> "post80" (80后)."""
    return f"post{int(decade) % 100:02d}"


def grade_label(grade: str, grade_labels: Mapping[str, str] | None, labels: Mapping[str, str]) -> str:
    """A grade's name: ``grade_labels`` first, then ``labels``, then the id in words."""
    return (grade_labels or {}).get(grade) or labels.get(grade) or grade.replace("_", " ")


def date_text(date: str, labels: Mapping[str, str] = LABELS) -> str:
    """A 'YYYY-MM' date as readers write it (``date_format``: Dec 2016, 2016年12月)."""
    index = dates.parse(date)
    first = calendar_date(dates.year_of(index), dates.calendar_month(index), 1)
    return first.strftime(with_defaults(labels)["date_format"])


# --- metrics at a date as the columns of a wide table (a sweep's) -------------------------------------


def metric_column(metric: str, date: str) -> str:
    """A metric at a snapshot as one column of a wide table: ``post80_division_level@2016-12``."""
    return f"{metric}@{date}"


def split_column(column: str) -> tuple[str, str]:
    """``metric@date`` -> (metric, date)."""
    metric, _, date = column.rpartition("@")
    return metric, date


def metric_columns(table: pd.DataFrame) -> list[str]:
    """The ``metric@date`` columns of a wide table (a sweep's)."""
    return [c for c in table.columns if "@" in c]
