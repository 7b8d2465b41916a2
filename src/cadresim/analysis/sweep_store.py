"""The sweep folder: every finished run saved as it completes, the sweep's header checked on resume,
and at the end the tables and the manifest.

``runs/<run_id>-<replication>.json`` holds each finished run (written atomically), so an interrupted
sweep rerun with the same arguments skips them; ``design.json`` fixes the points, seed, replications
and base scenario at the first start; ``table`` and ``summary`` (Parquet and CSV) and
``manifest.json`` (last) are written when every run is done. :class:`MemoryStore` keeps the runs of
a sweep without a folder.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from cadresim import __version__
from cadresim.analysis.sweep_design import Design
from cadresim.analysis.sweep_runs import RunRecord
from cadresim.analysis.sweep_tables import SweepResults
from cadresim.errors import InputError, Problem
from cadresim.io.atomic import atomic_file, write_atomic
from cadresim.io.provenance import git_commit
from cadresim.io.spreadsheet_escape import write_csv
from cadresim.scenario.loader import scenario_hash, to_yaml
from cadresim.scenario.schema import Scenario

DESIGN_FILE, BASE_FILE, MANIFEST = "design.json", "scenario.base.yaml", "manifest.json"
RUNS_DIR = "runs"


class MemoryStore:
    """Finished runs kept in memory (a sweep without an output folder: not resumable)."""

    def __init__(self) -> None:
        self._records: dict[tuple[int, int], RunRecord] = {}

    def finished(self, retry_errors: bool = False) -> set[tuple[int, int]]:
        return {k for k, r in self._records.items() if not (retry_errors and r.error)}

    def save(self, record: RunRecord) -> None:
        self._records[(record.run_id, record.replication)] = record

    def records(self) -> list[RunRecord]:
        return list(self._records.values())


class FolderStore:
    """Finished runs as ``runs/<run_id>-<replication>.json`` in a sweep folder, each written atomically.

    A file that cannot be read (a write cut short by a crash) counts as not finished.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS_DIR
        self.runs.mkdir(parents=True, exist_ok=True)

    def finished(self, retry_errors: bool = False) -> set[tuple[int, int]]:
        return {(r.run_id, r.replication) for r in self.records() if not (retry_errors and r.error)}

    def save(self, record: RunRecord) -> None:
        write_atomic(self.runs / f"{record.run_id}-{record.replication}.json", json.dumps(record.to_json()))

    def records(self) -> list[RunRecord]:
        out = []
        for path in sorted(self.runs.glob("*.json")):
            try:
                out.append(RunRecord.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return out


def open_folder(folder: Path, header: dict[str, Any], base: Scenario) -> FolderStore:
    """Start a sweep folder, or check that an existing one holds the same sweep.

    Raises:
        InputError: the folder holds another sweep (each difference named), or is not a sweep folder.
    """
    folder = Path(folder)
    design_file = folder / DESIGN_FILE
    if design_file.is_file():
        _check_same(json.loads(design_file.read_text(encoding="utf-8")), header, design_file)
    elif folder.exists() and not _interrupted_start(folder):
        raise InputError([Problem(str(folder), "", f"exists and is not a sweep folder (no {DESIGN_FILE}); "
                                  "choose another output folder with -o")])
    else:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / BASE_FILE, to_yaml(base))
        write_atomic(design_file, json.dumps(header, indent=1, ensure_ascii=False))
    return FolderStore(folder)


def _interrupted_start(folder: Path) -> bool:
    """Whether ``folder`` is empty or holds only what a sweep writes before ``design.json`` (which is
    written last, so a sweep stopped at any point before it simply starts again)."""
    for entry in folder.iterdir():
        if entry.name == BASE_FILE or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if entry.name == "runs" and entry.is_dir() and not any(entry.iterdir()):
            continue
        return False
    return True


HEADER_CHECKS = {"scenario_hash": "the base scenario (its simulated content)", "seed": "the seed",
                 "replications": "the replications", "design": "the design"}


def _check_same(saved: Mapping[str, Any], header: Mapping[str, Any], design_file: Path) -> None:
    problems = []
    for key, what in HEADER_CHECKS.items():
        if _normal(saved.get(key)) != _normal(header[key]):
            shown = _describe(saved.get(key), header[key]) if key != "scenario_hash" else ""
            problems.append(Problem(str(design_file), key, f"this folder holds a sweep started with other {what}"
                                    f"{shown}; rerun with the same arguments to resume it, or choose another "
                                    "output folder with -o (or delete this one) to start afresh"))
    if problems:
        raise InputError(problems)


def _describe(saved: Any, asked: Any) -> str:
    if isinstance(saved, dict):
        return f" (started: {saved.get('kind')} over {', '.join(saved.get('keys', []))}, "\
               f"{len(saved.get('points', []))} points; asked: {asked['kind']} over {', '.join(asked['keys'])}, " \
               f"{len(asked['points'])} points)"
    return f" (started: {saved}; asked: {asked})"


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))


def write_sweep(res: SweepResults, executor: str, started: datetime) -> None:
    """The tables (Parquet and CSV) and the manifest (last) into the sweep folder."""
    folder = res.folder
    assert folder is not None
    for name, frame in (("table", res.table), ("summary", res.summary)):
        _write_frame(frame, folder / f"{name}.parquet", lambda f, p: f.to_parquet(p, index=False))
        _write_frame(frame, folder / f"{name}.csv", write_csv)
    write_atomic(folder / MANIFEST, json.dumps(build_manifest(res, executor, started), indent=2, ensure_ascii=False))


def _write_frame(frame: pd.DataFrame, path: Path, write: Callable[[pd.DataFrame, Path], None]) -> None:
    with atomic_file(path) as tmp:
        write(frame, tmp)


def build_manifest(res: SweepResults, executor: str, started: datetime) -> dict[str, Any]:
    """The sweep's metadata: version, design, runs, failures, executor, times, commit and warnings."""
    return {
        "cadresim_version": __version__, "scenario": res.base.name, "scenario_hash": scenario_hash(res.base),
        "design": res.design.kind, "keys": list(res.design.keys), "points": len(res.design.points),
        "replications": res.replications, "seed": res.seed, "runs": len(res.table), "failed": res.failed,
        "reused": res.reused, "executor": executor, "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git_commit": git_commit(),
        "python": platform.python_version(), "warnings": res.warnings,
        "columns": "run_id, replication, seed, each swept key, metric@date for each metric and snapshot, error",
    }


def read_sweep(folder: str | Path) -> tuple[pd.DataFrame, Design]:
    """The table and design of a finished sweep folder.

    Raises:
        InputError: the folder holds no finished sweep.
    """
    folder = Path(folder)
    missing = [n for n in (DESIGN_FILE, "table.parquet") if not (folder / n).is_file()]
    if missing:
        raise InputError([Problem(str(folder), "", f"not a finished sweep folder (missing {', '.join(missing)}); "
                                  "run `cadresim sweep` (again) to finish it")])
    design = Design.from_json(json.loads((folder / DESIGN_FILE).read_text(encoding="utf-8"))["design"])
    return pd.read_parquet(folder / "table.parquet"), design
