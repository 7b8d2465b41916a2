"""All leadership teams at a glance: units × indicators, riskiest first."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cadresim.report.fonts import find_cjk_font, rc_params

MAX_ROWS = 80  # more rows make an unreadable, very tall image (a city has ~900 teams)
INDICATORS = {  # column -> (label, higher is worse; None: context, neither good nor bad)
    "departures_age": ("left for age\nbefore the reshuffle", True),
    "departures_other": ("other exits\nbefore the reshuffle", True),
    "vacancies": ("open posts at\nthe reshuffle", True),
    "successors_unit": ("eligible successors\nin the unit", False),
    "young_target_met": ("chance of meeting the\nyoung-member target", False),
    "outside_unit_share": ("share filled from\noutside the unit", None),
    "mean_age": ("mean age after\nthe round", True),
}
#: Shares are coloured on their whole range (0 to 100%), other columns on their spread across teams,
#: but never on less than this (so that 0.1 more exits does not look like a risk).
LEAST_SPAN = {"mean_age": 2.0}
SHARES = ("young_target_met", "outside_unit_share")
RISK_CMAP, CONTEXT_CMAP = "Reds", "Greys"
CONTEXT_NOTE = ("grey column: context, not risk (division-level posts are filled district-wide, so most come "
                "from outside the unit in every team)")


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
    height = max(3.0, 0.22 * len(rows) + 1.8)
    names, rc = _unit_names(rows)
    with mpl.rc_context({"font.size": 8, **rc}):
        fig = Figure(figsize=(11, height), layout="constrained")
        ax = fig.add_subplot()
        ax.imshow(cell_colours(values), aspect="auto")
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, _fmt(v, list(INDICATORS)[j]), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(INDICATORS)), [label for label, _ in INDICATORS.values()])
        ax.xaxis.tick_top()
        labels = [f"{'⚠ ' if risk else ''}{name} ({utype})" for name, utype, risk in
                  zip(names, rows["type"], rows["at_risk"])]
        ax.set_yticks(range(len(rows)), labels)
        shown = f"; the {len(rows)} riskiest shown (all in teams.csv)" if len(rows) < len(every) else ""
        fig.suptitle(f"Leadership teams at the {date} reshuffle, riskiest first: {int(every['at_risk'].sum())} of "
                     f"{len(every)} at risk, marked ⚠{shown}\ndarker red = worse; means over replications\n"
                     f"{CONTEXT_NOTE}")
    return fig


def cell_colours(values: np.ndarray) -> np.ndarray:
    """RGBA colour of every cell (rows: teams, columns: :data:`INDICATORS`): light (good) to dark red
    (bad) within each risk column, light grey for context columns."""
    colours = np.zeros((*values.shape, 4))
    for j, (column, (_, worse_high)) in enumerate(INDICATORS.items()):
        badness = _scaled(values[:, j], bool(worse_high), column)
        if worse_high is None:
            colours[:, j] = mpl.colormaps[CONTEXT_CMAP](0.05 + 0.2 * badness)
        else:
            colours[:, j] = mpl.colormaps[RISK_CMAP](badness / 1.4)
    return colours


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


def _scaled(col: np.ndarray, worse_high: bool, column: str = "") -> np.ndarray:
    """0 (best) to 1 (worst): shares on 0 to 1, other columns on their spread (at least
    :data:`LEAST_SPAN`, else 1); missing values count as best."""
    finite = col[np.isfinite(col)]
    if not len(finite):
        return np.zeros_like(col)
    low, span = (0.0, 1.0) if column in SHARES else (finite.min(), max(finite.max() - finite.min(),
                                                                         LEAST_SPAN.get(column, 1.0)))
    z = np.clip((col - low) / span, 0, 1)
    return np.nan_to_num(z if worse_high else 1 - z)


def _fmt(v: float, column: str) -> str:
    if not np.isfinite(v):
        return "–"
    if column in ("young_target_met", "outside_unit_share"):
        return f"{v:.0%}"
    return f"{v:.1f}"
