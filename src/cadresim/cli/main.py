"""The console entry point: every command module registers itself on the app when imported."""

from __future__ import annotations

import sys

from cadresim.cli import (bench, calibrate, compare, roster, run, sensitivity, sweep, target,  # noqa: F401
                          teams)  # (they register their commands)
from cadresim.cli.common import app, err


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: no results written")
        sys.exit(130)
