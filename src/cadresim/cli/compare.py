"""`cadresim compare DIR...`: scenarios side by side, with paired differences, plots and a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from cadresim.cli.common import app, err, fail, out
from cadresim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from cadresim.analysis.compare import Comparison


@app.command()
def compare(
    dirs: list[Path] = typer.Argument(..., help="Results folders written by `cadresim run` (at least two)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="The baseline folder (default: the first)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output folder "
                                          "(default: results/compare-<scenario names>)."),
    metrics: Optional[str] = typer.Option(None, "--metrics", help="Comma-separated metrics for the table, the "
                                          "forest plot and comparison.csv (default: the headline metrics)."),
    lang: str = typer.Option("en", "--lang", help="Language of plots and report: en or zh (Chinese terms)."),
) -> None:
    """Compare scenarios with a baseline: comparison.csv, plots and a self-contained report.html."""
    from cadresim.analysis.compare import compare as build
    from cadresim.output.comparison_folder import default_output, write_comparison

    chosen = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
    try:
        comp = build(dirs, baseline, chosen, lang)
        target = output or default_output(comp)
        write_comparison(comp, target)
    except InputError as e:
        fail(e)
    for note in comp.notes:
        err.print(f"[yellow]warning:[/] {note}", highlight=False, markup=True)
    out.print(_table(comp))
    out.print(f"Comparison written to [bold]{target}/[/] (open [bold]{target / 'report.html'}[/] in a browser)")


def _table(comp: Comparison) -> Table:
    """Differences from the baseline at the report's key date, as in the report's summary."""
    from cadresim.analysis.compare import key_date
    from cadresim.report.labels import metric_label, metric_unit

    date = key_date(comp)
    rows = comp.tables["comparison"]
    rows = rows[(rows["date"] == date) & rows["metric"].isin(comp.metrics)]
    table = Table(title=f"Difference from {comp.baseline.name} at {date}: mean [95% CI]")
    table.add_column("metric")
    for name in comp.scenarios[1:]:
        table.add_column(f"{name} ({'paired' if comp.pairing[name] == 'paired' else 'unpaired'})", justify="right")
    for metric in comp.metrics:
        here = rows[rows["metric"] == metric].set_index("scenario")
        scale = 100.0 if metric_unit(metric) == "unit_percent" else 1.0
        cells = [_cell(here.loc[n], scale) if n in here.index else "" for n in comp.scenarios[1:]]
        table.add_row(metric_label(metric) + (" (pp)" if scale == 100.0 else ""), *cells)
    return table


def _cell(row: pd.Series, scale: float) -> str:
    diff, low, high = (scale * row[c] for c in ("diff", "diff_ci95_low", "diff_ci95_high"))
    if diff != diff:  # NaN: the baseline lacks this metric
        return "–"
    return f"{diff:+.2f}" if low != low else f"{diff:+.2f} [{low:+.2f}, {high:+.2f}]"
