"""The folders of `cadresim sensitivity` and `cadresim target`: tables, plots, a short report, a manifest.

Both build on the sweep folder (:mod:`cadresim.analysis.sweep_store`: ``design.json``, ``runs/`` saved
as they finish, so a rerun resumes). The sensitivity folder adds ``indices.csv``, ``plots/`` and
``report.md`` to the sweep's tables and writes ``sensitivity.json`` last; the target folder holds
``points.csv``, ``plots/target.png``, ``report.md`` and ``manifest.json`` (last). Every file is
written atomically.
"""

from __future__ import annotations

import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from cadresim import __version__
from cadresim.analysis.sensitivity import SensitivityResults, statement
from cadresim.analysis.sensitivity_methods import DUMMY, main_index
from cadresim.analysis.threshold_runs import TargetSearch
from cadresim.io.atomic import atomic_file, write_atomic
from cadresim.io.provenance import git_commit
from cadresim.io.spreadsheet_escape import write_csv
from cadresim.report import sensitivity_figures as figures
from cadresim.scenario.loader import scenario_hash

SENSITIVITY_MANIFEST, TARGET_MANIFEST = "sensitivity.json", "manifest.json"


def _csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_file(path) as tmp:
        write_csv(frame, tmp)


def _png(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp:
        figures.save(fig, tmp)


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)


def _common(base, seed: int, replications: int, executor: str, started: datetime) -> dict[str, Any]:
    return {"cadresim_version": __version__, "scenario": base.name, "scenario_hash": scenario_hash(base),
            "seed": seed, "replications": replications, "executor": executor,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git_commit": git_commit(),
            "python": platform.python_version()}


def write_sensitivity(res: SensitivityResults, executor: str, started: datetime, plots: bool = True) -> Path:
    """indices.csv, plots/sensitivity_<metric>.png, report.md and sensitivity.json (last)."""
    folder = res.folder
    assert folder is not None
    _csv(res.indices, folder / "indices.csv")
    if plots:
        for metric in res.metrics:
            rows = res.indices[res.indices["metric"] == metric]
            draw = figures.morris_plot if res.method == "morris" else figures.sobol_plot
            _png(draw(rows, f"{res.method.title()}: {metric}"), folder / "plots" / f"sensitivity_{_slug(metric)}.png")
    write_atomic(folder / "report.md", sensitivity_report(res))
    meta = {"kind": "sensitivity", "method": res.method, "size": res.size, "design_rows": len(res.x),
            "points": len(res.sweep.design.points), "factors": [f.__dict__ for f in res.factors],
            "metrics": res.metrics, "failed": res.sweep.failed, "reused": res.sweep.reused, "notes": res.notes,
            **_common(res.sweep.base, res.sweep.seed, res.sweep.replications, executor, started)}
    write_atomic(folder / SENSITIVITY_MANIFEST, json.dumps(meta, indent=2, ensure_ascii=False))
    return folder


def sensitivity_report(res: SensitivityResults) -> str:
    """A short markdown report: the ranked statement and the indices of each metric."""
    main = main_index(res.method)
    lines = [f"# Sensitivity of {res.sweep.base.name} ({res.method})", "",
             f"{len(res.x)} design rows ({len(res.sweep.design.points)} distinct points) x "
             f"{res.sweep.replications} paired replications, seed {res.sweep.seed}. Each point's output is the "
             f"mean over its replications. `{DUMMY}` is a factor the model never reads; `noise_sd` is the "
             f"spread of {main} over a bootstrap of the replications: an index within two noise_sd of zero is "
             "not told apart from replication noise. See docs/decision.md.", ""]
    for metric in res.metrics:
        rows = res.indices[res.indices["metric"] == metric]
        se = rows["replication_se"].iloc[0] if len(rows) else float("nan")
        lines += [f"## {metric}", "", statement(res, metric) + ".", "",
                  f"Replication standard error of a point's mean: {se:.3g}.", "", _markdown(rows.drop(
                      columns=["metric", "replication_se"])), ""]
    return "\n".join(lines)


def _markdown(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, *body])


def _cell(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_target(ts: TargetSearch, started: datetime, plots: bool = True) -> Path:
    """points.csv, plots/target.png, report.md and manifest.json (last)."""
    folder = ts.folder
    assert folder is not None
    points = pd.DataFrame(ts.result.table())
    _csv(points, folder / "points.csv")
    target = ts.result.goal.target
    if plots:
        answer = ts.result.answer.value if ts.result.answer is not None else None
        _png(figures.target_plot(points, ts.key, target.metric, target.threshold, answer), folder / "plots" /
             "target.png")
    write_atomic(folder / "report.md", target_report(ts, points))
    meta = {"kind": "target", **target_summary(ts),
            **_common(ts.base, ts.seed, ts.replications, ts.executor, started)}
    write_atomic(folder / TARGET_MANIFEST, json.dumps(meta, indent=2, ensure_ascii=False, default=str))
    return folder


def target_summary(ts: TargetSearch) -> dict[str, Any]:
    """The answer in a few fields (the manifest's and the Python caller's)."""
    r = ts.result
    return {"key": ts.key, "range": [r.lattice.low, r.lattice.high], "integer": r.lattice.integer,
            "tolerance": r.lattice.tolerance, "goal": str(r.goal), "status": r.status,
            "answer": r.answer.value if r.answer else None, "smallest": r.smallest,
            "neighbour": r.neighbour.value if r.neighbour else None, "direction": r.direction,
            "runs": r.runs, "budget": ts.budget, "reused": ts.reused, "message": r.message}


def answer_text(ts: TargetSearch) -> str:
    """The answer in one or two plain sentences."""
    r, key = ts.result, ts.key
    if r.status == "not_monotone":
        return f"No answer: the goal's statistic does not move one way with {key} ({r.message})."
    if r.status == "unreachable":
        return (f"The goal {r.goal} is not reachable with {key} in {r.lattice.low:g}..{r.lattice.high:g}: it is "
                "missed at every value tried.")
    which = "smallest" if r.smallest else "largest"
    row = r.answer.row()
    text = (f"The {which} {key} meeting {r.goal} is {r.answer.value:g} (mean {row['mean']:.3g}, 95% interval "
            f"{row['ci95_low']:.3g}-{row['ci95_high']:.3g}; P(met) {row['p_met']:.0%}).")
    if r.neighbour is not None:
        nb = r.neighbour.row()
        text += (f" At {r.neighbour.value:g} it is missed (mean {nb['mean']:.3g}, {nb['ci95_low']:.3g}-"
                 f"{nb['ci95_high']:.3g}; P(met) {nb['p_met']:.0%}).")
    return text + (f" Note: {r.message}." if r.message else "")


def target_report(ts: TargetSearch, points: pd.DataFrame) -> str:
    """A short markdown report: the answer and every point tried."""
    return "\n".join([f"# Target search on {ts.base.name}: {ts.key}", "", answer_text(ts), "",
                      f"{ts.result.runs} runs ({ts.replications} paired replications per point), seed {ts.seed}. "
                      "See docs/decision.md.", "", "## Points tried", "", _markdown(points), ""])
