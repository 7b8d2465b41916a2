"""The bench figure (`cadresim roster bench -o FILE`): per birth decade, the candidates for a grade who are
eligible now, eligible by a date on time alone, and who need a move (another leading post below, or
grassroots months beyond those they accrue)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cadresim.report.fonts import find_cjk_font, rc_params
from cadresim.report.style import STYLE

#: The bars, in order: summary column, English and Chinese legend ({at} filled in), colour.
BARS = (("candidates", "candidates", "人选", "#BBBBBB"), ("eligible_now", "eligible now", "目前符合条件", "#1B7837"),
        ("eligible_by_at", "eligible by {at} on time alone", "{at}前仅凭时间符合条件", "#7FBF7B"),
        ("needs_post", "needing another leading post below", "需再任下一级领导岗位", "#E78AC3"),
        ("needs_grassroots", "needing grassroots months", "需补基层工作经历", "#A6D854"))
TITLE = ("INTERNAL — candidates for {grade}, {start}",
         "内部资料 — {start}{grade}人选，按出生年代")


def bench_figure(summary: pd.DataFrame, grade: str, start: str, at: str, lang: str) -> Figure:
    """Grouped bars per birth decade of the summary's counts (Chinese labels when ``lang`` is "zh" and a
    CJK font is installed, else English)."""
    family = find_cjk_font() if lang == "zh" else None
    zh = family is not None
    rows = summary[summary["by"] == "birth_decade"]
    groups = [f"{int(d) % 100:02d}后" if zh else f"{int(d)}s" for d in rows["group"]]
    with mpl.rc_context({**STYLE, **(rc_params(family) if zh else {})}):
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.add_subplot()
        width = 0.8 / len(BARS)
        x = np.arange(len(groups))
        for i, (key, en, zh_, colour) in enumerate(BARS):
            values = rows[key].to_numpy(int)
            bars = ax.bar(x + (i - (len(BARS) - 1) / 2) * width, values, width, color=colour,
                          label=(zh_ if zh else en).format(at=at))
            ax.bar_label(bars, fontsize=7)
        ax.set_xticks(x, groups)
        ax.set_xlabel("出生年代" if zh else "birth decade")
        ax.set_ylabel("人数" if zh else "cadres")
        ax.legend(fontsize=8)
        fig.suptitle(TITLE[zh].format(grade=grade, start=start))
    return fig

