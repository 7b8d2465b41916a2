"""`cadresim run`, `validate` and `schema`: one scenario, checked or run."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cadresim.cli.common import SET_HELP, app, err, fail, out
from cadresim.errors import InputError
from cadresim.measures.metrics import HEADLINE
from cadresim.scenario.loader import load_scenario


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/youth2.yaml."),
    replications: int = typer.Option(20, "-r", "--replications", min=1, help="Number of replications."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: a fixed seed, so runs agree)."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Worker processes."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Results folder "
                                          "(default: results/<scenario name>)."),
    overrides: list[str] = typer.Option([], "--set", help=SET_HELP),
    no_events: bool = typer.Option(False, "--no-events", help="Do not write events.parquet."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or table."),
    keep_ids: bool = typer.Option(False, "--keep-ids", help="Write the roster's own cadre ids in the outputs "
                                  "instead of pseudonyms."),
    key_file: Optional[Path] = typer.Option(None, "--key-file", help="Pseudonym key, kept outside the results "
                                            "(default: $CADRESIM_KEY_FILE, else ~/.config/cadresim/pseudonym.key, "
                                            "made on first use)."),
) -> None:
    """Run a scenario's replications and write results/<name>/."""
    from cadresim.io.privacy import resolve_key
    from cadresim.output.run_folder import write_results
    from cadresim.io.roster_read import read_roster
    from cadresim.engine.replications import DEFAULT_SEED, run_scenario

    try:  # every input problem before anything is run or written
        check_run_options(replications, jobs)
        sc = load_scenario(scenario, overrides)
        target = output or Path("results") / sc.name
        loaded = read_roster(sc)
        key = None if keep_ids else resolve_key(key_file, target)
    except InputError as e:
        fail(e)
    if not quiet:
        _print_roster_notes(loaded.notes, key)
    seed = DEFAULT_SEED if seed is None else seed
    started = datetime.now(timezone.utc)
    with _progress(quiet) as progress:
        task = progress.add_task(f"{sc.name}: replications", total=replications)
        res = run_scenario(sc, replications, seed, jobs, record_events=not no_events, roster=loaded.roster,
                           on_done=lambda i: progress.advance(task))
    write_results(res, target, jobs, started, keep_ids=keep_ids, key=key)
    if not quiet:
        _print_summary(res.summary, sc.name)
        for w in res.warnings:
            err.print(f"[yellow]warning:[/] {w}", highlight=False)
        out.print(f"Results written to [bold]{target}/[/]")


def check_run_options(replications: int, jobs: int, what: str = "replications") -> None:
    """Refuse replications or worker processes over their documented limits, before any work.

    Raises:
        InputError: naming the option, the value and the limit.
    """
    from cadresim import limits

    problems = [*limits.within("-r/--replications", "", what, replications, limits.MAX_REPLICATIONS),
                *limits.within("-j/--jobs", "", "worker processes", jobs, limits.MAX_JOBS)]
    if problems:
        raise InputError(problems)


def _print_roster_notes(notes: list[str], key) -> None:
    """How the roster files were read, and where the pseudonym key is."""
    for note in notes:
        err.print(f"note: {note}", highlight=False, markup=False)
    if key is not None and key.created:
        err.print(f"note: made a pseudonym key at {key.path}: keep it (the same key gives the same pseudonyms) and "
                  "do not share it with the results", highlight=False, markup=False)


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, disable=quiet, transient=False)


def _print_summary(summary, name: str) -> None:
    table = Table(title=f"{name}: outcome metrics, mean [95% CI]")
    dates_ = sorted(summary["date"].unique())
    table.add_column("metric", no_wrap=True)
    for d in dates_:
        table.add_column(d, justify="right", no_wrap=True)
    order = HEADLINE + sorted(set(summary["metric"]) - set(HEADLINE))
    for metric in order:
        rows = summary[summary["metric"] == metric].set_index("date")
        if rows.empty:
            continue
        cells = [_cell(rows.loc[d]) if d in rows.index else "" for d in dates_]
        table.add_row(("* " if metric in HEADLINE else "  ") + metric, *cells)
    out.print(table)
    out.print("* headline metric")


def _cell(row) -> str:
    if row["n"] < 2:
        return f"{row['mean']:.2f}"
    return f"{row['mean']:.2f} [{row['ci95_low']:.2f}, {row['ci95_high']:.2f}]"


@app.command()
def validate(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    overrides: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Check a scenario without running it, and the roster and units files it names."""
    from cadresim.io.roster_read import read_roster

    try:
        sc = load_scenario(scenario, overrides)
        loaded = read_roster(sc) if sc.district.roster_file is not None else None
    except InputError as e:
        fail(e)
    out.print(f"{scenario}: valid scenario '{sc.name}' ({sc.start} to {sc.end}, "
              f"reshuffles {', '.join(sc.reshuffle.dates) or 'none'}, "
              f"{len(sc.youth_talent.cohorts)} Youth Talent cohort(s))", highlight=False)
    if loaded is not None:
        out.print(f"{sc.district.roster_file}: {len(loaded.roster.cadres)} cadres in "
                  f"{len(loaded.roster.units)} units ({sc.district.units_file}), checked", highlight=False)
        for note in loaded.notes:
            err.print(f"note: {note}", highlight=False)


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file.")) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from cadresim.scenario.docs import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
