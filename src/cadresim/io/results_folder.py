"""Reading a results folder of ``cadresim run``: its manifest, resolved scenario and tables, checked.

The one reader of a results folder: ``cadresim compare`` reads whole folders (:func:`load_runs`),
``cadresim teams`` one table and the resolved scenario (:func:`read_table`, :func:`read_resolved`).
The names of the files are here too, so that the writer (:mod:`cadresim.output.run_folder`) and the
readers agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from cadresim import __version__
from cadresim.errors import InputError, Problem

MANIFEST = "manifest.json"
RESOLVED = "scenario.resolved.yaml"
MANIFEST_KEYS = ("cadresim_version", "scenario", "seed", "replications")
#: Every kind of folder cadresim writes, as messages name it.
KINDS = {"run": "a results folder of `cadresim run`", "comparison": "a comparison folder of `cadresim compare`",
         "sweep": "a sweep folder of `cadresim sweep`"}
#: What `cadresim compare` wrote before its folders had a manifest (recognised by these names alone).
COMPARISON_ENTRIES = {"comparison.csv", "teams_comparison.csv", "teams_changes.csv", "report.html", "plots"}
#: Tables a comparison needs, with the columns it reads.
REQUIRED = {
    "summary.csv": ("metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"),
    "replications.csv": ("replication", "metric", "date", "value"),
}
#: Tables behind some figures: a run without one lacks those figures, with a note.
OPTIONAL = {
    "timeseries.csv": ("replication", "date", "grade", "birth_decade", "count"),
    "eligibility.csv": ("replication", "date", "grade", "birth_decade", "rule", "candidates", "fail", "fail_alone"),
    "pool.csv": ("replication", "date", "grade", "birth_decade", "candidates", "eligible"),
    "teams.csv": ("date", "unit_id", "name", "type", "at_risk", "vacancies", "successors_unit", "young_target_met"),
}


@dataclass(frozen=True)
class RunFolder:
    """One results folder of ``cadresim run``, read and checked.

    Attributes:
        path: the folder.
        name: what the comparison calls it (the scenario name, or the folder name to tell runs apart).
        manifest: manifest.json.
        resolved: scenario.resolved.yaml (the scenario with every default written out).
        tables: the tables read, by name without ``.csv`` (``summary``, ``replications``, ...).
    """

    path: Path
    name: str
    manifest: dict[str, Any]
    resolved: dict[str, Any]
    tables: dict[str, pd.DataFrame]

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @property
    def replications(self) -> int:
        return int(self.manifest["replications"])

    @property
    def districts(self) -> list[dict[str, Any]]:
        """The districts the run covers, in order (manifest.json "districts": each a dict with district,
        seed and digest); ``[]`` for a run written before ensembles, which covered one district."""
        districts = self.manifest.get("districts")
        return [d for d in districts if isinstance(d, dict)] if isinstance(districts, list) else []

    @property
    def n_districts(self) -> int:
        """How many districts the run covers (1 for a run written before ensembles)."""
        return max(len(self.districts), 1)

    @property
    def roster_source(self) -> str:
        """Where the run's start roster came from: "files" (a department's own) or "synthetic"."""
        roster = self.manifest.get("roster")
        source = roster.get("source") if isinstance(roster, dict) else roster  # older manifests: a string
        return "files" if source == "files" else "synthetic"


def load_run(path: Path) -> RunFolder:
    """Read and check one results folder.

    Raises:
        InputError: the folder is missing, incomplete (no manifest.json: the run did not finish),
            lacks a table or a column, or comes from an incompatible cadresim version.
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError([Problem(str(path), "", "no such results folder (run `cadresim run SCENARIO` first)")])
    kind = folder_kind(path)
    if kind in ("sweep", "comparison"):
        raise InputError([Problem(str(path), "", f"{KINDS[kind]}, not a run's results folder: {_INSTEAD[kind]}")])
    if not (path / MANIFEST).is_file():
        raise InputError([Problem(str(path), "", "not a complete results folder: manifest.json is missing (the "
                                  "run did not finish, or this is not a folder written by `cadresim run`)")])
    manifest = _read_manifest(path)
    tables, problems = _read_tables(path)
    resolved, problem = read_resolved(path)
    problems += [problem] if problem else []
    if problems:
        raise InputError(problems)
    return RunFolder(path, str(manifest["scenario"]), manifest, resolved, tables)


def folder_kind(path: Path) -> str | None:
    """What cadresim wrote ``path`` as: "run", "comparison" or "sweep" (one of :data:`KINDS`), else None.

    Recognised by the manifest (a sweep also by its design.json, written at its start); a comparison
    folder of an older cadresim, which had none, by holding nothing but what `cadresim compare` writes.
    """
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        manifest = None
    if (path / "design.json").is_file() or isinstance(manifest, dict) and "design" in manifest:
        return "sweep"
    if not isinstance(manifest, dict):
        return "comparison" if _old_comparison(path) else None
    if manifest.get("kind") in KINDS:
        return str(manifest["kind"])
    return "run" if all(k in manifest for k in MANIFEST_KEYS) else None


def _old_comparison(path: Path) -> bool:
    try:
        names = {p.name for p in path.iterdir()}
        plots = list((path / "plots").iterdir()) if "plots" in names else []
    except OSError:
        return False
    return {"comparison.csv", "report.html"} <= names <= COMPARISON_ENTRIES and \
        all(p.suffix == ".png" and p.is_file() for p in plots)


_INSTEAD = {
    "sweep": "compare the runs of `cadresim run` (one per scenario); a sweep's points are in its summary.csv, "
             "drawn by `cadresim plot-sweep DIR`",
    "comparison": "compare the results folders it compared, with `cadresim compare DIR DIR ...`",
}


def _read_manifest(path: Path) -> dict[str, Any]:
    source = str(path / MANIFEST)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([Problem(source, "", f"unreadable manifest: {e}")]) from None
    if not isinstance(manifest, dict):
        raise InputError([Problem(source, "", "not a cadresim manifest (expected a JSON object)")])
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise InputError([Problem(source, k, "missing: written by an incompatible cadresim version") for k in missing])
    version = str(manifest["cadresim_version"])
    if _major(version) != _major(__version__):
        raise InputError([Problem(source, "cadresim_version", f"incompatible results format: written by cadresim "
                                  f"{version}, this is cadresim {__version__}; rerun the scenario", version)])
    return manifest


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _read_tables(path: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    tables, problems = {}, []
    for name in {**REQUIRED, **OPTIONAL}:
        if not (path / name).is_file():
            if name in REQUIRED:
                problems.append(Problem(str(path / name), "", "missing: the results folder is incomplete"))
            continue
        try:
            tables[name.removesuffix(".csv")] = read_table(path, name)
        except InputError as e:
            problems += e.problems
    return tables, problems


def read_table(path: Path, name: str) -> pd.DataFrame:
    """One table of a results folder (dates kept as text), checked for the columns readers use.

    Args:
        path: the results folder.
        name: the file name, e.g. ``teams.csv`` (columns are checked for those of :data:`REQUIRED`
            and :data:`OPTIONAL`).

    Raises:
        InputError: the table cannot be read, or lacks a column.
    """
    file = Path(path) / name
    try:
        table = pd.read_csv(file, dtype={"date": str})
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise InputError([Problem(str(file), "", f"unreadable table: {e}")]) from None
    lacking = [c for c in {**REQUIRED, **OPTIONAL}.get(name, ()) if c not in table.columns]
    if lacking:
        raise InputError([Problem(str(file), "columns", "missing column(s) " + ", ".join(lacking)
                                  + ": written by an incompatible cadresim version")])
    return table


def read_resolved(path: Path) -> tuple[dict[str, Any], Problem | None]:
    """The resolved scenario of a results folder, or ``{}`` and what is wrong with it.

    Returns:
        (the scenario as a mapping, None), or ({}, the problem) when the file is missing, unreadable
        or not a mapping.
    """
    file = Path(path) / RESOLVED
    try:
        resolved = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        return {}, Problem(str(file), "", f"missing or unreadable resolved scenario: {e}")
    if not isinstance(resolved, dict):
        return {}, Problem(str(file), "", "not a scenario (expected a mapping)")
    return resolved, None


def load_runs(dirs: list[Path], baseline: Path | None = None) -> list[RunFolder]:
    """Read every folder (every problem of every folder reported together), baseline first.

    Raises:
        InputError: fewer than two distinct folders, or any folder bad.
    """
    order = _ordered(dirs, baseline)
    if len(order) < 2:
        raise InputError([Problem("compare", "DIR", "need at least two results folders to compare (the first, "
                                  "or --baseline, is the baseline)", [str(d) for d in order])])
    runs, problems = [], []
    for path in order:
        try:
            runs.append(load_run(path))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    return _unique_names(runs)


def _ordered(dirs: list[Path], baseline: Path | None) -> list[Path]:
    paths = [Path(d) for d in dirs]
    if baseline is not None:
        paths = [Path(baseline)] + [p for p in paths if p.resolve() != Path(baseline).resolve()]
    seen: dict[Path, Path] = {}
    for p in paths:
        seen.setdefault(p.resolve(), p)
    return list(seen.values())


def _unique_names(runs: list[RunFolder]) -> list[RunFolder]:
    """Runs named by scenario; runs of one scenario (another seed, say) by folder name instead."""
    counts = pd.Series([r.name for r in runs]).value_counts()
    out, used = [], set()
    for r in runs:
        name = r.path.name if counts[r.name] > 1 else r.name
        while name in used:
            name += "'"
        used.add(name)
        out.append(replace(r, name=name))
    return out
