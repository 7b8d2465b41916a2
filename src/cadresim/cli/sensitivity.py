"""`cadresim sensitivity`: which scenario keys move a metric most (Morris screening or Sobol indices).

A thin wrapper over :func:`cadresim.analysis.sensitivity.sensitivity`, with the sweep command's executors,
progress bar and interruption handling; the folder is written by
:func:`cadresim.output.decision_folder.write_sensitivity`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cadresim import limits
from cadresim.cli.common import SET_HELP, app, dask_option, err, fail, jobs_option, out, seed_option
from cadresim.cli.run import check_run_options
from cadresim.errors import InputError
from cadresim.scenario.loader import load_scenario

EXAMPLES = """Examples: Morris screening of three levers of the default district; Sobol indices of two.

  cadresim sensitivity scenarios/youth2.yaml --param youth_talent.cohorts.c2.size=20,80
--param rotation.cross_unit_rate=0.05,0.3 --param selection.assessment_noise=0.1,0.5
--metric post80_section_eligible_strict@2016-12 -r 10 -j 2

  cadresim sensitivity scenarios/youth2.yaml --method sobol --samples 64 --param youth_talent.cohorts.c2.size=20,80
--param rotation.cross_unit_rate=0.05,0.3 --metric post80_division_level@2016-12"""


@app.command("sensitivity", epilog=EXAMPLES)
def sensitivity_command(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="The base scenario, e.g. scenarios/youth2.yaml."),
    params: list[str] = typer.Option([], "--param", metavar="KEY=LOW,HIGH",
                                     help="A scenario key and its range (repeatable), e.g. "
                                     "--param rotation.cross_unit_rate=0.05,0.3; integer keys take integers."),
    metrics: list[str] = typer.Option([], "--metric", metavar="METRIC@YYYY-MM",
                                      help="An output: a metric at a date the scenario takes metrics at "
                                      "(repeatable), e.g. --metric post80_section_eligible_strict@2016-12."),
    method: str = typer.Option("morris", "--method", metavar="morris|sobol",
                               help="morris: screening (mu*, sigma; cheap); sobol: first-order and total "
                               "variance shares (costlier)."),
    trajectories: Optional[int] = typer.Option(None, "--trajectories", metavar="N",
                                               help="Morris trajectories (default 10, at least 4); the design has "
                                               "N x (parameters + 2) points."),
    samples: Optional[int] = typer.Option(None, "--samples", metavar="N",
                                          help="Sobol base samples (default 64, at least 8, a power of 2); the "
                                          "design has N x (parameters + 3) points."),
    replications: int = typer.Option(10, "-r", "--replications", min=1, metavar="N",
                                     help="Paired replications of each design point (its output is their mean)."),
    budget: Optional[int] = typer.Option(None, "--budget", metavar="RUNS",
                                         help="Refuse a design needing more runs (points x replications)."),
    seed: Optional[int] = seed_option(),
    design_seed: int = typer.Option(0, "--design-seed", metavar="N", help="Seed of the design and its intervals."),
    jobs: int = jobs_option(),
    dask: Optional[str] = dask_option(),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Folder (default: "
                                          "results/sensitivity/<scenario name>); rerunning resumes it."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not write plots/."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or table."),
) -> None:
    """Rank scenario keys by how much they move a metric (SALib Morris or Sobol, paired replications)."""
    from cadresim.analysis.levers import parse_params
    from cadresim.analysis.sensitivity import DEFAULT_SIZE, plan, sensitivity
    from cadresim.engine.replications import DEFAULT_SEED

    size = (trajectories if method == "morris" else samples) or DEFAULT_SIZE.get(method, 10)
    try:
        check_run_options(replications, jobs, "replications of each point")
        base = load_scenario(scenario, overrides)
        ranges = parse_params(params)
        plan(base, ranges, metrics, method, size, replications, budget)
        _refuse(limits.within("--trajectories/--samples", "", "runs of the design", _runs(method, size, len(ranges),
                                                                                          replications),
                              limits.MAX_SWEEP_RUNS))
    except InputError as e:
        fail(e)
    target = output or Path("results") / "sensitivity" / base.name
    started = datetime.now(timezone.utc)
    res = run_resumable(lambda executor, on_progress: sensitivity(
        base, ranges, metrics, method=method, size=size, replications=replications,
        seed=DEFAULT_SEED if seed is None else seed, design_seed=design_seed, budget=budget, jobs=jobs,
        executor=executor, output=target, on_progress=on_progress), dask, jobs, quiet, base.name, target)
    _finish(res, target, jobs, dask, started, no_plots, quiet)


def _runs(method: str, size: int, factors: int, replications: int) -> int:
    from cadresim.analysis.sensitivity_methods import design_size

    return design_size(method, factors, size) * replications


def _refuse(problems) -> None:
    if problems:
        raise InputError(problems)


def run_resumable(work, dask: str | None, jobs: int, quiet: bool, name: str, target: Path):
    """``work(executor, on_progress)`` with a progress bar; an interruption or a broken executor ends the
    command with how many runs are saved (a rerun of the same command resumes)."""
    from cadresim.cli.sweep import progress_bar
    from cadresim.engine.fanout import dask_executor

    try:
        with dask_executor(dask, jobs) as executor, progress_bar(quiet, name) as on_progress:
            return work(executor, on_progress)
    except InputError as e:
        fail(e)
    except KeyboardInterrupt:
        err.print(f"interrupted: {_saved(target)} runs are saved in {target}/runs; run the same command again to "
                  "finish", highlight=False)
        raise typer.Exit(130)
    except Exception as e:  # an executor failure: the finished runs are safe
        err.print(f"[bold red]error:[/] the runs stopped: {type(e).__name__}: {e}", highlight=False, markup=True)
        err.print(f"{_saved(target)} runs are saved in {target}/runs; run the same command again to finish",
                  highlight=False)
        raise typer.Exit(1)


def _saved(target: Path) -> int:
    runs = target / "runs"
    return len(list(runs.glob("*.json"))) if runs.is_dir() else 0


def _finish(res, target: Path, jobs: int, dask: str | None, started: datetime, no_plots: bool,
            quiet: bool) -> None:
    from cadresim.analysis.sensitivity import statement
    from cadresim.output.decision_folder import write_sensitivity

    write_sensitivity(res, f"dask {dask}" if dask else f"{jobs} process(es)", started, not no_plots)
    if quiet:
        return
    for metric in res.metrics:
        out.print(_table(res, metric))
        out.print(statement(res, metric), highlight=False)
    for note in res.notes:
        err.print(f"[yellow]warning:[/] {note}", highlight=False)
    out.print(f"Sensitivity written to [bold]{target}/[/]")


def _table(res, metric: str) -> Table:
    rows = res.indices[res.indices["metric"] == metric]
    cols = ["mu_star", "mu_star_conf", "sigma"] if res.method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    se = rows["replication_se"].iloc[0]
    table = Table(title=f"{res.method.title()} indices of {metric} (replication SE of a point's mean {se:.3g})")
    for c in ["factor", *cols, "noise_sd", "above noise"]:
        table.add_column(c, justify="left" if c == "factor" else "right")
    for _, r in rows.iterrows():
        table.add_row(r["factor"], *(f"{r[c]:.3g}" for c in cols), f"{r['noise_sd']:.3g}",
                      "yes" if r["above_noise"] else "no")
    return table
