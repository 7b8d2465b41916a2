"""The comparison folder of ``cadresim compare``: comparison.csv, the team tables, plots/*.png and a
self-contained report.html, written atomically."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from cadresim.analysis.compare import Comparison
from cadresim.errors import InputError, Problem
from cadresim.io.atomic import atomic_folder
from cadresim.output.html import render_report

#: The team tables and the files they are written to.
TEAM_FILES = {"teams": "teams_comparison.csv", "team_changes": "teams_changes.csv"}


def default_output(comp: Comparison) -> Path:
    """results/compare-<scenario names>."""
    slug = "-".join(re.sub(r"[^\w.]+", "_", n) for n in comp.scenarios)
    return Path("results") / f"compare-{slug}"


def write_comparison(comp: Comparison, out_dir: Path) -> Path:
    """Write comparison.csv, teams_comparison.csv and teams_changes.csv (where any run has teams),
    plots/<figure>.png and report.html into ``out_dir``, atomically.

    Raises:
        InputError: ``out_dir`` is, or contains, one of the compared folders.
    """
    out_dir = Path(out_dir)
    _check_output(comp, out_dir)
    with atomic_folder(out_dir) as tmp:
        comp.tables["comparison"].to_csv(tmp / "comparison.csv", index=False)
        for name, file in TEAM_FILES.items():
            if name in comp.tables:
                comp.tables[name].to_csv(tmp / file, index=False)
        images = _write_plots(comp, tmp / "plots")
        (tmp / "report.html").write_text(render_report(comp, images), encoding="utf-8")
    return out_dir


def _write_plots(comp: Comparison, folder: Path) -> dict[str, bytes]:
    """Every figure as plots/<name>.png; returns the PNG bytes by name (for the report)."""
    folder.mkdir()
    images = {}
    with mpl.rc_context(comp.rc):
        for name, fig in comp.figures.items():
            images[name] = png_bytes(fig)
            (folder / f"{name}.png").write_bytes(images[name])
    return images


def _check_output(comp: Comparison, out_dir: Path) -> None:
    target = out_dir.resolve()
    for run in comp.runs:
        folder = run.path.resolve()
        if target == folder or target in folder.parents:
            raise InputError([Problem("-o", "", f"the output folder would replace the results folder {run.path}; "
                                      "choose another", str(out_dir))])


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
