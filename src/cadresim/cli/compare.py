"""`cadresim compare DIR...`: scenarios side by side, with paired differences, plots and a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.markup import escape
from rich.table import Table

from cadresim.cli.common import METRIC_HELP, app, check_metrics, err, fail, interrupted, metric_option, out, \
    split_metrics, write_failed
from cadresim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from cadresim.analysis.compare import Comparison


COMPARE_EXAMPLES = """Examples: two scenarios against the baseline; chosen metrics, in Chinese, into a folder of
their own; the earlier comparison replaced.

  cadresim compare results/baseline results/youth2 results/rotation

  cadresim compare results/baseline results/youth2 --metric post80_division_level --metric
reshuffle_fill_rate --lang zh -o results/youth2_zh

  cadresim compare results/baseline results/youth2 --force"""


@app.command(epilog=COMPARE_EXAMPLES)
def compare(
    dirs: list[Path] = typer.Argument(..., metavar="DIR", help="Results folders written by `cadresim run` (at "
                                      "least two; the first is the baseline)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="DIR", help="The baseline folder "
                                            "(default: the first)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Output folder "
                                          "(default: results/compare-<scenario names>); must be new, empty, or an "
                                          "earlier comparison folder (with --force)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier comparison folder at the output "
                               "(never anything else)."),
    metric: list[str] = metric_option(METRIC_HELP + " for the table, the forest plot and comparison.csv "
                                      "(default: the headline metrics)."),
    metrics: list[str] = typer.Option([], "--metrics", hidden=True, help="Old name of --metric."),
    lang: str = typer.Option("en", "--lang", metavar="LANG", help="Language of plots and report: en or zh "
                             "(Chinese terms)."),
) -> None:
    """Compare scenarios with a baseline: comparison.csv, plots and a self-contained report.html."""
    from cadresim.analysis.compare import compare as build
    from cadresim.cli.target_lines import print_comparison_targets
    from cadresim.io.output_target import check_target
    from cadresim.output.comparison_folder import default_output, write_comparison

    chosen = split_metrics(metric + metrics) or None
    target = output
    try:
        check_metrics(chosen or [])
        if output is not None:  # refused before the comparison is built
            check_target(output, "comparison", force)
        comp = build(dirs, baseline, chosen, lang)
        target = output or default_output(comp)
        write_comparison(comp, target, force)
    except InputError as e:
        fail(e)
    except OSError as e:
        write_failed(target, e, "comparison")
    except KeyboardInterrupt:
        interrupted("comparison")
    for note in comp.notes:
        err.print(f"[yellow]warning:[/] {escape(note)}", highlight=False, markup=True)
    out.print(_table(comp))
    print_comparison_targets(comp)
    out.print(f"Comparison written to [bold]{target}/[/] (open [bold]{target / 'report.html'}[/] in a browser)")


def _table(comp: Comparison) -> Table:
    """Differences from the baseline at the report's key date, as in the report's summary (its language,
    labels, titles, and shares in percentage points)."""
    from cadresim.analysis.compare import key_date, labels_for
    from cadresim.report.labels import date_text, is_share, metric_label, scenario_text
    from cadresim.report.numbers import DIFFERENCE_TEXT

    words, (lab, _) = DIFFERENCE_TEXT[comp.lang], labels_for(comp, comp.lang)
    date = key_date(comp)
    rows = comp.tables["comparison"]
    rows = rows[(rows["date"] == date) & rows["metric"].isin(comp.metrics)]
    title = words["title"].format(baseline=scenario_text(comp.baseline.name, lab), date=date_text(date, lab))
    table = Table(title=title)
    table.add_column("")
    for name in comp.scenarios[1:]:
        how = words["paired" if comp.pairing[name] == "paired" else "unpaired"]
        table.add_column(f"{scenario_text(name, lab)} ({how})", justify="right")
    for metric in comp.metrics:
        here = rows[rows["metric"] == metric].set_index("scenario")
        cells = [_cell(here.loc[n], metric, comp.lang) if n in here.index else "" for n in comp.scenarios[1:]]
        unit = f" ({words['points']})" if is_share(metric) else ""
        table.add_row(metric_label(metric, lab) + unit, *cells)
    return table


def _cell(row: "pd.Series", metric: str, lang: str) -> str:
    """A difference with its interval and, over several districts, in how many it is higher or lower."""
    from cadresim.output.html import robustness_text
    from cadresim.output.report_text import TEXT
    from cadresim.report.numbers import difference_text

    robust = robustness_text(row, TEXT[lang])
    return difference_text(row, metric) + (f"\n{robust}" if robust else "")
