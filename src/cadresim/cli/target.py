"""`cadresim target`: how much of one lever a goal needs; and the target lines of `run` and `compare`.

The command is a thin wrapper over :func:`cadresim.analysis.threshold_runs.target_search`; the folder is
written by :func:`cadresim.output.decision_folder.write_target`. It exits 0 with an answer, 1 when the
goal is not reachable in the range or the metric does not move one way with the lever, 2 on bad input.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cadresim.cli.common import SET_HELP, app, dask_option, err, fail, jobs_option, out, seed_option
from cadresim.cli.run import check_run_options
from cadresim.errors import InputError
from cadresim.scenario.loader import load_scenario

EXAMPLES = """Example: how large must the second Youth Talent cohort be for at least 1.5 post-80 cadres eligible
(strict) in December 2016 -- in mean, then in 80% of futures?

  cadresim target scenarios/youth2.yaml --vary youth_talent.cohorts.c2.size=0..80
--goal "post80_section_eligible_strict@2016-12 >= 1.5" -r 10 -j 2

  cadresim target scenarios/youth2.yaml --vary youth_talent.cohorts.c2.size=0..80
--goal "post80_section_eligible_strict@2016-12 >= 1.5" --probability 0.8 -r 20 -j 2"""


@app.command("target", epilog=EXAMPLES)
def target_command(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="The base scenario, e.g. scenarios/youth2.yaml."),
    vary: str = typer.Option(..., "--vary", metavar="KEY=LOW..HIGH", help="The lever and its range, e.g. "
                             "youth_talent.cohorts.c2.size=0..80 (integer keys are searched over integers)."),
    goal: str = typer.Option(..., "--goal", metavar="'M@DATE OP X'", help="The goal, e.g. "
                             "'post80_section_eligible_strict@2016-12 >= 10' (OP one of >=, >, <=, <)."),
    probability: Optional[float] = typer.Option(None, "--probability", metavar="P",
                                                help="Meet the goal in at least this share of futures (0 < P < 1) "
                                                "instead of in mean."),
    budget: Optional[int] = typer.Option(None, "--budget", metavar="RUNS", help="The most runs (points x "
                                         "replications); default: enough for the whole search."),
    tolerance: Optional[float] = typer.Option(None, "--tolerance", metavar="X", help="For a float key: the "
                                              "width the answer is narrowed to (default: a 64th of the range)."),
    replications: int = typer.Option(20, "-r", "--replications", min=1, metavar="N",
                                     help="Paired replications of each value tried."),
    seed: Optional[int] = seed_option(),
    jobs: int = jobs_option(),
    dask: Optional[str] = dask_option(),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Folder (default: "
                                          "results/target/<scenario name>); rerunning resumes it."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not write plots/."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or table."),
) -> None:
    """Find the smallest (or largest) value of one lever that meets a goal, with paired bisection."""
    from cadresim.analysis.levers import parse_vary
    from cadresim.analysis.threshold_runs import plan, target_search
    from cadresim.cli.sensitivity import run_resumable
    from cadresim.engine.replications import DEFAULT_SEED
    from cadresim.output.decision_folder import answer_text, write_target

    try:
        check_run_options(replications, jobs, "replications of each value")
        base = load_scenario(scenario, overrides)
        key, low, high = parse_vary(vary)
        plan(base, key, low, high, goal, probability, replications, budget, tolerance)
    except InputError as e:
        fail(e)
    target = output or Path("results") / "target" / base.name
    started = datetime.now(timezone.utc)
    ts = run_resumable(lambda executor, on_progress: target_search(
        base, key, low, high, goal, probability=probability, replications=replications, budget=budget,
        tolerance=tolerance, seed=DEFAULT_SEED if seed is None else seed, jobs=jobs, executor=executor,
        output=target, on_progress=on_progress), dask, jobs, quiet, base.name, target)
    ts.executor = f"dask {dask}" if dask else f"{jobs} process(es)"
    write_target(ts, started, not no_plots)
    if not quiet:
        out.print(_points_table(ts))
        out.print(f"Target search written to [bold]{target}/[/]")
    (out if ts.result.status in ("found", "budget") else err).print(answer_text(ts), highlight=False)
    if ts.result.status not in ("found", "budget"):
        raise typer.Exit(1)


def _points_table(ts) -> Table:
    r = ts.result
    table = Table(title=f"{ts.key}: every value tried ({r.goal})")
    for c in ("value", "stage", "mean [95% CI]", "P(met) [95% CI]", "goal met"):
        table.add_column(c, justify="right")
    for row in r.table():
        table.add_row(f"{row['value']:g}", str(row["stage"]), f"{row['mean']:.3g} [{row['ci95_low']:.3g}, "
                      f"{row['ci95_high']:.3g}]", f"{row['p_met']:.0%} [{row['p_ci95_low']:.0%}, "
                      f"{row['p_ci95_high']:.0%}]", "yes" if row["goal_met"] else "no")
    return table
