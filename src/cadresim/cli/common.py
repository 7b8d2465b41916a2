"""What every command shares: the Typer app, the consoles, and how input problems are reported."""

from __future__ import annotations

import typer
from rich.console import Console

from cadresim.errors import InputError

app = typer.Typer(help="Simulate a district's cadre pipeline and compare personnel policies.",
                  add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
out = Console(width=max(Console().width, 120))
err = Console(stderr=True, soft_wrap=True)  # messages unbroken: paths stay whole when piped or logged

SET_HELP = "Override a scenario key, e.g. --set youth_talent.cohorts.c2.size=60 (repeatable)."


def fail(problems: InputError) -> None:
    """Print every problem and exit with code 2."""
    err.print(f"[bold red]error:[/] {len(problems.problems)} problem(s) in the input:", highlight=False)
    for p in problems.problems:
        err.print(f"  - {p}", highlight=False, markup=False)
    raise typer.Exit(2)


