"""The targets section of report.html: how likely each scenario meets each of the scenarios' targets
(``report.targets``), as sentences and a table, in English or Chinese."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from cadresim.analysis.compare import Comparison
from cadresim.report.labels import date_text, metric_label, scenario_text

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Targets",
        "intro": "The share of simulated futures (replications) in which each scenario meets each target, with a "
                 "95% interval (Wilson; widened for clustering when the futures come from several districts).",
        "meets": "{name} meets it in {p} of futures",
        "none": "{name}: no value at this date",
        "col_target": "Target", "col_scenario": "Scenario", "col_p": "P(met)", "col_ci": "95% interval",
        "col_n": "met / futures",
        "op": {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"},
        "target": "{metric} {when}: {op} {x}",
    },
    "zh": {
        "title": "目标",
        "intro": "各方案在模拟的各种未来（各次重复）中达到各目标的比例及95%区间（Wilson区间；若未来来自多个区县，按聚类加宽）。",
        "meets": "{name}在{p}的未来中达到",
        "none": "{name}：该日期无数值",
        "col_target": "目标", "col_scenario": "方案", "col_p": "达到概率", "col_ci": "95%区间",
        "col_n": "达到/未来数",
        "op": {">=": "不少于", ">": "多于", "<=": "不多于", "<": "少于"},
        "target": "{metric}（{when}）：{op}{x}",
    },
}


def _e(text: object) -> str:
    return html.escape(str(text))


def target_title(row: Mapping, lang: str, lab: Mapping[str, str]) -> str:
    """A target in words: "Post-80s eligible ... in Dec 2016: at least 10"."""
    t = TEXT[lang]
    return t["target"].format(metric=metric_label(row["metric"], lab), when=date_text(row["date"], lab),
                              op=t["op"][row["op"]], x=f"{row['threshold']:g}")


def targets_section(comp: Comparison, lang: str, lab: Mapping[str, str]) -> str:
    """The section ("" when no scenario names a target)."""
    table = comp.tables.get("targets")
    if table is None or table.empty:
        return ""
    t = TEXT[lang]
    blocks = [f"<h2>{_e(t['title'])}</h2>", f"<p>{_e(t['intro'])}</p>"]
    for _, rows in table.groupby("target", sort=False):
        blocks.append(_target_block(rows, t, lang, lab))
    return '<section class="targets">' + "".join(blocks) + "</section>"


def _target_block(rows: pd.DataFrame, t: Mapping, lang: str, lab: Mapping[str, str]) -> str:
    said = [t["meets"].format(name=scenario_text(r["scenario"], lab), p=f"{r['probability']:.0%}") if r["n"]
            else t["none"].format(name=scenario_text(r["scenario"], lab)) for _, r in rows.iterrows()]
    head = "".join(f"<th>{_e(t[c])}</th>" for c in ("col_scenario", "col_p", "col_ci", "col_n"))
    body = "".join(_row(r, lab) for _, r in rows.iterrows())
    title = target_title(rows.iloc[0], lang, lab)
    return (f"<h3>{_e(title)}</h3><p>{_e(('；' if lang == 'zh' else '; ').join(said))}.</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _row(r: pd.Series, lab: Mapping[str, str]) -> str:
    if not r["n"]:
        cells = [scenario_text(r["scenario"], lab), "–", "–", "0"]
    else:
        cells = [scenario_text(r["scenario"], lab), f"{r['probability']:.0%}",
                 f"{r['ci95_low']:.0%} – {r['ci95_high']:.0%}", f"{r['met']} / {r['n']}"]
    return "<tr>" + "".join(f'<td{" class=num" if i else ""}>{_e(c)}</td>' for i, c in enumerate(cells)) + "</tr>"
