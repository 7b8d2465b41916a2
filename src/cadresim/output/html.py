"""report.html: one self-contained page comparing scenarios, for readers who never open a terminal.

Everything is inline: CSS in a ``<style>`` element, figures as base64 PNG data URIs, no script and
no link to anything outside the file, so it opens offline and can be mailed as it is. Text is in
English or Chinese (:data:`TEXT`); metric and grade names come from :mod:`cadresim.report.plots`.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from cadresim import dates
from cadresim.scenario import docs as docgen
from cadresim.report import plots
from cadresim.analysis.compare import ABSENT, Comparison, flatten, key_date, labels_for, reshuffle_dates
from cadresim.analysis.compare_teams import report_settings
from cadresim.scenario.loader import NOT_SIMULATED
from cadresim.scenario.schema import ASSUMPTION, RULE, SEED, RiskThresholds

#: The sources listed under "Assumptions in force", in this order.
SOURCES = (RULE, SEED, ASSUMPTION)

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Personnel policy scenarios compared: {names}",
        "subtitle": "Baseline: {baseline}. Simulated district cadre pipeline (cadresim {version}); "
                    "report of {today}.",
        "notes": "Please note",
        "brief": "In brief",
        "brief_intro": "Differences from {baseline} {when}, with 95% confidence intervals. A difference whose "
                       "interval includes zero could be chance.",
        "after_reshuffle": "after the {date} reshuffle (换届)",
        "at_date": "in {date}",
        "no_clear": "No clear difference from {baseline} in: {metrics}.",
        "headline": "Headline results",
        "headline_intro": "Mean over the replications with its 95% confidence interval; Δ is the difference from "
                          "{baseline}, in bold where its interval excludes zero. Shares are in percent, their "
                          "differences in percentage points (pp).",
        "col_metric": "Metric", "col_date": "Date", "col_diff": "Δ {name}",
        "unpaired_mark": "unpaired (Welch) interval: different seed or number of replications",
        "teams": "Teams at risk",
        "teams_intro": "Leadership teams (班子) at risk at each reshuffle, out of all teams. Every scenario's teams "
                       "are judged by {baseline}'s thresholds, so that the counts compare: a team is at risk "
                       "when {rules}. Teams newly at risk, or no longer at risk, are counted against the same "
                       "team in {baseline}.",
        "risk_short": "it has more open posts at the reshuffle than eligible successors in its unit",
        "risk_young": "its chance of meeting the young-member target after the reshuffle round is below {p:.0%}",
        "risk_or": ", or ",
        "teams_intro_none": "Leadership teams (班子) at each reshuffle. Every scenario's teams are judged by "
                            "{baseline}'s thresholds, which switch both conditions off: no team counts as at risk.",
        "at_risk_of": "{k} of {n}", "moved": "{newly} newly, {gone} no longer at risk",
        "changes_intro": "Below, for each scenario, the teams whose risk changes most from {baseline} (at most {top} "
                         "per reshuffle): first those that become or stop being at risk, then those with the larger "
                         "change in shortfall (open posts minus eligible successors in the unit), then in the chance "
                         "of meeting the young-member target. Values read {baseline} → scenario. The figures are means over "
                         "the replications: with few replications a team near a threshold can change sides by chance; "
                         "run more replications before acting on a single team.",
        "changes_head": "{name}: teams that change most",
        "no_team_changes": "No team changes from {baseline}.",
        "col_unit": "Unit", "col_type": "Type", "col_at_risk": "At risk", "col_shortfall": "Shortfall",
        "col_young": "Chance young-member target met", "yes": "yes", "no": "no",
        "figures": "Figures",
        "differs": "What differs from the baseline",
        "differs_intro": "Every scenario setting that differs from {baseline} (the scenario files with every "
                         "default written out; name and description left out).",
        "no_diffs": "{name} has the same settings as {baseline}: it differs only in the random draws or the "
                    "number of replications.",
        "col_setting": "Setting", "absent": "(not set)",
        "assumptions": "Assumptions in force",
        "assumptions_intro": "Every rule and assumption the simulation uses, with the value in force and its "
                             "source. Where scenarios differ, each scenario's value is shown and the row is "
                             "highlighted.",
        "col_meaning": "Meaning", "col_value": "Value in force", "col_source": "Source",
        "source_rule": "Written rules", "source_seed": "Stated in the 2014 speech",
        "source_assumption": "Planning assumptions (no public source)",
        "method": "Method",
        "method_text": "Each scenario was simulated {reps} times from the same start roster (one replication is one "
                       "possible future). Results are means over the replications with Student-t 95% confidence "
                       "intervals. Where a scenario has the baseline's seed and number of replications, "
                       "replication i of both used the same random draws (common random numbers), so each "
                       "replication is compared with the same replication of the baseline and the interval is "
                       "computed on these paired differences. Otherwise the comparison is unpaired (Welch's "
                       "interval).",
        "narrower": "Pairing made the intervals of the differences a median {pct:.0f}% narrower than unpaired "
                    "intervals would have been.",
        "col_scenario": "Scenario", "col_folder": "Results folder", "col_reps": "Replications",
        "col_seed": "Seed", "col_version": "cadresim", "col_commit": "Commit", "col_finished": "Finished",
        "col_paired": "Compared with the baseline",
        "paired": "paired", "is_baseline": "(baseline)",
        "to": "to",
        "more": "{scenario} has {value} more {what} than {baseline} {when} (95% CI {low} to {high}).",
        "fewer": "{scenario} has {value} fewer {what} than {baseline} {when} (95% CI {low} to {high}).",
        "share_up": "The share of {what} is {value} percentage points higher in {scenario} than in {baseline} "
                    "{when} (95% CI {low} to {high}).",
        "share_down": "The share of {what} is {value} percentage points lower in {scenario} than in {baseline} "
                      "{when} (95% CI {low} to {high}).",
        "level_up": "The {what} is {value} {unit} higher in {scenario} than in {baseline} {when} "
                    "(95% CI {low} to {high}).",
        "level_down": "The {what} is {value} {unit} lower in {scenario} than in {baseline} {when} "
                      "(95% CI {low} to {high}).",
        "cap_differences": "How each scenario differs from {baseline} in the headline metrics at each snapshot "
                           "after the start (the start is the same for all). A dot is the mean difference over the "
                           "replications, the bar its 95% confidence interval: a bar crossing the zero line means "
                           "the difference could be chance. Filled dots are paired comparisons (same random "
                           "draws), open dots unpaired. Shares are in percentage points.",
        "cap_pipeline": "Cadres in post every quarter, by grade (rows, highest first) and birth decade (columns). "
                        "Lines are means over the replications, shaded bands their 95% range; the dotted line "
                        "marks the reshuffle.",
        "cap_grade_mix": "Each grade's cadres by birth decade right after the reshuffle, one bar per scenario.",
        "cap_eligible_pool": "The pool of section chiefs born in the 1980s (80后) who meet every condition for "
                             "deputy division head — years in grade, years of work, grassroots experience, two "
                             "section-chief posts, age — each quarter.",
        "cap_binding_rules": "Section chiefs (the candidates for deputy division head) after the reshuffle: "
                             "eligible, kept out by a single rule (relaxing that rule alone would make them "
                             "eligible: the rule binds), or failing two or more rules.",
        "cap_youth_talent": "Share of each Youth Talent (青年英才) cohort's members promoted at least once since "
                            "joining, at each snapshot, with 95% confidence intervals.",
        "footer": "Generated by cadresim compare. Numbers come from simulations of a synthetic district: read "
                  "differences between scenarios, not levels, as the result.",
    },
    "zh": {
        "title": "干部工作方案比较：{names}",
        "subtitle": "基准方案：{baseline}。区干部队伍模拟（cadresim {version}），报告日期 {today}。",
        "notes": "请注意",
        "brief": "要点",
        "brief_intro": "{when}与{baseline}的差异及95%置信区间。置信区间包含零的差异可能出于偶然。",
        "after_reshuffle": "{date}换届后",
        "at_date": "{date}",
        "no_clear": "以下指标与{baseline}无明显差异：{metrics}。",
        "headline": "主要结果",
        "headline_intro": "各次重复模拟的均值及95%置信区间；Δ为与{baseline}的差异，置信区间不含零时加粗。比例以百分比"
                          "表示，其差异以百分点（pp）表示。",
        "col_metric": "指标", "col_date": "时点", "col_diff": "Δ {name}",
        "unpaired_mark": "非配对（Welch）区间：随机种子或重复次数不同",
        "teams": "存在风险的班子",
        "teams_intro": "各次换届时存在风险的领导班子数及班子总数。各方案均按{baseline}的标准判断，以便比较：{rules}"
                       "的班子即存在风险。新增和不再存在风险的班子，均与{baseline}中的同一班子相比。",
        "risk_short": "换届时空缺职位多于本单位符合条件的人选",
        "risk_young": "换届后达到年轻干部配备目标的概率低于{p:.0%}",
        "risk_or": "，或",
        "teams_intro_none": "各次换届时的领导班子。各方案均按{baseline}的标准判断，该标准关闭了两项条件：没有班子视为存在风险。",
        "at_risk_of": "{n}个中{k}个", "moved": "新增{newly}个，不再存在风险{gone}个",
        "changes_intro": "以下为各方案与{baseline}相比风险变化最大的班子（每次换届最多{top}个）：先列风险状态改变的班子，"
                         "再按缺口（空缺职位数减本单位符合条件的人选数）变化、达到年轻干部目标的概率变化从大到小排列。"
                         "数值为{baseline} → 该方案。各数值为各次重复模拟的平均值：重复次数较少时，接近阈值的班子可能因偶然因素"
                         "改变风险状态，针对单个班子作出决定前应增加重复次数。",
        "changes_head": "{name}：变化最大的班子",
        "no_team_changes": "与{baseline}相比，没有班子发生变化。",
        "col_unit": "单位", "col_type": "类型", "col_at_risk": "存在风险", "col_shortfall": "缺口",
        "col_young": "配备年轻干部的概率", "yes": "是", "no": "否",
        "figures": "图表",
        "differs": "与基准方案的不同之处",
        "differs_intro": "各方案与{baseline}不同的全部设置（取自写明全部默认值的方案文件，不含名称和说明）。",
        "no_diffs": "{name}与{baseline}设置相同，仅随机数或重复次数不同。",
        "col_setting": "设置", "absent": "（未设置）",
        "assumptions": "现行规定与假设",
        "assumptions_intro": "模拟所用的全部规定和假设，及其现行取值和来源。各方案取值不同时分别列出并突出显示。",
        "col_meaning": "含义", "col_value": "现行取值", "col_source": "来源",
        "source_rule": "成文规定", "source_seed": "2014年讲话中的表述", "source_assumption": "规划假设（无公开来源）",
        "method": "方法说明",
        "method_text": "每个方案从同一起始干部名册出发模拟{reps}次（每次为一种可能的未来）。结果为各次模拟的均值及t分布95%"
                       "置信区间。方案与基准的随机种子和重复次数相同时，两者第i次模拟使用相同的随机数（共同随机数），"
                       "逐次比较后对配对差异计算置信区间；否则采用非配对的Welch区间。",
        "narrower": "配对比较使差异的置信区间比非配对比较窄，中位数为{pct:.0f}%。",
        "col_scenario": "方案", "col_folder": "结果目录", "col_reps": "重复次数", "col_seed": "随机种子",
        "col_version": "cadresim", "col_commit": "提交", "col_finished": "完成时间", "col_paired": "与基准的比较",
        "paired": "配对", "is_baseline": "（基准）",
        "to": "至",
        "more": "{when}，{scenario}的{what}比{baseline}多{value}{unit}（95%置信区间 {low} 至 {high}）。",
        "fewer": "{when}，{scenario}的{what}比{baseline}少{value}{unit}（95%置信区间 {low} 至 {high}）。",
        "share_up": "{when}，{scenario}的{what}比{baseline}高{value}个百分点（95%置信区间 {low} 至 {high}）。",
        "share_down": "{when}，{scenario}的{what}比{baseline}低{value}个百分点（95%置信区间 {low} 至 {high}）。",
        "level_up": "{when}，{scenario}的{what}比{baseline}高{value}{unit}（95%置信区间 {low} 至 {high}）。",
        "level_down": "{when}，{scenario}的{what}比{baseline}低{value}{unit}（95%置信区间 {low} 至 {high}）。",
        "cap_differences": "各方案主要指标在期初以后各时点与{baseline}的差异（期初各方案相同）。圆点为各次模拟差异的均值，"
                           "横线为95%置信区间：横线跨过零线表示差异可能出于偶然。实心圆点为配对比较（相同随机数），"
                           "空心为非配对比较。比例以百分点表示。",
        "cap_pipeline": "每季度在岗干部数，按职级（行，自上而下由高到低）和出生年代（列）。线为各次模拟均值，阴影为95%"
                        "区间；虚线为换届时点。",
        "cap_grade_mix": "换届后各职级干部的出生年代构成，每个方案一条。",
        "cap_eligible_pool": "每季度符合副处任职全部条件（任职年限、工作年限、基层工作经历、两个科长岗位、年龄）的80后"
                             "正科级干部人数。",
        "cap_binding_rules": "换届后的正科级干部（副处人选）：符合条件的、仅因一项条件不符的（单独放宽该项即可符合：起约束"
                             "作用的条件）、两项及以上条件不符的。",
        "cap_youth_talent": "青年英才各期学员入选后至少获提拔一次的比例（各时点，含95%置信区间）。",
        "footer": "由 cadresim compare 生成。数据来自对一个合成区的模拟：应关注方案之间的差异，而非绝对水平。",
    },
}

#: English nouns for sentences where the plot label reads badly inside one.
NOUNS = {
    "post80_section_eligible": "section-level holders born in the 1980s who are eligible for deputy division",
    "post80_section_eligible_strict": "section-level holders born in the 1980s who are eligible for deputy division "
                                      "under the default rules",
    "reshuffle_unfilled": "division-level and deputy-bureau posts left open",
    "reshuffle_fill_rate": "division-level and deputy-bureau posts filled",
    "division_level_mean_age": "mean age of division-level holders",
    "division_successor_ratio": "number of eligible candidates per division-head post",
    "promotion_merit_mean": "mean merit of cadres promoted since the start",
}

FIGURE_ORDER = ("differences", "pipeline", "grade_mix", "eligible_pool", "binding_rules", "youth_talent")

CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; --accent:#0b5cad; --hi:#fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55; font-size: 16px;
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "PingFang SC",
  "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 40px 32px 64px; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin: 2.6rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
p, li { max-width: 75ch; }
.subtitle { color: var(--muted); margin: 0 0 1.5rem; }
.notes { background: #fff4e5; border-left: 4px solid #d97706; padding: .8rem 1.1rem; margin: 1.2rem 0; }
.notes h2 { border: 0; margin: 0 0 .3rem; font-size: 1.05rem; padding: 0; }
.notes ul { margin: 0; padding-left: 1.2rem; }
.brief { background: var(--soft); border-radius: 8px; padding: .6rem 1.4rem 1rem; }
.brief h2 { margin-top: .8rem; }
.brief h3 { margin-top: 1rem; }
.brief li { margin: .25rem 0; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .6rem 0 1rem; }
th, td { padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; }
td .ci { display: block; color: var(--muted); font-size: .82rem; }
td.clear { font-weight: 700; background: #eef6ff; }
tbody tr.first td { border-top: 2px solid var(--line); }
tr.differs td { background: var(--hi); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .86em;
  background: var(--soft); padding: .05em .3em; border-radius: 4px; }
figure { margin: 1.5rem 0 2.2rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: .92rem; margin-top: .5rem; max-width: 90ch; }
figcaption b { color: var(--ink); }
details { margin: .6rem 0; }
summary { cursor: pointer; font-weight: 600; margin: .4rem 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
  padding-top: .8rem; }
@media print { main { max-width: none; padding: 0; } figure, table { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class Setting:
    """One rule or assumption in force: a generic key, its meaning and source, values per scenario."""

    key: str
    meaning: str
    source: str
    citation: str
    values: dict[str, str]  # scenario -> value text (entries joined)

    @property
    def differs(self) -> bool:
        return len(set(self.values.values())) > 1


def render_report(comp: Comparison, images: Mapping[str, bytes], today: str | None = None) -> str:
    """The report as one HTML string; ``images`` maps figure names to PNG bytes."""
    t = TEXT[comp.lang]
    lab, _ = labels_for(comp, comp.lang)
    parts = [_title(comp, t, today), _notes(comp, t), _brief(comp, t, lab), _headline(comp, t, lab),
             _teams(comp, t, lab), _figures(comp, t, images), _differences(comp, t), _assumptions(comp, t),
             _method(comp, t), f"<footer>{_e(t['footer'])}</footer>"]
    title = _e(t["title"].format(names=", ".join(comp.scenarios)))
    head = (f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if comp.lang == "zh" else "en"}">\n<head>\n'
            '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n")
    return head + "\n".join(p for p in parts if p) + "\n</main>\n</body>\n</html>\n"


def _title(comp: Comparison, t: Mapping[str, str], today: str | None) -> str:
    from cadresim import __version__

    sub = t["subtitle"].format(baseline=comp.baseline.name, version=__version__,
                               today=today or datetime.now().strftime("%Y-%m-%d"))
    return (f"<h1>{_e(t['title'].format(names=', '.join(comp.scenarios)))}</h1>"
            f'<p class="subtitle">{_e(sub)}</p>')


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _notes(comp: Comparison, t: Mapping[str, str]) -> str:
    if not comp.notes:
        return ""
    items = "".join(f"<li>{_e(n)}</li>" for n in comp.notes)
    return f'<section class="notes"><h2>{_e(t["notes"])}</h2><ul>{items}</ul></section>'


# --- numbers as text -----------------------------------------------------------------------------


def _is_share(metric: str) -> bool:
    return plots.metric_unit(metric) == "unit_percent"


def _num(value: float, metric: str, signed: bool = False) -> str:
    """A metric value (shares as percent) or difference (shares in points), as text."""
    if value is None or not np.isfinite(value):
        return "–"
    v = 100 * value if _is_share(metric) else value
    decimals = 2 if plots.metric_unit(metric) in ("unit_ratio", "unit_merit") else 1
    text = f"{v:+.{decimals}f}" if signed else f"{v:.{decimals}f}"
    return text.replace("-", "−")


def _clear(row: pd.Series) -> bool:
    """Whether a difference's interval excludes zero."""
    low, high = row["diff_ci95_low"], row["diff_ci95_high"]
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))


def _when(comp: Comparison, date: str, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    key = "after_reshuffle" if date in reshuffle_dates(comp) else "at_date"
    return t[key].format(date=plots.date_text(date, lab))


# --- in brief ------------------------------------------------------------------------------------


def _brief(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    date = key_date(comp)
    table = comp.tables["comparison"]
    at = table[(table["date"] == date) & table["metric"].isin(comp.metrics)]
    when = _when(comp, date, t, lab)
    blocks = [f"<h2>{_e(t['brief'])}</h2>",
              f"<p>{_e(t['brief_intro'].format(baseline=comp.baseline.name, when=when))}</p>"]
    base = comp.baseline.name
    for name in comp.scenarios[1:]:
        rows = at[at["scenario"] == name].set_index("metric").reindex(comp.metrics).dropna(subset=["diff"])
        clear = [sentence(m, r, name, base, when, comp.lang, lab) for m, r in rows.iterrows() if _clear(r)]
        unclear = [plots.metric_label(m, lab) for m, r in rows.iterrows() if not _clear(r)]
        items = "".join(f"<li>{_e(s)}</li>" for s in clear)
        if unclear:
            listed = ("、" if comp.lang == "zh" else "; ").join(unclear)
            items += f'<li class="muted">{_e(t["no_clear"].format(baseline=base, metrics=listed))}</li>'
        blocks.append(f"<h3>{_e(name)}</h3><ul>{items}</ul>")
    return '<section class="brief">' + "".join(blocks) + "</section>"


def sentence(metric: str, row: Mapping[str, Any], scenario: str, baseline: str, when: str, lang: str = "en",
             labels: Mapping[str, str] = plots.LABELS) -> str:
    """A plain-language sentence for one difference, e.g. "youth2 has 1.8 more division-level holders
    born in the 1980s than baseline after the Dec 2016 reshuffle (95% CI 0.2 to 3.4)."."""
    t = TEXT[lang]
    lab = {**plots.LABELS, **labels}
    unit = plots.metric_unit(metric)
    up = row["diff"] >= 0
    what = NOUNS.get(metric, "") if lang == "en" else ""
    what = what or plots.metric_label(metric, lab)
    what = what[0].lower() + what[1:] if lang == "en" and not what[:2].isupper() else what
    if _is_share(metric):
        key = "share_up" if up else "share_down"
    elif unit in ("unit_cadres", "unit_posts"):
        key = "more" if up else "fewer"
    else:
        key = "level_up" if up else "level_down"
    return t[key].format(scenario=scenario, baseline=baseline, when=when, what=what,
                         value=_num(abs(row["diff"]), metric), unit=lab.get(unit, ""),
                         low=_num(row["diff_ci95_low"], metric), high=_num(row["diff_ci95_high"], metric))


# --- the headline table --------------------------------------------------------------------------


def _headline(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    table = comp.tables["comparison"]
    rows = table[table["metric"].isin(comp.metrics)]
    names = comp.scenarios
    head = [t["col_metric"], t["col_date"], names[0]]
    for n in names[1:]:
        head += [n, t["col_diff"].format(name=n)]
    cells = [f'<th{" class=num" if i > 1 else ""}>{_e(h)}</th>' for i, h in enumerate(head)]
    body = []
    for metric in comp.metrics:
        here = rows[rows["metric"] == metric]
        ordered = sorted(here["date"].unique(), key=dates.parse)
        for k, date in enumerate(ordered):
            body.append(_headline_row(metric, date, here[here["date"] == date].set_index("scenario"), names, k,
                                      len(ordered), lab, t["to"]))
    unpaired = any(p != "paired" for p in comp.pairing.values())
    foot = f'<p class="muted">† {_e(t["unpaired_mark"])}</p>' if unpaired else ""
    return (f"<h2>{_e(t['headline'])}</h2><p>{_e(t['headline_intro'].format(baseline=names[0]))}</p>"
            f'<table id="headline"><thead><tr>{"".join(cells)}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            + foot)


def _headline_row(metric: str, date: str, at: pd.DataFrame, names: list[str], k: int, n_dates: int,
                  lab: Mapping[str, str], to: str) -> str:
    first = f'<td rowspan="{n_dates}">{_e(plots.metric_label(metric, lab))}</td>' if k == 0 else ""
    cells = [first, f'<td class="date">{_e(plots.date_text(date, lab))}</td>']
    for i, name in enumerate(names):
        if name not in at.index:
            cells += ['<td class="num">–</td>'] + (['<td class="num">–</td>'] if i else [])
            continue
        r = at.loc[name]
        cells.append(f'<td class="num">{_value_cell(r, metric)}</td>')
        if i:
            cells.append(_diff_cell(r, metric, to))
    cls = ' class="first"' if k == 0 else ""
    return f"<tr{cls}>{''.join(cells)}</tr>"


def _spread(low: float, high: float) -> bool:
    """Whether an interval has a width worth showing (not a point, up to rounding)."""
    return bool(np.isfinite(low) and np.isfinite(high) and high - low > 1e-9 * max(1.0, abs(low), abs(high)))


def _value_cell(r: pd.Series, metric: str) -> str:
    ci = ""
    if _spread(r["ci95_low"], r["ci95_high"]):
        ci = f'<span class="ci">{_num(r["ci95_low"], metric)} – {_num(r["ci95_high"], metric)}</span>'
    return _e(_num(r["mean"], metric)) + ci


def _diff_cell(r: pd.Series, metric: str, to: str = "to") -> str:
    if not np.isfinite(r["diff"]):
        return '<td class="num">–</td>'
    mark = "" if pd.isna(r["paired"]) or bool(r["paired"]) else " †"
    ci = ""
    if _spread(r["diff_ci95_low"], r["diff_ci95_high"]):
        ci = f'<span class="ci">{_num(r["diff_ci95_low"], metric)} {to} {_num(r["diff_ci95_high"], metric)}</span>'
    unit = " pp" if _is_share(metric) else ""
    cls = "num clear" if _clear(r) else "num"
    return f'<td class="{cls}">{_e(_num(r["diff"], metric, signed=True) + unit + mark)}{ci}</td>'


# --- teams at risk -------------------------------------------------------------------------------


def _teams(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    """At-risk counts per scenario and reshuffle, then each scenario's teams that change most."""
    if "teams" not in comp.tables:
        return ""
    table, changes = comp.tables["teams"], comp.tables["team_changes"]
    base, settings = comp.baseline.name, report_settings(comp.baseline)
    rules = _risk_rules(settings.risk, t)
    intro = t["teams_intro"].format(baseline=base, rules=rules) if rules else t["teams_intro_none"].format(
        baseline=base)
    out = [f'<h2 id="teams">{_e(t["teams"])}</h2>', f"<p>{_e(intro)}</p>",
           _team_counts(table, comp.scenarios, t, lab)]
    have = set(table["scenario"])
    if base in have and len(have) > 1:
        out.append(f"<p>{_e(t['changes_intro'].format(baseline=base, top=settings.top_teams))}</p>")
        types = _type_labels(comp)
        out += [_team_changes(changes[changes["scenario"] == name], name, base, types, t, lab)
                for name in comp.scenarios[1:] if name in have]
    return "\n".join(out)


def _risk_rules(risk: RiskThresholds, t: Mapping[str, str]) -> str:
    """The at-risk conditions in force as one clause ("" when both are off)."""
    rules = [t["risk_short"]] if risk.vacancies_over_successors else []
    if risk.young_target_probability > 0:
        rules.append(t["risk_young"].format(p=risk.young_target_probability))
    return t["risk_or"].join(rules)


def _team_counts(table: pd.DataFrame, names: list[str], t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    """Rows: reshuffle dates; columns: scenarios; cells: teams at risk of all, and the moves from the baseline."""
    head = "".join(f'<th class="num">{_e(n)}</th>' for n in names)
    body = []
    for date in sorted(table["date"].unique(), key=dates.parse):
        at = table[table["date"] == date].set_index("scenario")
        cells = [_count_cell(at.loc[n], i > 0, t) if n in at.index else '<td class="num">–</td>'
                 for i, n in enumerate(names)]
        body.append(f'<tr><td class="date">{_e(plots.date_text(date, lab))}</td>{"".join(cells)}</tr>')
    return (f'<table id="teams-at-risk"><thead><tr><th>{_e(t["col_date"])}</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _count_cell(r: pd.Series, moves: bool, t: Mapping[str, str]) -> str:
    text = _e(t["at_risk_of"].format(k=r["at_risk"], n=r["teams"]))
    if moves and not pd.isna(r["newly_at_risk"]):
        moved = t["moved"].format(newly=r["newly_at_risk"], gone=r["no_longer_at_risk"])
        text += f'<span class="ci">{_e(moved)}</span>'
    return f'<td class="num">{text}</td>'


def _type_labels(comp: Comparison) -> dict[str, str]:
    """Unit type -> label: the baseline's name_zh in Chinese, else the type id in words."""
    units = ((comp.baseline.resolved.get("district") or {}).get("units")) or {}
    en = {k: str(k).replace("_", " ") for k in units}
    return {k: (v or {}).get("name_zh") or en[k] for k, v in units.items()} if comp.lang == "zh" else en


def _team_changes(rows: pd.DataFrame, name: str, base: str, types: Mapping[str, str], t: Mapping[str, str],
                  lab: Mapping[str, str]) -> str:
    """One scenario's teams that change most: unit, type and baseline → scenario values."""
    out = f"<h3>{_e(t['changes_head'].format(name=name))}</h3>"
    if rows.empty:
        return out + f'<p class="muted">{_e(t["no_team_changes"].format(baseline=base))}</p>'
    head = "".join(f"<th>{_e(t[c])}</th>" for c in ("col_date", "col_unit", "col_type", "col_at_risk",
                                                     "col_shortfall", "col_young"))
    body = "".join(_change_row(r, types, t, lab) for _, r in rows.iterrows())
    return out + f'<table class="team-changes"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _change_row(r: pd.Series, types: Mapping[str, str], t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    def flag(v: object) -> str:
        return t["yes"] if bool(v) else t["no"]

    cells = [plots.date_text(r["date"], lab), r["name"], types.get(r["type"], str(r["type"]).replace("_", " ")),
             f"{flag(r['at_risk_baseline'])} → {flag(r['at_risk'])}",
             f"{_plain(r['shortfall_baseline'])} → {_plain(r['shortfall'])}",
             f"{_percent(r['young_target_met_baseline'])} → {_percent(r['young_target_met'])}"]
    cls = ' class="differs"' if bool(r["at_risk"]) != bool(r["at_risk_baseline"]) else ""
    return f"<tr{cls}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"


def _plain(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.1f}".replace("-", "−")


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


# --- figures -------------------------------------------------------------------------------------


def data_uri(png: bytes) -> str:
    """A PNG as a data: URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figures(comp: Comparison, t: Mapping[str, str], images: Mapping[str, bytes]) -> str:
    out = [f"<h2>{_e(t['figures'])}</h2>"]
    for k, name in enumerate([n for n in FIGURE_ORDER if n in images] + [n for n in images if n not in FIGURE_ORDER]):
        caption = t.get(f"cap_{name}", "").format(baseline=comp.baseline.name)
        out.append(f'<figure id="fig-{_e(name)}"><img src="{data_uri(images[name])}" alt="{_e(caption or name)}">'
                   f"<figcaption><b>{k + 1}.</b> {_e(caption)}</figcaption></figure>")
    return "\n".join(out)


# --- what differs --------------------------------------------------------------------------------


def yaml_value(value: Any, absent: str = "(not set)") -> str:
    """A setting's value as written in a scenario file (flow-style YAML)."""
    if value is ABSENT:
        return absent
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    return re.sub(r"\n(\.\.\.\n)?$", "", text).strip()


def _differences(comp: Comparison, t: Mapping[str, str]) -> str:
    diffs = comp.tables["differences"]
    base = comp.baseline.name
    out = [f"<h2>{_e(t['differs'])}</h2>", f"<p>{_e(t['differs_intro'].format(baseline=base))}</p>"]
    for run in comp.runs[1:]:
        rows = diffs[diffs["scenario"] == run.name]
        out.append(f"<h3>{_e(run.name)}</h3>")
        if run.resolved.get("description"):
            out.append(f'<p class="muted">{_e(run.resolved["description"])}</p>')
        if rows.empty:
            out.append(f"<p>{_e(t['no_diffs'].format(name=run.name, baseline=base))}</p>")
            continue
        body = "".join(f"<tr><td><code>{_e(r.key)}</code></td><td>{_e(yaml_value(r.baseline, t['absent']))}</td>"
                       f"<td>→ {_e(yaml_value(r.value, t['absent']))}</td></tr>" for r in rows.itertuples())
        out.append(f"<table><thead><tr><th>{_e(t['col_setting'])}</th><th>{_e(base)}</th><th>{_e(run.name)}</th>"
                   f"</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(out)


# --- assumptions in force ------------------------------------------------------------------------


def assumptions_in_force(resolved: Mapping[str, Mapping[str, Any]]) -> list[Setting]:
    """The [rule], [seed] and [assumption] settings of the resolved scenarios, with values in force.

    Args:
        resolved: scenario name -> resolved scenario (as in scenario.resolved.yaml), baseline first.

    Returns:
        One :class:`Setting` per generic key (``grades.<grade>.age_ceiling``), in schema order; a
        key of a keyed mapping lists its entries (``section: 40; deputy_division: 45``).
    """
    rows = _schema_rows()
    flat = {name: flatten({k: v for k, v in r.items() if k not in NOT_SIMULATED}) for name, r in resolved.items()}
    grouped: dict[str, dict[str, dict[str, Any]]] = {key: {} for key in rows}
    for name, leaves in flat.items():
        for key, value in leaves.items():
            match = _generic(key, rows)
            if match is not None:
                generic, entry = match
                grouped[generic].setdefault(name, {})[entry] = value
    out = []
    for key, by_name in grouped.items():
        if by_name and rows[key].source in SOURCES:
            values = {name: _entries_text(by_name.get(name, {})) for name in resolved}
            out.append(Setting(key, rows[key].meaning, rows[key].source, docgen.citation(key), values))
    return out


def _schema_rows() -> dict[str, docgen.Row]:
    return {row.key: row for table in docgen.tables() for row in table.rows if not row.mapping}


def _generic(key: str, rows: Mapping[str, docgen.Row]) -> tuple[str, str] | None:
    """(generic key, entry name) of a concrete dotted key: grades.section.x -> (grades.<grade>.x, section)."""
    parts = key.split(".")
    best = None
    for generic in rows:
        pattern = generic.split(".")
        if len(pattern) == len(parts) and all(p == k or p.startswith("<") for p, k in zip(pattern, parts)):
            holes = [k for p, k in zip(pattern, parts) if p.startswith("<")]
            if best is None or len(holes) < len(best[1]):
                best = (generic, holes)
    return None if best is None else (best[0], ".".join(best[1]))


def _entries_text(entries: Mapping[str, Any]) -> str:
    if list(entries) == [""]:
        return yaml_value(entries[""])
    return "; ".join(f"{entry}: {yaml_value(v)}" for entry, v in entries.items())


def _assumptions(comp: Comparison, t: Mapping[str, str]) -> str:
    settings = assumptions_in_force({r.name: r.resolved for r in comp.runs})
    out = [f"<h2>{_e(t['assumptions'])}</h2>", f"<p>{_e(t['assumptions_intro'])}</p>"]
    for source in SOURCES:
        group = [s for s in settings if s.source == source]
        if not group:
            continue
        body = "".join(_setting_row(s, source) for s in group)
        head = f"<th>{_e(t['col_setting'])}</th><th>{_e(t['col_meaning'])}</th><th>{_e(t['col_value'])}</th>"
        head += f"<th>{_e(t['col_source'])}</th>" if source != ASSUMPTION else ""
        out.append(f"<details open><summary>{_e(t['source_' + source])} ({len(group)}) [{source}]</summary>"
                   f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>")
    return "\n".join(out)


def _setting_row(s: Setting, source: str) -> str:
    if s.differs:
        value = "<br>".join(f"<b>{_e(name)}</b>: {_e(v)}" for name, v in s.values.items())
    else:
        value = _e(next(iter(s.values.values())))
    cite = f"<td>{_e(s.citation)}</td>" if source != ASSUMPTION else ""
    cls = ' class="differs"' if s.differs else ""
    return f"<tr{cls}><td><code>{_e(s.key)}</code></td><td>{_e(s.meaning)}</td><td>{value}</td>{cite}</tr>"


# --- method --------------------------------------------------------------------------------------


def _method(comp: Comparison, t: Mapping[str, str]) -> str:
    reps = sorted({r.replications for r in comp.runs})
    text = t["method_text"].format(reps="/".join(str(r) for r in reps))
    ratio = comp.tables["comparison"]["halfwidth_ratio"].dropna()
    narrower = f" {t['narrower'].format(pct=100 * (1 - ratio.median()))}" if len(ratio) else ""
    head = "".join(f"<th>{_e(t[c])}</th>" for c in ("col_scenario", "col_folder", "col_reps", "col_seed",
                                                     "col_version", "col_commit", "col_finished", "col_paired"))
    body = "".join(_run_row(comp, i, t) for i in range(len(comp.runs)))
    return (f"<h2>{_e(t['method'])}</h2><p>{_e(text + narrower)}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _run_row(comp: Comparison, i: int, t: Mapping[str, str]) -> str:
    run = comp.runs[i]
    m = run.manifest
    how = t["is_baseline"] if i == 0 else comp.pairing[run.name]
    how = t["paired"] if how == "paired" else how
    cells = [run.name, str(run.path), run.replications, run.seed, m.get("cadresim_version", ""),
             (m.get("git_commit") or "")[:10], m.get("finished", ""), how]
    return "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
