"""What every command shares: the Typer app, the consoles, how input problems and write failures are
reported, and the metric option."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from cadresim import __version__
from cadresim.errors import InputError, Problem

out = Console(width=max(Console().width, 120))
err = Console(stderr=True, soft_wrap=True)  # messages unbroken: paths stay whole when piped or logged

SET_HELP = "Override a scenario key, e.g. --set youth_talent.cohorts.c2.size=60 (repeatable)."
METRIC_HELP = "A metric, e.g. --metric post80_division_level (repeatable; a,b also works)"


# --- help: metavars (SCENARIO, N, DIR), never type names such as <bool> or {scenario} -------------

class _PlainArgument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the argument's metavar already names it

    def _usage_display_name(self) -> str:
        name = self.metavar or (self.name or "").upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


class _PlainOption(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        return self.metavar or (self.name or "").upper()


def _plain(param: Any) -> Any:
    """Show ``param`` by its metavar in help (a Typer argument or option; anything else as it is)."""
    if type(param) is TyperArgument:
        param.__class__ = _PlainArgument
    elif type(param) is TyperOption:
        param.__class__ = _PlainOption
    return param


class _PlainHelp:
    """Help that names values by their metavars (mixed into Typer's command and group classes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params = [_plain(p) for p in self.params]

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))


class Command(_PlainHelp, TyperCommand):
    """A command whose help names values by their metavars."""


class Group(_PlainHelp, TyperGroup):
    """A group of commands whose help names values by their metavars."""


class App(typer.Typer):
    """A Typer app whose groups and commands show plain metavars in their help."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=Group, **kwargs)

    def command(self, name: Optional[str] = None, *, cls: Optional[type[TyperCommand]] = None, **kwargs: Any):
        return super().command(name, cls=cls or Command, **kwargs)


app = App(help="Simulate a district's cadre pipeline and compare personnel policies.",
          epilog="Start with: cadresim run scenarios/youth2.yaml, then cadresim compare results/baseline "
                 "results/youth2. Each command's --help has examples.",
          add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)


def _version(value: bool) -> None:
    if value:
        out.print(f"cadresim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Simulate a district's cadre pipeline and compare personnel policies."""


# --- errors -------------------------------------------------------------------------------------

def fail(problems: InputError) -> None:
    """Print every problem and exit with code 2."""
    err.print(f"[bold red]error:[/] {len(problems.problems)} problem(s) in the input:", highlight=False)
    for p in problems.problems:
        err.print(f"  - {p}", highlight=False, markup=False)
    raise typer.Exit(2)


def write_failed(target: Path, error: OSError, what: str = "results") -> None:
    """Report a folder that could not be written (a full disk, a read-only one) and exit with code 1."""
    where = f" ({error.filename})" if error.filename else ""
    err.print(f"[bold red]error:[/] could not write the {what} to {target}/: {error.strerror or error}{where}. "
              f"Nothing was replaced: anything {target}/ held before is as it was.", highlight=False)
    raise typer.Exit(1)


def interrupted(what: str = "results") -> None:
    """Report Ctrl-C (nothing written: the output is written whole or not at all) and exit with code 130."""
    err.print(f"interrupted: no {what} written", highlight=False)
    raise typer.Exit(130)


# --- options shared by the commands that run many scenarios (sweep, sensitivity, target) ---------

def seed_option() -> Any:
    return typer.Option(None, "--seed", metavar="N", help="Random seed (default: a fixed seed, so runs agree).")


def jobs_option() -> Any:
    return typer.Option(1, "-j", "--jobs", min=1, metavar="N", help="Worker processes (a local process pool when > 1).")


def dask_option() -> Any:
    return typer.Option(None, "--dask", metavar="ADDRESS", help="Run on Dask: a scheduler address (tcp://host:8786), "
                        "or 'local' for a LocalCluster of -j worker processes (needs the dask extra).")


# --- metrics ------------------------------------------------------------------------------------

def metric_option(help: str = METRIC_HELP) -> Any:
    """The --metric option of every command: repeatable, each value a metric or a comma-separated list."""
    return typer.Option([], "--metric", metavar="METRIC", help=help)


def split_metrics(values: list[str]) -> list[str]:
    """Metric names from repeated and comma-separated values, in order, each once."""
    names = [m.strip() for v in values for m in v.split(",")]
    return list(dict.fromkeys(m for m in names if m))


def check_metrics(names: list[str], option: str = "--metric") -> list[str]:
    """``names`` when each is a metric cadresim computes.

    Raises:
        InputError: one problem per unknown name, with the nearest metric names ("did you mean").
    """
    from cadresim.report.labels import METRICS, YOUTH_PREFIX

    known = [m for m in METRICS if m != YOUTH_PREFIX.rstrip("_")] + [YOUTH_PREFIX + "<cohort>"]
    problems = []
    for name in names:
        if name in METRICS or name.startswith(YOUTH_PREFIX):
            continue
        near = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(m) for m in near)}?" if near else "metrics: " + ", ".join(known)
        problems.append(Problem(option, "", f"unknown metric; {hint}", name))
    if problems:
        raise InputError(problems)
    return names
