"""All leadership teams at a glance: units × indicators, riskiest first."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cadresim.report.fonts import find_cjk_font, rc_params

MAX_ROWS = 80  # more rows make an unreadable, very tall image (a city has ~900 teams)
INDICATORS = {  # column -> (label, higher is worse)
    "departures_age": ("left for age\nbefore the reshuffle", True),
    "departures_other": ("other exits\nbefore the reshuffle", True),
    "vacancies": ("open posts at\nthe reshuffle", True),
    "successors_unit": ("eligible successors\nin the unit", False),
    "young_target_met": ("chance of meeting the\nyoung-member target", False),
    "outside_unit_share": ("share filled from\noutside the unit", True),
    "mean_age": ("mean age after\nthe round", True),
}


def teams_overview(teams: pd.DataFrame, date: str, top: int | None = None) -> Figure:
    """A heat map of every team at ``date`` (rows ordered by risk rank), each column coloured
    from good (light) to bad (dark) within that column, with the values written in.

    Args:
        teams: the teams.csv table.
        top: show only the ``top`` riskiest teams (at most :data:`MAX_ROWS` are shown in any case).
    """
    every = teams[teams["date"] == date].sort_values("risk_rank")
    rows = every.head(min(top or MAX_ROWS, MAX_ROWS))
    values = rows[list(INDICATORS)].to_numpy(float)
    badness = np.column_stack([_scaled(values[:, j], worse_high) for j, (_, worse_high) in
                               enumerate(INDICATORS.values())])
    height = max(3.0, 0.22 * len(rows) + 1.8)
    names, rc = _unit_names(rows)
    with mpl.rc_context({"font.size": 8, **rc}):
        fig = Figure(figsize=(11, height), layout="constrained")
        ax = fig.add_subplot()
        ax.imshow(badness, aspect="auto", cmap="Reds", vmin=0, vmax=1.4)
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, _fmt(v, list(INDICATORS)[j]), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(INDICATORS)), [label for label, _ in INDICATORS.values()])
        ax.xaxis.tick_top()
        labels = [f"{'⚠ ' if risk else ''}{name} ({utype})" for name, utype, risk in
                  zip(names, rows["type"], rows["at_risk"])]
        ax.set_yticks(range(len(rows)), labels)
        shown = f"; the {len(rows)} riskiest shown (all in teams.csv)" if len(rows) < len(every) else ""
        fig.suptitle(f"Leadership teams at the {date} reshuffle, riskiest first: {int(every['at_risk'].sum())} of "
                     f"{len(every)} at risk, marked ⚠{shown}\ndarker = worse; means over replications")
    return fig


def _unit_names(rows: pd.DataFrame) -> tuple[list[str], dict[str, object]]:
    """Row labels and the font settings they need: Chinese unit names in a CJK font when one is
    installed, else the unit ids (an empty box per character helps no one)."""
    names = [str(n) for n in rows["name"]]
    if all(n.isascii() for n in names):
        return names, {}
    family = find_cjk_font()
    if family is None:
        return [str(u) for u in rows["unit_id"]], {}
    return names, rc_params(family)


def _scaled(col: np.ndarray, worse_high: bool) -> np.ndarray:
    finite = col[np.isfinite(col)]
    if not len(finite) or finite.max() == finite.min():
        return np.zeros_like(col)
    z = (col - finite.min()) / (finite.max() - finite.min())
    return np.nan_to_num(z if worse_high else 1 - z)


def _fmt(v: float, column: str) -> str:
    if not np.isfinite(v):
        return "–"
    if column in ("young_target_met", "outside_unit_share"):
        return f"{v:.0%}"
    return f"{v:.1f}"
