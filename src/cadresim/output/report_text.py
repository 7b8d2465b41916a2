"""The fixed parts of report.html: its sentences in English and Chinese (:data:`TEXT`) and its stylesheet
(:data:`CSS`). The HTML is built by :mod:`cadresim.output.html`; metric and grade names come from
:mod:`cadresim.report.labels`."""

from __future__ import annotations

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
                          "differences in percentage points (pp). A value without an interval is the same in "
                          "every replication.",
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
        "changes_fold": "Teams that change most, scenario by scenario",
        "no_team_changes": "No team changes from {baseline}.",
        "col_unit": "Unit", "col_type": "Type", "col_at_risk": "At risk", "col_shortfall": "Shortfall",
        "col_young": "Chance young-member target met", "yes": "yes", "no": "no",
        "figures": "Figures",
        "fig_differences": "Differences from the baseline", "fig_pipeline": "Cadres in post by grade and birth decade",
        "fig_nonleading": "Holders of non-leading ranks (非领导职务)",
        "fig_grade_mix": "Birth-decade make-up of each grade after the reshuffle",
        "fig_eligible_pool": "Section chiefs born in the 1980s eligible for deputy division head",
        "fig_binding_rules": "Which rule keeps candidates out", "fig_youth_talent": "Youth Talent cohorts promoted",
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
                       "possible future). Results are means over the replications with 95% confidence intervals "
                       "that stay within each metric's range: Student-t intervals made on the logit scale for "
                       "shares and on the log scale for counts (docs/model.md, \"How intervals are computed\"); "
                       "an interval is a single value where every replication agrees. Differences use plain "
                       "t-intervals. Where a scenario has the baseline's seed and number of replications, "
                       "replication i of both used the same random draws (common random numbers), so each "
                       "replication is compared with the same replication of the baseline and the interval is "
                       "computed on these paired differences. Otherwise the comparison is unpaired (Welch's "
                       "interval).",
        "robust_up": "higher in {k} of {n} districts, lower in {other}",
        "robust_down": "lower in {k} of {n} districts, higher in {other}",
        "robust_none": "none",
        "robust_sentence": "District by district: {text}.",
        "method_ensemble": "Each scenario was simulated over the same {districts} plausible districts (start rosters), "
                           "{per} times each (one replication is one possible future of one district). Results are "
                           "means over the districts with 95% confidence intervals that account for replications "
                           "being nested in districts, so that they include what is not known about the district: "
                           "a Student-t interval of the mean of the district means, over the districts, made on the "
                           "logit scale for shares and on the log scale for counts (docs/model.md, \"Intervals "
                           "across districts\"). Differences are computed district by district: where a scenario "
                           "has the baseline's seed and number of replications, replication i of both started from "
                           "the same district with the same random draws, so each replication is compared with the "
                           "same replication of the baseline; otherwise (Welch's interval) each district's mean is "
                           "compared with the baseline's. The interval of a difference is a t-interval over the "
                           "districts' differences. A difference counts as higher (lower) in a district where that "
                           "district's own 95% interval, over its replications, lies above (below) zero.",
        "narrower": "Pairing made the intervals of the differences a median {pct:.0f}% narrower than unpaired "
                    "intervals would have been.",
        "col_scenario": "Scenario", "col_folder": "Results folder", "col_reps": "Replications",
        "col_seed": "Seed", "col_version": "cadresim", "col_commit": "Commit", "col_finished": "Finished",
        "col_paired": "Compared with the baseline",
        "paired": "paired", "is_baseline": "(baseline)",
        "unpaired": "not paired: {why}", "why_seed": "different seeds ({base} vs {run})",
        "why_reps": "different replication counts ({base} vs {run})", "why_and": " and ",
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
        "cap_nonleading": "Holders of each non-leading rank (副主任科员, 主任科员, 副调研员, 调研员) every quarter, by "
                          "birth decade: appointed at the December review, and leaders who reached their leaving "
                          "age. The headline metrics and the other figures count leading posts only.",
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
        "footer_ensemble": "Generated by cadresim compare. Numbers come from simulations of {n} synthetic districts: "
                           "read differences between scenarios, and how many districts share them, not levels, as "
                           "the result.",
        "footer_roster": "Generated by cadresim compare. Numbers come from simulations that start from a "
                         "department's own roster (named by its SHA-256 in each run's manifest.json): read "
                         "differences between scenarios as the result; levels also rest on the model's "
                         "assumptions.",
        "footer_mixed": "Generated by cadresim compare. Some runs start from a department's own roster and others "
                        "from a synthetic district, so their differences mix the change of district with the "
                        "change of policy.",
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
                          "表示，其差异以百分点（pp）表示。只有数值而无区间的，各次模拟结果相同。",
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
        "changes_fold": "各方案变化最大的班子",
        "no_team_changes": "与{baseline}相比，没有班子发生变化。",
        "col_unit": "单位", "col_type": "类型", "col_at_risk": "存在风险", "col_shortfall": "缺口",
        "col_young": "配备年轻干部的概率", "yes": "是", "no": "否",
        "figures": "图表",
        "fig_differences": "与基准方案的差异", "fig_pipeline": "分职级、分出生年代在岗干部数",
        "fig_nonleading": "非领导职务人数",
        "fig_grade_mix": "换届后各职级干部的出生年代构成", "fig_eligible_pool": "符合副处任职条件的80后正科级干部",
        "fig_binding_rules": "哪一项条件把人选挡在门外", "fig_youth_talent": "青年英才学员获提拔情况",
        "differs": "与基准方案的不同之处",
        "differs_intro": "各方案与{baseline}不同的全部设置（取自写明全部默认值的方案文件，不含名称和说明）。",
        "no_diffs": "{name}与{baseline}设置相同，仅随机数或重复次数不同。",
        "col_setting": "设置", "absent": "（未设置）",
        "assumptions": "现行规定与假设",
        "assumptions_intro": "模拟所用的全部规定和假设，及其现行取值和来源。各方案取值不同时分别列出并突出显示。",
        "col_meaning": "含义", "col_value": "现行取值", "col_source": "来源",
        "source_rule": "成文规定", "source_seed": "2014年讲话中的表述", "source_assumption": "规划假设（无公开来源）",
        "method": "方法说明",
        "method_text": "每个方案从同一起始干部名册出发模拟{reps}次（每次为一种可能的未来）。结果为各次模拟的均值及95%"
                       "置信区间，区间不超出指标的取值范围：比例在logit尺度、人数在对数尺度上计算t分布区间"
                       "（见 docs/model.md）；各次模拟结果相同时，区间即为该数值。差异采用普通t分布区间。"
                       "方案与基准的随机种子和重复次数相同时，两者第i次模拟使用相同的随机数（共同随机数），"
                       "逐次比较后对配对差异计算置信区间；否则采用非配对的Welch区间。",
        "robust_up": "{n}个区中{k}个区较高，{other}个区较低",
        "robust_down": "{n}个区中{k}个区较低，{other}个区较高",
        "robust_none": "0",
        "robust_sentence": "逐区看：{text}。",
        "method_ensemble": "每个方案在相同的{districts}个合理的区（起始名册）上各模拟{per}次（每次为一个区的一种可能的未来）。"
                           "结果为各区的均值及95%置信区间，区间考虑了重复模拟嵌套于区之内，因而包含了对区的情况的不确定性："
                           "对各区均值的平均数按区计算t分布区间，比例在logit尺度、人数在对数尺度上计算（见 docs/model.md）。"
                           "差异逐区计算：方案与基准的随机种子和重复次数相同时，两者第i次模拟从同一个区出发并使用相同的随机数，"
                           "逐次比较；否则（Welch区间）比较各区的均值。差异的置信区间按各区差异计算t分布区间。"
                           "某区自身的95%置信区间（按该区各次模拟计算）高于（低于）零时，该区计为较高（较低）。",
        "narrower": "配对比较使差异的置信区间比非配对比较窄，中位数为{pct:.0f}%。",
        "col_scenario": "方案", "col_folder": "结果目录", "col_reps": "重复次数", "col_seed": "随机种子",
        "col_version": "cadresim", "col_commit": "提交", "col_finished": "完成时间", "col_paired": "与基准的比较",
        "paired": "配对", "is_baseline": "（基准）",
        "unpaired": "非配对：{why}", "why_seed": "随机种子不同（{base}与{run}）",
        "why_reps": "重复次数不同（{base}与{run}）", "why_and": "，",
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
        "cap_nonleading": "每季度各非领导职务（副主任科员、主任科员、副调研员、调研员）人数，按出生年代：含每年12月评定任命的"
                          "和到退出领导岗位年龄改任的。核心指标和其他图表只计领导职务。",
        "cap_grade_mix": "换届后各职级干部的出生年代构成，每个方案一条。",
        "cap_eligible_pool": "每季度符合副处任职全部条件（任职年限、工作年限、基层工作经历、两个科长岗位、年龄）的80后"
                             "正科级干部人数。",
        "cap_binding_rules": "换届后的正科级干部（副处人选）：符合条件的、仅因一项条件不符的（单独放宽该项即可符合：起约束"
                             "作用的条件）、两项及以上条件不符的。",
        "cap_youth_talent": "青年英才各期学员入选后至少获提拔一次的比例（各时点，含95%置信区间）。",
        "footer": "由 cadresim compare 生成。数据来自对一个合成区的模拟：应关注方案之间的差异，而非绝对水平。",
        "footer_ensemble": "由 cadresim compare 生成。数据来自对{n}个合成区的模拟：应关注方案之间的差异及其在多少个区中成立，而非绝对水平。",
        "footer_roster": "由 cadresim compare 生成。数据来自以本单位干部名册为起点的模拟（名册文件的 SHA-256 见各次运行的 "
                         "manifest.json）：应关注方案之间的差异；绝对水平还取决于模型的假设。",
        "footer_mixed": "由 cadresim compare 生成。部分方案以本单位干部名册为起点，部分以合成区为起点，因此方案之间的差异"
                        "同时包含起点不同和政策不同的影响。",
    },
}

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
summary h2, summary h3 { display: inline; margin: 0; padding: 0; border: 0; }
details.part { margin-top: 2rem; }
details.part > summary { padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
  padding-top: .8rem; }
@media print { main { max-width: none; padding: 0; } figure, table { break-inside: avoid; } }
"""
