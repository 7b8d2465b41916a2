"""`cadresim sweep` and `cadresim plot-sweep`: parameter sweeps from the command line.

Thin wrappers: they read the options into a :class:`cadresim.analysis.sweep_design.Design`, pick the executor
(this process, a process pool, or a Dask cluster: :mod:`cadresim.engine.fanout`), show progress and call
:func:`cadresim.analysis.sweep.sweep`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from cadresim import limits
from cadresim.cli.common import (METRIC_HELP, SET_HELP, app, check_metrics, dask_option, err, fail, jobs_option,
                                 metric_option, out, seed_option, split_metrics)
from cadresim.cli.run import check_run_options
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import load_scenario
from cadresim.scenario.schema import Scenario

MAX_ROWS = 40  # points shown in the printed table (all are in summary.csv)


SWEEP_EXAMPLES = """Examples: a grid of three rotation rates; a Latin hypercube of 50 points over two ranges on
four workers.

  cadresim sweep scenarios/youth2.yaml --grid rotation.cross_unit_rate=0.05,0.1,0.2 -r 10

  cadresim sweep scenarios/youth2.yaml --design lhs --samples 50 --range rotation.cross_unit_rate=0.05,0.3
--range youth_talent.cohorts.c2.size=20,80 -j 4"""


@app.command("sweep", epilog=SWEEP_EXAMPLES)
def sweep_command(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="The base scenario, e.g. "
                                    "scenarios/youth2.yaml."),
    grid: list[str] = typer.Option([], "--grid", metavar="KEY=V1,V2",
                                   help="A key and the values to try, KEY=v1,v2,... (repeatable; "
                                   "every combination is run), e.g. --grid rotation.cross_unit_rate=0.05,0.1,0.2."),
    design: str = typer.Option("grid", "--design", metavar="grid|lhs",
                               help="grid: every combination of the --grid values; lhs: a "
                               "Latin hypercube of --samples points over the --range ranges."),
    ranges: list[str] = typer.Option([], "--range", metavar="KEY=LOW,HIGH",
                                     help="KEY=low,high for --design lhs (repeatable); integer "
                                     "keys are drawn as integers."),
    samples: Optional[int] = typer.Option(None, "--samples", min=1, metavar="N", help="Points of the Latin hypercube."),
    design_seed: int = typer.Option(0, "--design-seed", metavar="N", help="Seed of the Latin hypercube's points."),
    replications: int = typer.Option(20, "-r", "--replications", min=1, metavar="N",
                                     help="Replications of each point."),
    seed: Optional[int] = seed_option(),
    jobs: int = jobs_option(),
    dask: Optional[str] = dask_option(),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Sweep folder (default: "
                                          "results/sweeps/<scenario name>); rerunning resumes it."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    metric: list[str] = metric_option(METRIC_HELP + " of the printed table (default: post80_division_level)."),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="On resuming, run failed runs again."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not write plots/."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or table."),
) -> None:
    """Run a scenario over a grid or a Latin hypercube of parameters; write results/sweeps/<name>/."""
    from cadresim.engine.fanout import dask_executor
    from cadresim.engine.replications import DEFAULT_SEED
    from cadresim.analysis.sweep import check_design, sweep

    metric = split_metrics(metric) or ["post80_division_level"]
    try:
        check_run_options(replications, jobs, "replications of each point")
        check_metrics(metric)
        base = load_scenario(scenario, overrides)
        plan = build_design(base, design, grid, ranges, samples, design_seed)
        _check_runs(len(plan.points), replications)
        check_design(base, plan)
    except InputError as e:
        fail(e)
    target = output or Path("results") / "sweeps" / base.name
    total = len(plan.points) * replications
    try:
        with dask_executor(dask, jobs) as executor, progress_bar(quiet, base.name) as on_progress:
            res = sweep(base, design=plan, replications=replications, seed=DEFAULT_SEED if seed is None else seed,
                        jobs=jobs, executor=executor, output=target, on_progress=on_progress,
                        retry_errors=retry_errors)
    except InputError as e:
        fail(e)
    except KeyboardInterrupt:
        err.print(f"interrupted: {_saved(target)} of {total} runs are saved in {target}/runs; run the same command "
                  "again to finish the others", highlight=False)
        raise typer.Exit(130)
    except Exception as e:  # an executor failure (a broken pool, a lost cluster): the finished runs are safe
        err.print(f"[bold red]error:[/] the runs stopped: {type(e).__name__}: {e}", highlight=False, markup=True)
        err.print(f"{_saved(target)} of {total} runs are saved in {target}/runs; run the same command again to "
                  "finish the others", highlight=False)
        raise typer.Exit(1)
    _finish(res, target, metric, no_plots, quiet)


def build_design(base: Scenario, kind: str, grid: list[str], ranges: list[str], samples: int | None,
                 design_seed: int):
    """The design the options describe.

    Raises:
        InputError: the options do not fit together, or an item is malformed.
    """
    from cadresim.analysis.sweep_design import full_grid, latin_hypercube, parse_grid, parse_ranges

    problems = []
    if kind not in ("grid", "lhs"):
        problems.append(Problem("--design", "", "must be grid or lhs", kind))
    elif kind == "grid" and ranges:
        problems.append(Problem("--range", "", "goes with --design lhs; a grid takes --grid KEY=v1,v2,..."))
    elif kind == "lhs":
        if grid:
            problems.append(Problem("--grid", "", "goes with --design grid; a Latin hypercube takes --range "
                                    "KEY=low,high"))
        if samples is None:
            problems.append(Problem("--samples", "", "--design lhs needs the number of points, e.g. --samples 50"))
    if problems:
        raise InputError(problems)
    if kind == "grid":
        values = parse_grid(grid)
        points = math.prod(len(v) for v in values.values())
        _refuse(limits.within("--grid", "", "points of the grid (the product of the numbers of values)", points,
                              limits.MAX_SWEEP_POINTS))
        return full_grid(values)
    _refuse(limits.within("--samples", "", "points of the Latin hypercube", samples or 0, limits.MAX_SWEEP_POINTS))
    return latin_hypercube(parse_ranges(ranges), samples or 0, design_seed, base)


def _check_runs(points: int, replications: int) -> None:
    """Refuse a sweep of more runs (points x replications) than the documented limit."""
    _refuse(limits.within("-r/--replications", "", f"runs of the sweep ({points:,} points x {replications:,} "
                          "replications)", points * replications, limits.MAX_SWEEP_RUNS))


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


class RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.2f} runs/s" if speed else "… runs/s", style="progress.data.speed")


@contextmanager
def progress_bar(quiet: bool = False, name: str = "sweep") -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (runs done / all, rate, time elapsed and left), as an
    ``on_progress`` callback for :func:`cadresim.analysis.sweep.sweep`."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=err, disable=quiet)
    task: list = []

    def update(done: int, total: int) -> None:
        if not task:  # created at the first report, so runs already done do not count towards the rate
            task.append(progress.add_task(f"{name}: runs", total=total, completed=done))
        else:
            progress.update(task[0], completed=done)

    with progress:
        yield update


def _saved(target: Path) -> int:
    runs = target / "runs"
    return len(list(runs.glob("*.json"))) if runs.is_dir() else 0


def _finish(res, target: Path, metrics: list[str], no_plots: bool, quiet: bool) -> None:
    if not no_plots:
        from cadresim.report.sweep_figures import save_sweep_plots

        try:
            save_sweep_plots(res.table, res.design, target / "plots")
        except ValueError as e:
            err.print(f"[yellow]warning:[/] no plots: {e}", highlight=False)
    if quiet:
        return
    for metric in metrics:
        _print_points(res.summary, list(res.design.keys), metric)
    for w in res.warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    if res.failed:
        err.print(f"[yellow]warning:[/] {res.failed} run(s) failed; their error is in the error column of "
                  f"{target / 'table.csv'}", highlight=False)
    note = f" ({res.reused} finished runs reused)" if res.reused else ""
    out.print(f"Sweep written to [bold]{target}/[/]{note}")


def _print_points(summary, keys: list[str], metric: str) -> None:
    from cadresim import dates

    rows = summary[summary["metric"] == metric]
    if rows.empty:
        err.print(f"[yellow]warning:[/] no metric {metric!r} in the sweep; metrics: "
                  f"{', '.join(sorted(summary['metric'].unique()))}", highlight=False)
        return
    date = max(rows["date"].unique(), key=dates.parse)
    rows = rows[rows["date"] == date]
    table = Table(title=f"{metric} at {date}: mean [95% CI] over the replications of each point")
    for col in ["run_id", *keys]:
        table.add_column(col, justify="right")
    table.add_column("mean [95% CI]", justify="right")
    table.add_column("n", justify="right")
    for _, row in rows.head(MAX_ROWS).iterrows():
        ci = "" if row["n"] < 2 else f" [{row['ci95_low']:.2f}, {row['ci95_high']:.2f}]"
        table.add_row(str(row["run_id"]), *(_fmt(row[k]) for k in keys), f"{row['mean']:.2f}{ci}", str(row["n"]))
    out.print(table)
    if len(rows) > MAX_ROWS:
        out.print(f"... {len(rows) - MAX_ROWS} more points in summary.csv")


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@app.command("plot-sweep", epilog="Examples:\n\n  cadresim plot-sweep results/sweeps/youth2\n\n"
                                  "  cadresim plot-sweep results/sweeps/youth2 --metric reshuffle_fill_rate "
                                  "--date 2016-12")
def plot_sweep(
    folder: Path = typer.Argument(..., metavar="DIR", help="A sweep folder written by `cadresim sweep`."),
    metrics: list[str] = metric_option(METRIC_HELP + " to draw (default: the headline metrics)."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM", help="Snapshot date (default: the "
                                       "last)."),
) -> None:
    """Draw a sweep's metrics against its parameters into DIR/plots/."""
    from cadresim.analysis.sweep_store import read_sweep
    from cadresim.report.sweep_figures import save_sweep_plots

    metrics = split_metrics(metrics)
    try:
        check_metrics(metrics)
        table, design = read_sweep(folder)
        try:
            paths = save_sweep_plots(table, design, folder / "plots", metrics or None, date)
        except ValueError as e:
            raise InputError([Problem("--metric/--date", "", str(e))]) from None
    except InputError as e:
        fail(e)
    for path in paths:
        out.print(str(path), highlight=False)
