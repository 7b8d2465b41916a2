"""`cadresim run`, `validate` and `schema`: one scenario, checked or run."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cadresim.cli.common import SET_HELP, app, err, fail, interrupted, out, write_failed
from cadresim.errors import InputError, Problem
from cadresim.measures.metrics import HEADLINE
from cadresim.scenario.loader import load_scenario

RUN_EXAMPLES = """Examples: 4 replications in each of the 10 plausible districts into results/youth2/; 3 districts
with 10 replications each on two workers into a folder of their own; one key changed; the earlier
results/youth2/ replaced.

  cadresim run scenarios/youth2.yaml

  cadresim run scenarios/youth2.yaml --districts 3 -r 10 -j 2 -o results/youth2_3x10

  cadresim run scenarios/youth2.yaml --set youth_talent.cohorts.c2.size=60 -o results/c2_60

  cadresim run scenarios/youth2.yaml --force"""


@app.command(epilog=RUN_EXAMPLES)
def run(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="Scenario YAML file, e.g. "
                                    "scenarios/youth2.yaml."),
    replications: Optional[int] = typer.Option(None, "-r", "--replications", min=1, metavar="N", help="Replications "
                                               "in each district (default: 4 over the plausible districts, 20 on "
                                               "a roster of your own)."),
    districts: Optional[int] = typer.Option(None, "--districts", min=1, metavar="N", help="Plausible districts to "
                                            "run over (default: the scenario's district.districts, 10)."),
    seed: int = typer.Option(None, "--seed", metavar="N", help="Random seed (default: a fixed seed, so runs "
                             "agree)."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, metavar="N", help="Worker processes."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Results folder "
                                          "(default: results/<scenario name>); must be new, empty, or an earlier "
                                          "results folder (with --force)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier results folder at the output "
                               "(never anything else)."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    no_events: bool = typer.Option(False, "--no-events", help="Do not write events.parquet."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not draw plots/*.png (faster, for scripts)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or table (notes that change "
                               "results are still shown)."),
    keep_ids: bool = typer.Option(False, "--keep-ids", help="Write the roster's own cadre ids in the outputs "
                                  "instead of pseudonyms."),
    key_file: Optional[Path] = typer.Option(None, "--key-file", metavar="FILE", help="Pseudonym key, kept outside "
                                            "the results (default: $CADRESIM_KEY_FILE, else "
                                            "~/.config/cadresim/pseudonym.key, made on first use)."),
    lang: str = typer.Option("en", "--lang", metavar="LANG", help="Language of the printed summary and the "
                             "figures: en or zh."),
) -> None:
    """Run a scenario's replications and write results/<name>/."""
    from cadresim.engine.districts import is_grown
    from cadresim.io.output_target import check_target, claim
    from cadresim.io.privacy import resolve_key
    from cadresim.analysis.targets import check_target_metrics
    from cadresim.cli.target_lines import print_run_targets
    from cadresim.io.roster_read import read_roster

    try:  # every input problem before anything is run or written
        check_run_options(replications or 1, jobs)
        if lang not in ("en", "zh"):
            raise InputError([Problem("--lang", "", "unknown language; use en or zh", lang)])
        sc = load_scenario(scenario, [*overrides, *district_override(districts)])
        check_target_metrics(sc, str(scenario))
        target = output or Path("results") / sc.name
        check_target(target, "run", force)  # the output first: nothing else is read for a run that cannot be written
        loaded = None if is_grown(sc) else read_roster(sc)
        roster, notes = (loaded.roster, loaded.notes) if loaded else (None, [])
        key = None if keep_ids else resolve_key(key_file, target)
        with claim(target, "run", force) as held:  # checked and held from here to the last rename
            _print_notes(held.notes + notes, key, quiet)
            started = datetime.now(timezone.utc)
            res = _simulate(sc, roster, replications, seed, jobs, not no_events, quiet)
            _write(res, target, jobs, started, keep_ids, key, force, notes, not no_plots, lang)
    except InputError as e:
        fail(e)
    except KeyboardInterrupt:
        interrupted()
    if not quiet:
        _print_summary(res.summary, sc.title.text(lang, sc.name), lang)
        print_run_targets(res)
        for w in res.warnings:
            err.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
        replaced = f" (replacing {held.replaces})" if held.replaces else ""
        out.print(f"Results written to [bold]{target}/[/]{replaced}", highlight=False, soft_wrap=True)


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


def district_override(districts: int | None) -> list[str]:
    """``--districts N`` as the ``--set`` it stands for."""
    return [] if districts is None else [f"district.districts={districts}"]


def _simulate(sc, roster, replications: int | None, seed: int | None, jobs: int, events: bool, quiet: bool):
    """The districts (grown ones found or read from the cache), then every replication, with progress bars
    unless ``quiet``."""
    from cadresim.engine.replications import DEFAULT_SEED, default_replications, run_scenario

    with _progress(quiet) as progress:
        start = start_districts(sc, roster, jobs, progress)
        per = replications or default_replications(len(start.districts))
        task = progress.add_task(f"{sc.name}: replications", total=per * len(start.districts))
        return run_scenario(sc, per, DEFAULT_SEED if seed is None else seed, jobs, record_events=events,
                            on_done=lambda i: progress.advance(task), districts=start)


def start_districts(sc, roster, jobs: int, progress: Progress):
    """The run's districts; growing or reading grown ones shows the seeds tried and accepted."""
    from cadresim.engine.districts import is_grown, start

    if roster is not None or not is_grown(sc):
        return start(sc, roster)
    want = sc.district.districts
    task = progress.add_task(f"{sc.name}: plausible districts (grown once, then cached)", total=want)
    return start(sc, None, jobs, on_tried=lambda tried, found: progress.update(
        task, completed=found, description=f"{sc.name}: plausible districts, {found} of {tried} seeds accepted"))


def _write(res, target: Path, jobs: int, started: datetime, keep_ids: bool, key, force: bool,
           notes: list[str], plots: bool, lang: str) -> None:
    """The results folder; a folder that cannot be written ends the command with a message."""
    from cadresim.output.run_folder import write_results

    try:
        write_results(res, target, jobs, started, keep_ids=keep_ids, key=key, force=force, notes=notes,
                      plots=plots, lang=lang)
    except OSError as e:  # a full or read-only disk, a folder removed meanwhile: nothing was replaced
        write_failed(target, e)


def _print_notes(notes: list[str], key, quiet: bool) -> None:
    """What was cleaned beside the target and how the roster was read (always: they change what the
    results mean), then where the pseudonym key is (unless ``quiet``)."""
    for note in notes:
        err.print(f"note: {note}", highlight=False, markup=False)
    if quiet:
        return
    if key is not None and key.created:
        err.print(f"note: made a pseudonym key at {key.path}: keep it (the same key gives the same pseudonyms) and "
                  "do not share it with the results", highlight=False, markup=False)


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, disable=quiet, transient=False)


def _print_summary(summary, name: str, lang: str = "en") -> None:
    """The run's metrics as the report shows them: labels, units, shares in percent, in ``lang``."""
    from cadresim.report.numbers import summary_headers, summary_notes, summary_rows, summary_title

    table = Table(title=summary_title(name, summary, lang))
    metric, unit, *when = summary_headers(summary, lang)
    table.add_column(metric, max_width=60)
    table.add_column(unit)
    for date in when:
        table.add_column(date, justify="right", no_wrap=True)
    for row in summary_rows(summary, lang, HEADLINE):
        table.add_row(("* " if row.headline else "  ") + row.label, row.unit, *row.cells)
    out.print(table)
    for note in summary_notes(summary, lang, HEADLINE):
        out.print(note, highlight=False, markup=False)


@app.command(epilog="Examples:\n\n  cadresim validate scenarios/youth2.yaml\n\n"
                    "  cadresim validate mydept/scenario.yaml --set youth_talent.cohorts.c2.size=60")
def validate(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="Scenario YAML file."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
) -> None:
    """Check a scenario without running it, and the roster and units files it names."""
    from cadresim.analysis.targets import check_target_metrics
    from cadresim.io.roster_read import read_roster

    try:
        sc = load_scenario(scenario, overrides)
        check_target_metrics(sc, str(scenario))
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
            err.print(f"note: {note}", highlight=False, markup=False)


@app.command(epilog="Examples:\n\n  cadresim schema -o cadresim.schema.json   (point your editor's YAML "
                    "schema setting at it)")
def schema(output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE",
                                                 help="Write to this file.")) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from cadresim.scenario.docs import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
