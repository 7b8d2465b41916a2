"""`cadresim calibrate`: fit scenario parameters to targets, or to a department's later roster (hindcast).

Thin: it reads the options into parameters and targets (:mod:`cadresim.analysis.calibration_targets`),
checks every input and the output files before anything runs, calls
:func:`cadresim.analysis.calibration.calibrate` (or :func:`cadresim.analysis.calibration_hindcast.hindcast`),
prints the fit table and writes the fitted scenario and its trials atomically.
"""

from __future__ import annotations

import math
import os
import shlex
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cadresim.cli.common import SET_HELP, app, err, fail, interrupted, out
from cadresim.errors import InputError, Problem

CALIBRATE_EXAMPLES = """Examples: fit the yearly exit rate of staff so that 1 to 8 80后 section-level cadres
are eligible on 2016-12 (on the mean, and in 80% of replications); a hindcast from a department's 2011 roster
(the scenario's) to its 2014 roster.

  cadresim calibrate scenarios/baseline.yaml --param grades.staff.exit_rate=0.01,0.06
--target post80_section_eligible@2016-12=1,8,0.8 --budget 30 -r 4

  cadresim calibrate mydept/scenario.yaml --hindcast mydept2014/roster.csv --later-units mydept2014/units.csv
--later-date 2014-03 --param grades.staff.exit_rate=0.01,0.1 --param rotation.cross_unit_rate=0.02,0.2"""

TRIALS_SUFFIX = ".trials.csv"


@app.command(epilog=CALIBRATE_EXAMPLES)
def calibrate(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="The scenario whose parameters to fit."),
    params: list[str] = typer.Option([], "--param", metavar="KEY=LOW,HIGH", help="A scenario key to fit and "
                                      "its range, as --set names keys (repeatable), e.g. "
                                      "--param grades.staff.exit_rate=0.01,0.06. Keys holding whole numbers "
                                      "are fitted in whole numbers."),
    targets: list[str] = typer.Option([], "--target", metavar="NAME=LOW,HIGH[,SHARE]", help="A target and its "
                                      "range (repeatable): a metric at a metric date, e.g. "
                                      "post80_section_eligible@2016-12=1,8; inf for an open end; SHARE: the share "
                                      "of replications that must fall in the range too. With --hindcast: "
                                      "backtest measures (stock.GRADE.DECADE, promotions.GRADE); default: all."),
    later: Optional[Path] = typer.Option(None, "--hindcast", metavar="LATER_ROSTER", help="Hindcast: fit so that "
                                         "runs from the scenario's roster reproduce this later roster file "
                                         "(CSV or .xlsx, the roster file format)."),
    later_units: Optional[Path] = typer.Option(None, "--later-units", metavar="FILE", help="The later roster's "
                                               "units file (default: the scenario's units file)."),
    later_date: Optional[str] = typer.Option(None, "--later-date", metavar="YYYY-MM", help="The later roster's "
                                             "date (default: the month after the scenario's end)."),
    tolerance: float = typer.Option(0.1, "--tolerance", min=0.0, metavar="X", help="Hindcast: a measure within "
                                    "this relative distance of its observed value counts as met."),
    budget: int = typer.Option(30, "--budget", metavar="N", help="The most trials (each runs the replications); "
                               "the fit stops early when every target is met."),
    replications: int = typer.Option(4, "-r", "--replications", min=1, metavar="N", help="Replications per trial "
                                     "(the same seeds at every trial)."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N", help="Seed of the runs and of the "
                                       "optimizer (default: a fixed seed, so fits agree)."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, metavar="N", help="Worker processes for each trial's "
                             "replications."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE", help="The fitted scenario "
                                          "(default: <scenario>_calibrated.yaml beside SCENARIO); the trials go "
                                          "to FILE with .trials.csv in place of .yaml."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier fit at the output (never any "
                               "other file)."),
    standalone: bool = typer.Option(False, "--standalone", help="Write only the fitted keys (no extends: line), "
                                    "for other scenarios to extend."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or tables."),
) -> None:
    """Fit scenario parameters to targets (or to a later roster) and write them as a scenario file."""
    from cadresim.engine.replications import DEFAULT_SEED

    seed = DEFAULT_SEED if seed is None else seed
    try:
        plan = _plan(scenario, params, targets, later, later_units, later_date, budget, replications, jobs,
                     overrides, output)
        check_output(plan["output"], force)
        with _progress(quiet, budget) as tick:
            result = _fit(plan, budget, replications, seed, jobs, tolerance, tick)
    except InputError as e:
        fail(e)
    except KeyboardInterrupt:
        interrupted("fit")
    command = _command(scenario, params, targets, later, later_units, later_date, tolerance, budget,
                       replications, seed, overrides)
    _write(plan, result, command, standalone, quiet)


def _plan(scenario: Path, params: list[str], targets: list[str], later: Path | None, later_units: Path | None,
          later_date: str | None, budget: int, replications: int, jobs: int, overrides: list[str],
          output: Path | None) -> dict[str, Any]:
    """Every input read and checked (all problems at once where one does not hide another).

    Raises:
        InputError: listing the problems.
    """
    from cadresim.analysis import calibration_hindcast as hc
    from cadresim.analysis import district_fit  # noqa: F401  (registers the grown district's figures as targets)
    from cadresim.analysis.calibration import check_budget, check_parameters, check_targets
    from cadresim.analysis.calibration_targets import parse_params, parse_targets, sources_for
    from cadresim.cli.run import check_run_options
    from cadresim.scenario.loader import load_scenario

    check_run_options(replications, jobs, "replications of each trial")
    base = load_scenario(scenario, overrides)
    problems: list[Problem] = []
    parsed = [p for item in params for p in _collect(problems, lambda item=item: parse_params([item], base), [])]
    wanted = [t for item in targets for t in _collect(problems, lambda item=item: parse_targets([item]), [])]
    problems += check_parameters(base, parsed) if parsed or not params else []
    problems += [*check_targets(wanted, required=later is None and not targets), *check_budget(budget)]
    backtest = None
    if later is not None:
        month = _collect(problems, lambda: _parse(later_date) if later_date else base.end_month + 1, None)
        if month is not None and _collect(problems, lambda: hc.hindcast_scenario(base, month), None) is not None:
            roster = _collect(problems, lambda: hc.read_later_roster(base, later, later_units, month), None)
            backtest = hc.backtest_from(base, roster) if roster is not None else None
    elif later_units is not None or later_date is not None:
        problems.append(Problem("--later-units/--later-date", "", "go with --hindcast LATER_ROSTER"))
    context = {"replications": replications, "seed": 0, "jobs": jobs, **({"later": backtest} if backtest else {})}
    if wanted:
        _collect(problems, lambda: sources_for(base, [t.name for t in wanted], context), None)
    if problems:
        raise InputError(problems)
    target = output or scenario.with_name(f"{base.name}_calibrated.yaml")
    return {"base": base, "scenario": scenario, "params": parsed, "targets": wanted, "backtest": backtest,
            "output": target, "overrides": overrides}


def _collect(problems: list[Problem], step: Callable[[], Any], default: Any) -> Any:
    """``step()``, or ``default`` with its problems added to ``problems``."""
    try:
        return step()
    except InputError as e:
        problems += e.problems
        return default


def _parse(month: str) -> int:
    from cadresim import dates

    try:
        return dates.parse(month)
    except (ValueError, TypeError):
        raise InputError([Problem("--later-date", "", "expected a year-month like 2014-03", month)]) from None


def check_output(path: Path, force: bool) -> None:
    """Refuse an output that is not a .yaml file name, that exists (without ``force``), or that holds
    anything but an earlier fit; likewise its trials file.

    Raises:
        InputError: naming the file and what to do.
    """
    from cadresim.analysis.calibration import HEADER

    if path.suffix not in (".yaml", ".yml"):
        raise InputError([Problem("-o", "", "the fitted scenario is a YAML file: give a name ending in .yaml",
                                  str(path))])
    problems = []
    for file, mark in ((path, HEADER), (trials_path(path), "trial,")):
        if os.path.isdir(file) or os.path.islink(file):
            problems.append(Problem("-o", "", f"{file} is a folder or a link: give a new file name", str(file)))
        elif file.exists() and not force:
            problems.append(Problem("-o", "", f"{file} already exists: add --force to replace an earlier fit, or "
                                    "write elsewhere with -o FILE", str(file)))
        elif file.exists() and not _starts_with(file, mark):
            problems.append(Problem("-o", "", f"{file} was not written by cadresim calibrate: it is never replaced; "
                                    "write elsewhere with -o FILE", str(file)))
    parent = next((p for p in path.absolute().parents if p.exists()), Path("/"))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        problems.append(Problem("-o", "", f"cannot write in {parent}", str(path)))
    if problems:
        raise InputError(problems)


def trials_path(path: Path) -> Path:
    """Where the trials of the fit written to ``path`` go."""
    return path.with_name(path.stem + TRIALS_SUFFIX)


def _starts_with(file: Path, mark: str) -> bool:
    try:
        with file.open(encoding="utf-8", errors="replace") as f:
            return f.read(len(mark)) == mark
    except OSError:
        return False


def _fit(plan: dict[str, Any], budget: int, replications: int, seed: int, jobs: int, tolerance: float,
         tick: Callable[[int, float], None]) -> Any:
    """The fit: a hindcast when there is a later roster, else against the targets."""
    from cadresim.analysis import calibration_hindcast as hc
    from cadresim.analysis.calibration import calibrate as fit
    from cadresim.analysis.calibration_targets import evaluator

    base, targets = plan["base"], plan["targets"]
    if plan["backtest"] is not None:
        measures = [t.name for t in targets] or None
        return hc.hindcast(base, plan["backtest"], plan["params"], budget, replications, seed, jobs, tolerance,
                           measures, on_trial=tick)
    context = {"replications": replications, "seed": seed, "jobs": jobs}
    return fit(base, plan["params"], targets, evaluator(base, [t.name for t in targets], context), budget, seed,
               on_trial=tick)


class _progress:
    """A progress bar of trials on stderr (the best loss so far), as an ``on_trial`` callback."""

    def __init__(self, quiet: bool, budget: int) -> None:
        self.bar = Progress(TextColumn("calibrating: trials"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("best loss {task.fields[best]}"), TimeElapsedColumn(), console=err,
                            disable=quiet)
        self.budget, self.best = budget, math.inf

    def __enter__(self) -> Callable[[int, float], None]:
        self.bar.start()
        task = self.bar.add_task("fit", total=self.budget, best="–")

        def tick(number: int, loss: float) -> None:
            self.best = min(self.best, loss)
            self.bar.update(task, completed=number + 1, best=f"{self.best:.4g}")

        return tick

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _command(scenario: Path, params: list[str], targets: list[str], later: Path | None, later_units: Path | None,
             later_date: str | None, tolerance: float, budget: int, replications: int, seed: int,
             overrides: list[str]) -> str:
    """The command line that makes this fit again (for the written file's header)."""
    words = ["cadresim", "calibrate", str(scenario)]
    words += [w for p in params for w in ("--param", p)] + [w for t in targets for w in ("--target", t)]
    if later is not None:
        words += ["--hindcast", str(later), "--tolerance", f"{tolerance:g}"]
        words += ["--later-units", str(later_units)] if later_units else []
        words += ["--later-date", later_date] if later_date else []
    words += ["--budget", str(budget), "-r", str(replications), "--seed", str(seed)]
    words += [w for s in overrides for w in ("--set", s)]
    return " ".join(shlex.quote(w) for w in words)


def _write(plan: dict[str, Any], result: Any, command: str, standalone: bool, quiet: bool) -> None:
    """Print the tables, then write the trials and the fitted scenario, each whole or not at all."""
    from cadresim.io.atomic import atomic_file

    fit = getattr(result, "fit", result)
    path: Path = plan["output"]
    if not quiet:
        if plan["backtest"] is not None:
            out.print(_backtest_table(result.before, result.after))
        out.print(_fit_table(fit))
    extends = None if standalone else _relative(plan["scenario"], path.parent)
    text = fit.scenario_yaml(path.stem, extends, command, _fixed(plan["overrides"]))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(trials_path(path)) as tmp:
            fit.trials.to_csv(tmp, index=False)
        with atomic_file(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as e:
        err.print(f"[bold red]error:[/] could not write {path}: {e.strerror or e}", highlight=False)
        raise typer.Exit(1)
    verdict = "every target met" if fit.met else "[yellow]not every target met[/]: see the table"
    out.print(f"Fitted values written to [bold]{path}[/] ({verdict}); trials in {trials_path(path)}",
              highlight=False)


def _fixed(overrides: list[str]) -> dict[str, Any]:
    """The ``--set`` values by dotted key (written into the fitted scenario beside the fitted keys)."""
    from cadresim.scenario.loader import apply_overrides

    fixed: dict[str, Any] = {}
    for item in overrides:
        data: dict[str, Any] = {}
        apply_overrides(data, [item], {})
        key = item.partition("=")[0].strip()
        node: Any = data
        for part in key.split("."):
            node = node[part]
        fixed[key] = node
    return fixed


def _relative(path: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path.resolve())


def _fit_table(fit: Any) -> Table:
    table = Table(title=f"Fit: best of {len(fit.trials)} trials (trial {fit.best_trial}, loss {fit.loss:.4g})")
    for col in ("target", "range", "achieved [95% CI]", "share in range", "pass"):
        table.add_column(col, justify="left" if col in ("target", "range") else "right")
    for _, r in fit.table.iterrows():
        ci = "" if math.isnan(r.ci95_low) else f" [{r.ci95_low:.4g}, {r.ci95_high:.4g}]"
        share = "" if r.share_at_least is None or math.isnan(r.share_at_least) else \
            f"{r.share_in_range:.0%} (>= {r.share_at_least:.0%})"
        table.add_row(r.target, _range_text(r.low, r.high), f"{r.achieved:.4g}{ci}", share,
                      "yes" if r["pass"] else "[red]no[/]")
    for key, value in fit.values.items():
        table.caption = (table.caption + ", " if table.caption else "fitted: ") + f"{key} = {value}"
    return table


def _range_text(low: float, high: float) -> str:
    from cadresim.analysis.calibration import Target

    return Target("", low, high).range_text()


def _backtest_table(before, after) -> Table:
    table = Table(title="Backtest: the later roster against runs from the earlier one (mean [95% CI])")
    for col in ("measure", "observed", "before fitting", "error", "after fitting", "error"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for b, a in zip(before.itertuples(), after.itertuples()):
        table.add_row(b.measure, f"{b.observed:g}", _sim(b), _rel(b.relative_error), _sim(a), _rel(a.relative_error))
    return table


def _sim(row: Any) -> str:
    ci = "" if math.isnan(row.ci95_low) else f" [{row.ci95_low:.1f}, {row.ci95_high:.1f}]"
    return f"{row.simulated:.1f}{ci}"


def _rel(x: float) -> str:
    return "" if math.isnan(x) else f"{x:+.0%}"
