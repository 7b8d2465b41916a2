"""The comparison report's section on the start districts: how the grown districts were made and calibrated,
with the fit table that scripts/calibrate_district.py wrote (cadresim/data/district_fit.csv)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from cadresim.io.results_folder import RunFolder
from cadresim.scenario.fitted import FITTED_FILE

TEXT = {
    "en": {"title": "How the start districts were grown",
           "body": "The {n} start districts were not drawn to their figures: each roster on {start} is the state "
                   "the model's own processes reach from 1975 under the rules of the time (the scenario's history "
                   "section). The history's uncertain keys were fitted by scripts/calibrate_district.py to the "
                   "figures below, and a district counts as plausible when it agrees with the speech's facts: "
                   "{accepted} of {tried} generator seeds did. Ensemble rows hold on the ensemble's mean and in "
                   "at least 80% of its districts (docs/assumptions.md).",
           "head": ("figure", "kind", "range", "ensemble mean", "districts in range", "met")},
    "zh": {"title": "起始各区如何生成",
           "body": "{n}个起始区并非按目标数字直接设定：每个区{start}的名册，是模型自身的各项过程依当时的规定从1975年运行至今的状态"
                   "（方案的 history 部分）。历史中不确定的参数由 scripts/calibrate_district.py 拟合到下表各项数字；与讲话所述"
                   "事实相符的区才算合理：{tried}个生成种子中有{accepted}个相符。ensemble 行须在集合均值上成立，并在至少80%的区中"
                   "成立（见 docs/assumptions.md）。",
           "head": ("数字", "类别", "范围", "集合均值", "在范围内的区", "达到")},
}


#: Each figure of the fit table in Chinese (the English is the target's own description).
ABOUT_ZH = {
    "post80_division_level": "起始日处级干部中的80后（讲话：“只有3个”）",
    "division_level_grassroots_share": "具有2年基层经历的处级干部占比：90%以上（每个区：接受条件），至多95%",
    "post70_division_head_share": "正处级干部中70后的占比（“不高”）",
    "division_level_mean_age": "处级干部平均年龄（“相对年轻”）",
    "post80_section_eligible_strict": "符合全部提拔副处条件的80后科级领导（“很少”）",
    "post80_work_start_age": "80后干部参加工作年龄的中位数",
    "post80_work_start_under_21": "21岁前参加工作的80后干部占比",
    "post80_section_head_work_start_age": "80后正科干部参加工作年龄的中位数",
    "post80_section_head_entry_age": "80后正科干部任正科时年龄的中位数（28岁前任正科者少见）",
    "entry_age_deputy_section": "2009-03至2014-02任副科时年龄的中位数",
    "entry_age_section": "同期任正科时年龄的中位数",
    "entry_age_deputy_division": "同期任副处时年龄的中位数",
    "entry_age_division": "同期任正处时年龄的中位数",
    "entry_age_deputy_bureau": "同期任副局时年龄的中位数",
    "youth_talent_c1_seconded": "起始日在挂职的青年英才一期学员（2013-03选40人，挂职中）",
    "eligible_jump": "现状：三个月后符合条件的80后科级领导人数减去起始人数的1.5倍再减2（无起步跳变）",
    "promotion_ratio": "现状：头12个月的提拔人数与其后12个月之比",
    "division_fill_6_months": "现状：头26个月出现的处级空缺在6个月内补上的比例",
}
KIND_ZH = {"accept": "接受条件", "ensemble": "集合"}


def grown_section(base: RunFolder, lang: str) -> str:
    """The folded section, or "" when the baseline did not start from the default grown districts."""
    roster = base.manifest.get("roster")
    if not isinstance(roster, dict) or roster.get("generator") != "grown" or base.n_districts < 2:
        return ""
    t = TEXT["zh" if lang == "zh" else "en"]
    tried, accepted = roster.get("tried", "?"), len(base.districts)
    body = t["body"].format(n=base.n_districts, start=base.resolved.get("start", ""), accepted=accepted, tried=tried)
    table = _fit_table(FITTED_FILE.parent / "district_fit.csv", t["head"], lang == "zh")
    return (f'<details id="districts" class="part"><summary><h2>{html.escape(t["title"])}</h2></summary>'
            f"<p>{html.escape(body)}</p>{table}</details>")


def _fit_table(path: Path, head: tuple[str, ...], zh: bool) -> str:
    if not path.exists():
        return ""
    rows = []
    for r in pd.read_csv(path).to_dict("records"):
        if r["kind"] == "report":
            continue
        low, high = r["low"], r["high"]
        rng = f"{low:g}" if low == high else f"≤ {high:g}" if low == float("-inf") else \
            f"≥ {low:g}" if high == float("inf") else f"{low:g} – {high:g}"
        about = ABOUT_ZH.get(r["target"], r["target"]) if zh else r["about"]
        cells = [about, KIND_ZH.get(r["kind"], r["kind"]) if zh else r["kind"], rng, f"{r['mean']:.3g}", f"{r['share_in_range']:.0%}",
                 "✓" if str(r["pass"]) == "True" else "✗"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
