"""What readers see of a scenario setting: a label for axes and legends, and its meaning, source and
value in English or Chinese.

The English meanings come from the scenario schema (:mod:`cadresim.scenario.docs`), so they cannot
drift from the code; the Chinese ones are here (:data:`MEANINGS_ZH`, by generic key such as
``grades.<grade>.age_ceiling``), with the Chinese text of each cited source (:data:`CITATIONS_ZH`) and
the names of the sections (:data:`SECTIONS`). A test fails when a setting lacks its Chinese meaning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cadresim.district.synthetic import UNIT_LABELS
from cadresim.report.labels import LABELS, LABELS_ZH
from cadresim.scenario import docs as docgen
from cadresim.scenario.schema import District

#: Each section's name, by generic key; ``{entry}`` is the entry of a keyed mapping (a grade, a cohort).
SECTIONS: dict[str, tuple[str, str]] = {
    "grades.<grade>": ("{entry}", "{entry}"),
    "roles": ("Roles", "角色"),
    "retirement": ("Retirement", "退休"),
    "district": ("District", "区"),
    "district.units.<type>": ("{entry} units", "{entry}"),
    "district.units.<type>.posts": ("{entry}", "{entry}"),
    "selection": ("Selection", "选拔"),
    "selection.score": ("Selection score", "选拔评分"),
    "selection.exceptional": ("Exceptional promotion", "破格提拔"),
    "probation": ("Probation", "试用期"),
    "nonleading": ("Non-leading ranks", "非领导职务"),
    "nonleading.ranks.<key>": ("Non-leading rank at {entry}", "{entry}层次的非领导职务"),
    "nonleading.quota": ("Quota (职数) of non-leading ranks", "非领导职务职数"),
    "rotation": ("Rotation", "交流轮岗"),
    "secondment": ("Secondment", "挂职"),
    "youth_talent.cohorts.<name>": ("Youth Talent cohort {entry}", "青年英才{entry}期"),
    "recruitment": ("Recruitment", "招录"),
    "recruitment.lateral.<source>": ("Lateral hires from {entry}", "{entry}渠道引进"),
    "reshuffle": ("Reshuffle", "换届"),
    "report": ("Report", "报告"),
    "report.risk": ("At-risk flag", "风险标记"),
    "history": ("History of the grown district", "生长区的历史"),
    "history.cohorts.<key>": ("Past Youth Talent cohort {entry}", "过去的青年英才{entry}期"),
}

#: The Chinese meaning of every setting, by generic key (the English is the schema's).
MEANINGS_ZH: dict[str, str] = {
    "name": "方案名称（默认为文件名）；结果写入 results/<name>/",
    "description": "方案说明",
    "title.en": "英文标题（默认为方案名称）",
    "title.zh": "中文标题，用于 --lang zh（默认为英文标题，再无则为方案名称）",
    "extends": "本方案所修改的方案文件（相对路径）；映射合并，列表替换",
    "start": "模拟起始月份，即干部名册的日期",
    "end": "模拟结束月份",
    "snapshots": "另行统计的时点（期初和每次换届后总会统计）",
    "ladder": "职级序列，自下而上",
    "grades.<grade>.name_zh": "中文名称，用于图表标签",
    "grades.<grade>.kind": "post_limited：只能晋升到空缺职位；rate_based：不受职数限制，按晋升率在年度考核时晋升",
    "grades.<grade>.promotion_rate": "rate_based 职级：下一职级符合条件的干部每年在考核时晋升到本职级的概率",
    "grades.<grade>.review_month": "rate_based 职级：年度考核所在月份",
    "grades.<grade>.years_in_grade_below": "任职条件：在下一职级的最低任职年限（不设则该条件不适用）",
    "grades.<grade>.years_of_work": "任职条件：参加工作的最低年限（不设则不适用）",
    "grades.<grade>.grassroots_years": "任职条件：基层工作经历的最低年限（不设则不适用）",
    "grades.<grade>.posts_held_below": "任职条件：在下一职级任过的不同岗位的最少个数（不设则不适用）",
    "grades.<grade>.age_ceiling": "任职条件：晋升到本职级时的最高年龄（周岁；不设则不适用）",
    "grades.<grade>.leaving_age": "本职级干部在该生日的次月退出干部队伍（不设则只按退休年龄）",
    "grades.<grade>.exit_rate": "其他原因退出（辞职、调出、死亡）的年概率",
    "grades.<grade>.outside_fill": "空缺职位从区外选派的概率（见 selection.outside_fill_mode）",
    "grades.<grade>.outside_age": "从区外选派到本职级的干部的年龄范围",
    "grades.<grade>.outside_grassroots_years": "从区外选派的干部的基层工作经历年限",
    "grades.<grade>.scope": "人选范围：unit_first（先本单位，本单位无合格人选时全区）或 district（全区）",
    "grades.<grade>.probation_in": "晋升到本职级须试用的单位类型（非选任职务）",
    "roles.section_level": "科级领导职级：交流轮岗、挂职和青年英才的人选来源",
    "roles.division_level": "处级职级：单位领导班子和处级指标",
    "roles.division_head": "正处职级（正处指标）",
    "roles.section_head": "正科职级（青年英才到第二个岗位任职）",
    "roles.district_leadership": "区领导职级（换届时的交流去职规则）",
    "retirement.male": "男性退休年龄（不设则不退休）",
    "retirement.female": "女性退休年龄（不设则不退休）",
    "retirement.female_senior": "处级及以上女干部的退休年龄",
    "district.generator": "grown：按模型自身的过程、依当时的规定从 history.start 生长出本区；calibrated：直接设定起始数字的旧生成器；"
                          "simple：按合理履历填满职位、不作校准（自定义职级序列、理论检验）",
    "district.seed": "合成干部名册生成器的随机种子；grown 生成器下为集合中第一个尝试的种子（同一个区的各次重复模拟名册相同）",
    "district.districts": "grown 生成器：运行所覆盖的合理区个数，每个区都做同样次数的重复模拟（从 seed、seed+1……中按拒绝抽样接受）；"
                          "自己的名册始终算一个区",
    "district.accept_post80_division_level": "grown 生成器：起始日处级干部中80后恰为此数的区才算合理（不设则不检查）",
    "district.accept_grassroots_share": "grown 生成器：起始日具有处级任职条件所要求基层经历的处级干部占比高于此值的区才算合理（不设则不检查）",
    "district.stream": "名册文件各次重复模拟的随机数流：`cadresim roster export` 导出生长区时写入该区的随机数流，使对导出名册的"
                       "运行与该区在集合中的运行相同（0：名册自己的随机数流）",
    "district.merit_rho": "潜在素质与“在同职级中多早进入本职级”的相关系数（素质 ~ N(rho*z, 1-rho^2)），在生长区的历史上拟合；"
                          "名册文件同样适用",
    "district.copies": "此类区的个数（一个市：16个）；各区在本区内选拔，市级单位类型在各区之上。secondment.count 等数量仍为总数",
    "district.roster_file": "本区自己的干部名册（CSV 或 .xlsx；列见 `cadresim roster template`），代替合成区；"
                            "路径相对于设置它的方案文件；与 units_file 同用时，单位类型只提供基层标记和年轻干部目标（不设则用合成区）",
    "district.units_file": "本区自己的单位及其职数（CSV 或 .xlsx），与 roster_file 同用（不设则用合成区）",
    "district.units.<type>.count": "此类单位的个数（district.copies 大于1时为每个区的个数）",
    "district.units.<type>.level": "district：每个区都有的单位，从本区选人；city：市级单位（不按区复制），从各区选人",
    "district.units.<type>.name_zh": "中文名称，用于图表标签",
    "district.units.<type>.grassroots": "在此类单位任职的时间计入基层工作经历",
    "district.units.<type>.young_member_age": "班子目标：至少有一名处级成员低于此年龄（不设则无目标）",
    "district.units.<type>.posts.<grade>": "每个单位各职级的职数（科员：编制数）",
    "selection.rounds": "每季度选拔所在的月份，或 immediate（职位空缺当月即补）",
    "selection.method": "在合格人选中确定人选的方式：score（下列加权评分）、random（随机，用于理论检验）或 seniority（任现职级最久者优先）",
    "selection.cascade": "胜出者空出的职位在同一轮中接着补缺",
    "selection.assessment_noise": "考察误差的标准差，每轮重新抽取（对干部了解越深，误差越小）",
    "selection.outside_fill_mode": "no_candidate：无合格人选时才按 outside_fill 从区外选派（默认）；always：每个空缺都先按该概率从区外选派（White 模型）",
    "selection.score.merit": "考察所得素质（潜在素质加考察误差）的权重",
    "selection.score.years_in_grade": "在现职级每任职一年的加分",
    "selection.score.young_team_bonus": "班子缺少年轻成员而该人选正是年轻干部时的加分",
    "selection.score.youth_talent_bonus": "青年英才学员在加分期内的加分",
    "selection.exceptional.per_year": "每年可破格提拔的人数：可不受除年龄上限以外的一项条件限制（试用期内或提拔不满一年者除外）",
    "probation.months": "试用期长度",
    "probation.fail_rate": "试用不合格、回到原职级的比例",
    "nonleading.enabled": "启用非领导职务（关闭：领导职务到退出年龄即退出，不再任命非领导职务；名册中已有的非领导职务"
                          "人员仍按任职层次计算任职资格）",
    "nonleading.ranks.<key>.name_zh": "该非领导职务的中文名称（名册“职务”栏所列）",
    "nonleading.ranks.<key>.name": "该非领导职务的英文名称",
    "nonleading.ranks.<key>.min_years_below": "年度评定任命该职务前，在下一层次（领导或非领导）的最低任职年限",
    "nonleading.review_month": "每年任命非领导职务的评定月份（在当月选拔之前）",
    "nonleading.quota.section_level": "科级层次非领导职务（主任科员＋副主任科员）最多占单位行政编制的比例",
    "nonleading.quota.division_level": "处级层次非领导职务（调研员＋副调研员）最多占单位处级领导职数的比例",
    "nonleading.at_leaving_age": "领导干部到退出领导岗位年龄时改任同层次非领导职务直至退休（必要时超职数）；关闭则退出",
    "nonleading.opens_next_level": "担任非领导职务的任职时间计入晋升上一层次的年限，可在符合条件时晋升上一级领导职务"
                                   "（关闭：只能转任同层次领导职务）",
    "nonleading.roster_titles.<key>": "名册“职务”栏中本地职务名称与类别的对照（leading：领导职务；nonleading：非领导职务），"
                                      "补充默认识别的职务名称；层次取自“现职务层次”",
    "rotation.month": "每年交流轮岗所在的月份",
    "rotation.min_years_in_post": "干部可交流前须在岗的年限",
    "rotation.cross_unit_rate": "每年交流到其他单位同一职级岗位的概率（对调）",
    "rotation.internal_rate": "每年在本单位内调整到其他岗位的概率",
    "rotation.targeting": "交流对象：random（随机）；young（最年轻者优先）；lacking（缺少处级任职条件者优先）。交流人数相同",
    "rotation.cross_type_share": "跨单位交流中在委办局和街镇之间交流的比例（不设则随机确定交流单位）",
    "rotation.max_years_in_post": "在同一岗位任职满此年限必须交流（不设则不适用）",
    "secondment.month": "每年选派挂职所在的月份",
    "secondment.count": "每年选派挂职的干部人数",
    "secondment.months": "挂职时长；挂职月份计入基层工作经历",
    "secondment.max_age": "挂职干部的最高年龄",
    "secondment.targeting": "lacking_grassroots：缺少基层工作经历者优先，再按考察素质；merit：只按考察素质",
    "youth_talent.cohorts.<name>.start": "该期开始的月份（早于模拟起点时，学员取自名册的 cohort 列）",
    "youth_talent.cohorts.<name>.size": "学员人数",
    "youth_talent.cohorts.<name>.age_cap": "入选时的最高年龄",
    "youth_talent.cohorts.<name>.grades": "学员的来源职级（不设则为科级领导职级）",
    "youth_talent.cohorts.<name>.secondment_months": "到基层一线挂职的月数",
    "youth_talent.cohorts.<name>.mentoring": "对学员潜在素质的提升（导师带教）",
    "youth_talent.cohorts.<name>.bonus_years": "挂职结束后享受评分加分的年数",
    "youth_talent.cohorts.<name>.placement": "挂职结束后，正科学员调整到另一个正科岗位（有空缺则到空缺岗位，否则对调）",
    "recruitment.months": "招录所在的月份，或 immediate（缺员当月即补）",
    "recruitment.intake": "gaps：补足最低职级的空缺职位；数字：每年招录该人数（按比例晋升的最低职级）",
    "recruitment.age": "新录用人员的年龄范围",
    "recruitment.female_share": "新录用人员中女性的比例",
    "recruitment.grassroots_share": "带有基层工作经历的比例",
    "recruitment.grassroots_years": "所带基层工作经历的年限范围",
    "recruitment.enterprise_share": "带有企业工作经历的比例",
    "recruitment.enterprise_years": "所带企业工作经历的年限范围",
    "recruitment.lateral.<source>.per_year": "每年引进到该职级空缺职位的人数",
    "recruitment.lateral.<source>.grade": "引进的职级",
    "recruitment.lateral.<source>.age": "引进时的年龄范围",
    "recruitment.lateral.<source>.grassroots_years": "所带基层工作经历的年限范围",
    "recruitment.lateral.<source>.enterprise": "带有企业工作经历",
    "recruitment.lateral.<source>.work_years": "引进前的工作年限范围",
    "reshuffle.dates": "换届月份；换届代替当月的选拔",
    "reshuffle.leave_within_years": "距退出年龄不足此年限的处级干部和区领导在换届时退出（不设则不适用）",
    "reshuffle.rotate_after_years": "在同一岗位任职满此年限的处级干部在换届时交流（不设则不适用）",
    "reshuffle.leadership_move_on": "每名区领导换届时交流去职的概率",
    "reshuffle.young_targets": "换届时每个未达到年轻干部目标的班子先补一个空缺",
    "history.start": "生长的起始月份（起始日在职的人都是此后进入的）",
    "history.interim_rules_from": "自此月起，晋升处级须有5年工作经历和2年基层经历（1995年暂行条例）；此前处级只受年龄上限限制",
    "history.regulations_from": "自此月起，任职年限和在下一级两个职位任职的条件也适用（2002年条例）",
    "history.nonleading_from": "自此月起设置非领导职务（1993年《国家公务员暂行条例》）：领导干部到退出年龄改任非领导职务，"
                               "年度评定任命非领导职务；此前不设",
    "history.waivers_per_year": "按当时的规定，每年可不受除年龄上限以外的一项条件限制而提拔的人数，这些人选与符合条件者一同竞争"
                                "（执行规定的严格程度）",
    "history.seniority": "过去选拔评分中本职级每任职一年的加分（高于今天的0.1即论资排辈更重）",
    "history.internal_rotation_rate": "过去科级领导每年在本单位内调整到另一岗位的概率",
    "history.leadership_from_outside": "过去区领导（副局）空缺中由区外任命填补的比例（年龄按 grades.<grade>.outside_age），不论区内有无符合条件者",
    "history.recruit_eras": "各时期招录人员的参加工作年龄（每个时期到下一个时期开始为止）",
    "history.recruit_grassroots_share": "招录人员中带有基层工作经历的比例",
    "history.reshuffles": "过去的换届（五年一届）",
    "history.young_member_ages.<key>": "过去换届时各类单位的班子目标：至少一名处级成员低于此年龄（未列出的类型：无目标）",
    "history.grassroots_types": "过去任职计入基层经历的单位类型",
    "history.cohorts.<key>.start": "该期开始的月份",
    "history.cohorts.<key>.size": "学员人数",
    "history.cohorts.<key>.age_cap": "入选时的最高年龄",
    "history.cohorts.<key>.grades": "学员的来源职级（不设则为科级领导职级）",
    "history.cohorts.<key>.secondment_months": "到基层一线挂职的月数",
    "history.cohorts.<key>.mentoring": "对学员潜在素质的提升（导师带教）",
    "history.cohorts.<key>.bonus_years": "挂职结束后享受评分加分的年数",
    "history.cohorts.<key>.placement": "挂职结束后，正科学员调整到另一个正科岗位（有空缺则到空缺岗位，否则对调）",
    "selection.exceptional.competes": "可破格提拔的人选在每轮选拔中与符合条件者一同竞争（是），或只补无人符合条件的空缺（否）",
    "report.targets": "目标，如 \"post80_section_eligible_strict@2016-12 >= 10\"：run 和 compare 报告各方案达到目标的概率",
    "report.top_teams": "`cadresim teams` 默认列出的班子数；在 `cadresim compare` 中，以基准方案的取值限定每个方案每次换届列出的变化最大的班子数",
    "report.risk.vacancies_over_successors": "换届时预计空缺多于本单位符合条件的继任人选平均数时，视为存在风险",
    "report.risk.young_target_probability": "换届后达到年轻干部目标的概率低于此值时，视为存在风险",
}

#: The Chinese text of each cited source, by the key of :data:`cadresim.scenario.docs.CITATIONS`.
CITATIONS_ZH: dict[str, str] = {
    "retirement": "组通字〔2015〕14号：男性60岁退休，女性55岁，处级及以上女干部60岁",
    "grades.<grade>.years_in_grade_below": "《条例》第八条第三项：处级及以上职务须在下一级职务任职满一定年限",
    "grades.deputy_section.years_in_grade_below": "科级取值为规划假设，无公开来源（docs/model.md，晋升任职条件一节）",
    "grades.section.years_in_grade_below": "科级取值为规划假设，无公开来源（docs/model.md，晋升任职条件一节）",
    "grades.<grade>.years_of_work": "《条例》第八条第一项：副处及以上须有5年以上工作经历",
    "grades.<grade>.grassroots_years": "《条例》第八条第一项：副处及以上须有2年以上基层工作经历；何为基层由 "
                                       "district.units.<type>.grassroots 规定（讲话）",
    "grades.<grade>.posts_held_below": "讲话：“两个科长岗位”；《条例》第八条第二项只要求在下一级两个以上职位任职，"
                                       "故此为政策杠杆",
    "grades.<grade>.probation_in": "《条例》第四十二条：非选任职务试用期一年（科级职务、委办局副职）",
    "probation.months": "《条例》第四十二条：非选任职务试用期一年",
    "rotation.max_years_in_post": "《条例》第五十四条：在同一职位任职满十年的应当交流",
    "reshuffle.rotate_after_years": "《条例》第五十四条：在同一职位任职满十年的应当交流，在换届时执行",
    "selection.exceptional": "《条例》第九条：破格提拔可不受除年龄上限以外的一项条件限制，试用期内或提拔不满一年者不得"
                             "破格；默认不启用",
    "history.interim_rules_from": "《党政领导干部选拔任用工作暂行条例》（1995年2月）：处级须有5年工作经历和2年基层经历",
    "history.regulations_from": "《党政领导干部选拔任用工作条例》（2002年7月）：下一级任职年限，以及一般应在下一级两个以上职位任职",
    "history.nonleading_from": "《国家公务员暂行条例》（1993年10月施行）设置非领导职务",
    "nonleading": "1993年《国家公务员非领导职务设置办法》：副主任科员、主任科员、副调研员、调研员等非领导职务，"
                  "任职年限与职数为规划假设；2015年县以下职务职级并行与2019年职级序列不是默认规则",
    "start": "2014年2月的讲话：讲话时全区干部队伍的状况",
    "reshuffle.dates": "讲话：全区领导班子于2016年底换届",
    "district.units.<type>.grassroots": "讲话：街镇岗位是基层一线；《条例》对基层的界定更宽（政策杠杆）",
    "district.units.<type>.count": "docs/model.md，默认合成区一节",
    "district.units.<type>.posts": "docs/model.md，默认合成区一节",
}

#: How a value is written where the English is a YAML word.
WORDS_ZH = {None: "不设", True: "是", False: "否"}


def generic_key(key: str) -> tuple[str, list[str]]:
    """(generic key, entries) of a concrete dotted key: ``grades.section.age_ceiling`` ->
    (``grades.<grade>.age_ceiling``, [``section``]); a key the schema lacks is returned as it is."""
    parts = key.split(".")
    best: tuple[str, list[str]] | None = None
    for generic in _rows():
        pattern = generic.split(".")
        if len(pattern) == len(parts) and all(p == k or p.startswith("<") for p, k in zip(pattern, parts)):
            holes = [k for p, k in zip(pattern, parts) if p.startswith("<")]
            if best is None or len(holes) < len(best[1]):
                best = (generic, holes)
    return best or (key, [])


def meaning(key: str, lang: str = "en") -> str:
    """What a setting (generic or concrete key) means, in ``lang`` ("" for a key the schema lacks)."""
    generic, _ = generic_key(key)
    english = _rows().get(generic, "")
    return (MEANINGS_ZH.get(generic) or english) if lang == "zh" else english


def citation(key: str, lang: str = "en") -> str:
    """The source a setting cites, in ``lang``."""
    english = docgen.citation(key)
    if lang != "zh":
        return english
    by_text = {text: CITATIONS_ZH.get(prefix, text) for prefix, text in docgen.CITATIONS.items()}
    return by_text.get(english, english)


def setting_label(key: str, lang: str = "en", grade_labels: Mapping[str, str] | None = None) -> str:
    """A setting as an axis or legend reads it: its section (the entry named) and meaning, e.g.
    ``youth_talent.cohorts.c2.size`` -> "Youth Talent cohort c2: members"."""
    generic, entries = generic_key(key)
    text = meaning(key, lang) or key
    text = re.sub(r"\s*\((null|不设)[^)]*\)|（不设[^）]*）", "", text).strip()
    section = _section(generic, entries, lang, grade_labels)
    if not section:
        return text[0].upper() + text[1:] if lang == "en" else text
    return f"{section}: {text}" if lang == "en" else f"{section}：{text}"


def _section(generic: str, entries: list[str], lang: str, grade_labels: Mapping[str, str] | None) -> str:
    prefix = generic.rpartition(".")[0]
    names = SECTIONS.get(prefix)
    if names is None:
        return ""
    entry = entries[0] if entries else ""
    if prefix.startswith("grades") or prefix.endswith(".posts"):
        grade = entries[-1] if prefix.startswith("grades") else ""
        entry = _grade_name(grade, lang, grade_labels) if grade else entry
    if prefix.startswith("district.units"):
        unit = _unit_type_name(entries[0], lang)
        grade = _grade_name(entries[1], lang, grade_labels) if len(entries) > 1 else ""
        entry = f"{unit} units, {grade} posts" if grade and lang == "en" else f"{unit}{grade}"
    return names[1 if lang == "zh" else 0].format(entry=entry)


def _grade_name(grade: str, lang: str, grade_labels: Mapping[str, str] | None) -> str:
    labels = LABELS_ZH if lang == "zh" else LABELS
    return (grade_labels or {}).get(grade) or labels.get(grade) or grade.replace("_", " ")


def _unit_type_name(utype: str, lang: str) -> str:
    known = District().units.get(utype)
    if lang == "zh" and known is not None and known.name_zh:
        return known.name_zh
    return UNIT_LABELS.get(utype, utype.replace("_", " ").capitalize()) if lang == "en" else utype


def value_text(value: Any, lang: str = "en") -> str:
    """A setting's value as readers read it: numbers rounded (0.333, not 0.3333333333333333), lists in
    brackets, and in Chinese 不设/是/否 for null/true/false."""
    if isinstance(value, bool) or value is None:
        return WORDS_ZH[value] if lang == "zh" else {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v, lang) for v in value) + "]"
    if isinstance(value, dict):
        sep = "：" if lang == "zh" else ": "
        return "{" + ", ".join(f"{k}{sep}{value_text(v, lang)}" for k, v in value.items()) + "}"
    return str(value)


def number_text(value: float) -> str:
    """A float to three decimals, or three significant digits when smaller, without trailing zeros:
    0.333 (not 0.3333333333333333), 0.015, 0.000125, 3, 2.5."""
    if not math.isfinite(value) or value == int(value):
        return str(int(value)) if math.isfinite(value) else str(value)
    places = max(3, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=1)
def _rows() -> dict[str, str]:
    """Every non-mapping setting's English meaning, by generic key (from the schema)."""
    return {row.key: row.meaning for table in docgen.tables() for row in table.rows if not row.mapping}
