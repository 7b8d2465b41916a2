"""The results folder: built in a temporary folder beside it, moved into place only when complete."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from cadresim import __version__
from cadresim.scenario.loader import scenario_hash, to_yaml
from cadresim.measures.metrics import HEADLINE
from cadresim.io.atomic import atomic_folder
from cadresim.io.output_target import claim
from cadresim.io.privacy import Key, pseudonymise_events, resolve_key, shareable_events
from cadresim.io.provenance import git_commit
from cadresim.io.results_folder import MANIFEST, RESOLVED
from cadresim.io.spreadsheet_escape import write_csv
from cadresim.engine.replications import RunResults
from cadresim.analysis.targets import scenario_targets, target_rows
from cadresim.report.tracks import rank_key


def write_results(res: RunResults, target: Path, jobs: int, started: datetime,
                  grade_labels: dict[str, str] | None = None, keep_ids: bool = False,
                  key: Key | None = None, force: bool = False, notes: list[str] | None = None,
                  plots: bool = True, lang: str = "en") -> Path:
    """Write every table, the plots, the resolved scenario and the manifest (last) into ``target``.

    Cadre ids are pseudonymised under ``key`` (default: the user's key file, made on first use, see
    ``cadresim.io.privacy``) unless ``keep_ids``. ``target`` must be new, empty, or (with ``force``) an
    earlier results folder (:func:`cadresim.io.output_target.check_target`); it holds the old folder
    or the new one whole at every instant.

    Args:
        notes: how the roster was read (the roster reader's notes), kept in the manifest.
        plots: draw plots/*.png (most of the time of writing a folder).
        lang: the language of the figures' labels ("en" or "zh", which needs a font with Chinese glyphs).

    Raises:
        InputError: when ``target`` may not be written, or the key file lies inside it or cannot be read
            or made.
        OSError: the folder could not be written (a full disk, say): nothing was replaced.
    """
    key = None if keep_ids else key or resolve_key(None, target)
    with claim(target, "run", force), atomic_folder(target) as tmp:
        _write_tables(res, tmp)
        if res.events is not None:
            events = pseudonymise_events(shareable_events(res.events), key.secret if key else None, res.roster_ids)
            events.to_parquet(tmp / "events.parquet", index=False)
        (tmp / RESOLVED).write_text(to_yaml(res.scenario), encoding="utf-8")
        if plots:
            _write_plots(res, tmp / "plots", grade_labels, lang)
        manifest = build_manifest(res, jobs, started, key, notes)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def _write_tables(res: RunResults, folder: Path) -> None:
    """The run's tables as CSV (teams.csv only where the ladder has teams)."""
    write_csv(res.summary, folder / "summary.csv")
    write_csv(res.per_replication, folder / "replications.csv")
    write_csv(res.timeseries, folder / "timeseries.csv")
    write_csv(res.eligibility, folder / "eligibility.csv")
    write_csv(res.ages, folder / "ages.csv")
    write_csv(res.pool, folder / "pool.csv")
    if not res.teams.empty:
        write_csv(res.teams, folder / "teams.csv")
    if res.scenario.report.targets:
        write_csv(run_targets(res), folder / "targets.csv")


def run_targets(res: RunResults) -> pd.DataFrame:
    """P(target met) over the replications for each of the scenario's report.targets (targets.csv)."""
    return target_rows(res.scenario.name, scenario_targets(res.scenario), res.per_replication)


def _write_plots(res: RunResults, folder: Path, grade_labels: dict[str, str] | None, lang: str = "en") -> None:
    """The four standard figures, and teams.png where the run has teams.

    With ``lang`` "zh" the four figures are labelled in Chinese when a font with Chinese glyphs is
    installed, and in English otherwise (never empty boxes); teams.png keeps English column titles.
    """
    import matplotlib as mpl

    from cadresim.report import fonts, run_figures  # matplotlib only when writing
    from cadresim.report.labels import in_language
    from cadresim.report.team_figures import teams_overview

    family = fonts.find_cjk_font() if lang == "zh" else None
    labels = in_language("zh" if family else "en")
    tables = {"summary": res.summary, "timeseries": res.timeseries, "ages": res.ages,
              "eligibility": res.eligibility}
    grade_labels = grade_labels or {k: _grade_label(res, k, labels, bool(family)) for k in res.scenario.ladder}
    grade_labels = {**grade_labels, **_rank_labels(res, bool(family))}
    with mpl.rc_context(fonts.rc_params(family) if family else {}):
        run_figures.save_all(tables, folder, HEADLINE, grade_labels, labels)
    if not res.teams.empty:
        fig = teams_overview(res.teams, res.teams["date"].min())
        fig.savefig(folder / "teams.png", dpi=120)


def _grade_label(res: RunResults, grade: str, labels: dict[str, str], chinese: bool) -> str:
    """A grade's name in the figures: the scenario's Chinese name in Chinese, else the label."""
    name_zh = res.scenario.grades[grade].name_zh if chinese else ""
    return name_zh or labels.get(grade, grade.replace("_", " "))


def _rank_labels(res: RunResults, chinese: bool) -> dict[str, str]:
    """The non-leading ranks' names in the figures, by rank key (``report.tracks.rank_key``)."""
    ranks = res.scenario.nonleading.ranks
    return {rank_key(k): (r.name_zh if chinese else "") or r.name or k for k, r in ranks.items()}


def build_manifest(res: RunResults, jobs: int, started: datetime, key: Key | None = None,
                   notes: list[str] | None = None) -> dict:
    """Run metadata: where the roster came from (files named by their SHA-256, never copied), and every
    note and warning on how the run was made."""
    return {
        "kind": "run",
        "cadresim_version": __version__,
        "scenario": res.scenario.name,
        "scenario_hash": scenario_hash(res.scenario),
        "seed": res.seed,
        "replications": res.replications,
        "replications_per_district": res.replications // max(len(res.districts), 1),
        "jobs": jobs,
        "events_recorded": res.events is not None,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "warnings": res.warnings,
        "notes": list(notes or []),
        "simpy_events": res.simpy_events,
        "roster": roster_source(res),
        "districts": res.districts,
        "districts_tried": res.tried,
        "cadre_ids": f"pseudonymised (HMAC-SHA256, key {key.key_id})" if key else "kept (--keep-ids)",
    }


def roster_source(res: RunResults) -> dict[str, str | int]:
    """Where the start roster came from: the files (by SHA-256) or the synthetic district's generator."""
    if res.roster_digests:
        return {"source": "files", **{f"{role}_sha256": d for role, d in sorted(res.roster_digests.items())}}
    district = res.scenario.district
    source = {"source": "synthetic", "generator": district.generator, "seed": district.seed}
    if res.tried:
        source |= {"districts": len(res.districts), "tried": res.tried}
    return source
