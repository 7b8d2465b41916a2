"""The comparison folder of ``cadresim compare``: comparison.csv, the team tables, plots/*.png and a
self-contained report.html, written atomically."""

from __future__ import annotations

import io
import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from cadresim import __version__
from cadresim.analysis.compare import Comparison
from cadresim.errors import InputError, Problem
from cadresim.io.atomic import atomic_folder
from cadresim.io.output_target import claim
from cadresim.io.provenance import git_commit
from cadresim.io.results_folder import MANIFEST
from cadresim.io.spreadsheet_escape import write_csv
from cadresim.output.html import render_report

#: The team tables and the files they are written to.
TEAM_FILES = {"teams": "teams_comparison.csv", "team_changes": "teams_changes.csv"}
#: Each scenario's difference from the baseline in each district (runs over several districts).
BY_DISTRICT = "differences_by_district.csv"


def default_output(comp: Comparison) -> Path:
    """results/compare-<scenario names>."""
    slug = "-".join(re.sub(r"[^\w.]+", "_", n) for n in comp.scenarios)
    return Path("results") / f"compare-{slug}"


def write_comparison(comp: Comparison, out_dir: Path, force: bool = False) -> Path:
    """Write comparison.csv, differences_by_district.csv (runs over several districts), teams_comparison.csv
    and teams_changes.csv (where any run has teams), plots/<figure>.png, report.html and manifest.json
    (last) into ``out_dir``, atomically.

    ``out_dir`` must be new, empty, or (with ``force``) an earlier comparison folder
    (:func:`cadresim.io.output_target.check_target`).

    Raises:
        InputError: ``out_dir`` is, or contains, one of the compared folders, or may not be written.
        OSError: the folder could not be written (a full disk, say): nothing was replaced.
    """
    out_dir = Path(out_dir)
    _check_output(comp, out_dir)
    with claim(out_dir, "comparison", force), atomic_folder(out_dir) as tmp:
        write_csv(comp.tables["comparison"], tmp / "comparison.csv")
        if comp.baseline.n_districts > 1:
            write_csv(comp.tables["by_district"], tmp / BY_DISTRICT)
        for name, file in TEAM_FILES.items():
            if name in comp.tables:
                write_csv(comp.tables[name], tmp / file)
        if "targets" in comp.tables:
            write_csv(comp.tables["targets"], tmp / "targets.csv")
        images = _write_plots(comp, tmp / "plots")
        (tmp / "report.html").write_text(render_report(comp, images), encoding="utf-8")
        (tmp / MANIFEST).write_text(json.dumps(build_manifest(comp), indent=2, ensure_ascii=False),
                                    encoding="utf-8")
    return out_dir


def build_manifest(comp: Comparison) -> dict[str, Any]:
    """What the comparison folder holds and which runs it compares (each with its roster's source)."""
    return {
        "kind": "comparison",
        "cadresim_version": __version__,
        "baseline": comp.baseline.name,
        "scenarios": comp.scenarios,
        "runs": [{"name": r.name, "folder": str(r.path), "scenario": r.manifest.get("scenario"),
                  "replications": r.replications, "seed": r.seed, "districts": r.n_districts,
                  "roster": r.manifest.get("roster")}
                 for r in comp.runs],
        "metrics": comp.metrics,
        "lang": comp.lang,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
    }


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
