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


def grown_section(base: RunFolder, lang: str) -> str:
    """The folded section, or "" when the baseline did not start from the default grown districts."""
    roster = base.manifest.get("roster")
    if not isinstance(roster, dict) or roster.get("generator") != "grown" or base.n_districts < 2:
        return ""
    t = TEXT["zh" if lang == "zh" else "en"]
    tried, accepted = roster.get("tried", "?"), len(base.districts)
    body = t["body"].format(n=base.n_districts, start=base.resolved.get("start", ""), accepted=accepted, tried=tried)
    table = _fit_table(FITTED_FILE.parent / "district_fit.csv", t["head"])
    return (f'<details id="districts" class="part"><summary><h2>{html.escape(t["title"])}</h2></summary>'
            f"<p>{html.escape(body)}</p>{table}</details>")


def _fit_table(path: Path, head: tuple[str, ...]) -> str:
    if not path.exists():
        return ""
    rows = []
    for r in pd.read_csv(path).to_dict("records"):
        if r["kind"] == "report":
            continue
        low, high = r["low"], r["high"]
        rng = f"{low:g}" if low == high else f"≤ {high:g}" if low == float("-inf") else \
            f"≥ {low:g}" if high == float("inf") else f"{low:g} – {high:g}"
        cells = [r["about"], r["kind"], rng, f"{r['mean']:.3g}", f"{r['share_in_range']:.0%}",
                 "✓" if str(r["pass"]) == "True" else "✗"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
