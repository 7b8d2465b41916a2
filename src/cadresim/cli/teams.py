"""`cadresim teams DIR`: the riskiest leadership teams of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.table import Table

from cadresim.cli.common import app, fail, out
from cadresim.errors import InputError, Problem


@app.command(epilog="Examples:\n\n  cadresim teams results/youth2\n\n"
                    "  cadresim teams results/long_view --top 20 --date 2021-12")
def teams(
    results: Path = typer.Argument(..., metavar="DIR", help="A results folder written by `cadresim run`."),
    top: Optional[int] = typer.Option(None, "--top", min=1, metavar="N", help="How many teams (default: "
                                      "report.top_teams)."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM", help="Reshuffle date (default: the "
                                       "first)."),
) -> None:
    """Print the leadership teams most at risk at a reshuffle (from teams.csv)."""
    try:
        table, top = _load(results, top)
    except InputError as e:
        fail(e)
    date = date or table["date"].min()
    rows = table[table["date"] == date].sort_values("risk_rank").head(top)
    if rows.empty:
        fail(InputError([Problem(str(results / "teams.csv"), "date", "no teams at this date; dates are "
                                 + ", ".join(sorted(table["date"].unique())), date)]))
    out.print(_table(rows, date, int((table[table["date"] == date])["at_risk"].sum())))


def _load(results: Path, top: int | None) -> tuple[pd.DataFrame, int]:
    from cadresim.io.results_folder import MANIFEST, read_table

    if not (results / "teams.csv").is_file():
        why = "not a results folder" if not (results / MANIFEST).is_file() else \
            "this run has no teams.csv (its ladder has no division-level role, or it predates team reports)"
        raise InputError([Problem(str(results), "", why)])
    return read_table(results, "teams.csv"), top if top is not None else _top_teams(results)


def _top_teams(results: Path) -> int:
    """The run's report.top_teams (the default when its resolved scenario cannot say)."""
    from pydantic import ValidationError

    from cadresim.io.results_folder import read_resolved
    from cadresim.scenario.schema import Report

    resolved, _problem = read_resolved(results)
    try:
        return Report.model_validate(resolved.get("report") or {}).top_teams
    except ValidationError:
        return Report().top_teams


def _short(reasons: object) -> str:
    if not isinstance(reasons, str):
        return ""
    return "; ".join("vacancies > successors" if r.startswith("more vacancies") else
                     "young target unlikely" if r.startswith("below") else r for r in reasons.split("; "))


def _table(rows: pd.DataFrame, date: str, n_risk: int) -> Table:
    t = Table(title=f"Leadership teams at the {date} reshuffle: {n_risk} at risk (riskiest first)")
    for col in ("rank", "unit", "type", "at risk", "left before", "open posts", "successors in unit",
                "P(young target)", "why"):
        t.add_column(col, no_wrap=col not in ("unit", "why"))
    for _, r in rows.iterrows():
        t.add_row(str(r["risk_rank"]), str(r["name"]), str(r["type"]), "yes" if r["at_risk"] else "",
                  f"{r['departures_age'] + r['departures_other']:.1f}", f"{r['vacancies']:.1f}",
                  f"{r['successors_unit']:.1f} ({r['successors_unit_min']:.0f}-{r['successors_unit_max']:.0f})",
                  f"{r['young_target_met']:.0%}" if pd.notna(r["young_target_met"]) else "–",
                  _short(r["risk_reasons"]))
    return t
