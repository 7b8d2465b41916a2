"""Scenarios side by side: read results folders, difference them from a baseline, plot and report.

Two runs with the same seed and replication count are *paired*: replication ``i`` of each used
the same random draws (common random numbers), so each replication of a scenario is compared with
the same replication of the baseline, and the interval is a t-interval on the differences. Other
runs fall back to an unpaired Welch interval, and say so.

Leadership teams (teams.csv, optional) are compared by count: every run's teams are re-flagged
with the baseline's at-risk thresholds, then counted and matched with the baseline's teams by unit
id (see :mod:`cadresim.analysis.compare_teams`).

``compare()`` reads and computes (tables and matplotlib figures); ``write_comparison()`` writes
comparison.csv, teams_comparison.csv, teams_changes.csv, plots/*.png and a self-contained
report.html into a folder, atomically.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from scipy import stats

from cadresim import __version__, dates
from cadresim.report import plots
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import NOT_SIMULATED
from cadresim.measures.metrics import HEADLINE
from cadresim.analysis.compare_teams import team_notes, team_tables
from cadresim.output.run_folder import MANIFEST, RESOLVED
from cadresim.scenario.schema import DEFAULT_LADDER
from cadresim.stats import mean_ci

MANIFEST_KEYS = ("cadresim_version", "scenario", "seed", "replications")
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
#: What a run without an optional table lacks.
LEFT_OUT = {"teams.csv": "its teams are left out of the teams at risk (its ladder has no division-level role, "
                         "or it predates team reports)"}
#: The runs' tables stacked with a scenario column, where every run has them.
STACKED = ("replications", "timeseries", "eligibility", "pool")
#: The team tables and the files they are written to.
TEAM_FILES = {"teams": "teams_comparison.csv", "team_changes": "teams_changes.csv"}
COLUMNS = ["metric", "date", "scenario", "mean", "ci95_low", "ci95_high", "n", "diff", "diff_ci95_low",
           "diff_ci95_high", "paired", "paired_halfwidth", "unpaired_halfwidth", "halfwidth_ratio"]
LANGS = ("en", "zh")
POOL_GRADE, POOL_DECADE = "deputy_division", 1980


@dataclass(frozen=True)
class Run:
    """One results folder of ``cadresim run``, read and checked."""

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


@dataclass(frozen=True)
class Difference:
    """A difference of means (scenario minus baseline) with its 95% interval."""

    mean: float
    low: float
    high: float

    @property
    def halfwidth(self) -> float:
        return (self.high - self.low) / 2


@dataclass
class Comparison:
    """Scenarios compared with a baseline: tables, figures and what a reader must be told.

    Attributes:
        runs: the runs, baseline first.
        tables: ``comparison`` (one row per metric, date and scenario; see :data:`COLUMNS`),
            ``differences`` (what each scenario changes from the baseline: scenario, key, baseline,
            value), the runs' tables stacked with a ``scenario`` column (``replications``,
            ``timeseries``, ``eligibility``, ``pool``, where every run has them), and, where any
            run has teams.csv, ``teams`` and ``team_changes`` (see :mod:`cadresim.analysis.compare_teams`).
        figures: name -> matplotlib Figure (see :func:`build_figures`).
        pairing: per scenario other than the baseline, ``"paired"`` or why it is not.
        notes: warnings for the reader (versions differ, unpaired runs, missing tables, fonts).
        metrics: the metrics shown in the headline table and the forest plot.
        lang: the language of labels ("en" or "zh"); ``plot_lang`` is "en" when no CJK font was found.
        rc: matplotlib settings the figures need when saved (the CJK font).
    """

    runs: list[Run]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure] = field(default_factory=dict)
    pairing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    lang: str = "en"
    plot_lang: str = "en"
    rc: dict[str, object] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return [r.name for r in self.runs]

    @property
    def baseline(self) -> Run:
        return self.runs[0]


# --- the statistics ------------------------------------------------------------------------------


def paired_difference(baseline: np.ndarray, scenario: np.ndarray) -> Difference:
    """Mean of d_i = scenario_i - baseline_i with a Student-t 95% interval (NaN for fewer than two)."""
    d = np.asarray(scenario, float) - np.asarray(baseline, float)
    mean, _sd, low, high, _n = mean_ci(d)
    return Difference(mean, low, high)


def welch_difference(baseline: np.ndarray, scenario: np.ndarray) -> Difference:
    """Difference of means with Welch's 95% interval (Welch–Satterthwaite degrees of freedom)."""
    x, y = np.asarray(baseline, float), np.asarray(scenario, float)
    mean = float(np.mean(y) - np.mean(x))
    if len(x) < 2 or len(y) < 2:
        return Difference(mean, float("nan"), float("nan"))
    vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    se = float(np.sqrt(vx + vy))
    if se == 0:
        return Difference(mean, mean, mean)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    half = float(stats.t.ppf(0.975, df)) * se
    return Difference(mean, mean - half, mean + half)


# --- reading results folders ---------------------------------------------------------------------


def load_run(path: Path) -> Run:
    """Read and check one results folder.

    Raises:
        InputError: the folder is missing, incomplete (no manifest.json: the run did not finish),
            lacks a table or a column, or comes from an incompatible cadresim version.
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError([Problem(str(path), "", "no such results folder (run `cadresim run SCENARIO` first)")])
    if not (path / MANIFEST).is_file():
        raise InputError([Problem(str(path), "", "not a complete results folder: manifest.json is missing (the "
                                  "run did not finish, or this is not a folder written by `cadresim run`)")])
    manifest = _read_manifest(path)
    tables, problems = _read_tables(path)
    resolved = _read_resolved(path, problems)
    if problems:
        raise InputError(problems)
    return Run(path, str(manifest["scenario"]), manifest, resolved, tables)


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
    for name, columns in {**REQUIRED, **OPTIONAL}.items():
        file = path / name
        if not file.is_file():
            if name in REQUIRED:
                problems.append(Problem(str(file), "", "missing: the results folder is incomplete"))
            continue
        try:
            table = pd.read_csv(file, dtype={"date": str})
        except (OSError, ValueError, pd.errors.ParserError) as e:
            problems.append(Problem(str(file), "", f"unreadable table: {e}"))
            continue
        lacking = [c for c in columns if c not in table.columns]
        if lacking:
            problems.append(Problem(str(file), "columns", "missing column(s) " + ", ".join(lacking)
                                    + ": written by an incompatible cadresim version"))
            continue
        tables[name.removesuffix(".csv")] = table
    return tables, problems


def _read_resolved(path: Path, problems: list[Problem]) -> dict[str, Any]:
    file = path / RESOLVED
    try:
        resolved = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(Problem(str(file), "", f"missing or unreadable resolved scenario: {e}"))
        return {}
    if not isinstance(resolved, dict):
        problems.append(Problem(str(file), "", "not a scenario (expected a mapping)"))
        return {}
    return resolved


def load_runs(dirs: list[Path], baseline: Path | None = None) -> list[Run]:
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


def _unique_names(runs: list[Run]) -> list[Run]:
    """Runs named by scenario; runs of one scenario (another seed, say) by folder name instead."""
    counts = pd.Series([r.name for r in runs]).value_counts()
    out, used = [], set()
    for r in runs:
        name = r.path.name if counts[r.name] > 1 else r.name
        while name in used:
            name += "'"
        used.add(name)
        out.append(Run(r.path, name, r.manifest, r.resolved, r.tables))
    return out


# --- the comparison table ------------------------------------------------------------------------


def pairing(baseline: Run, run: Run) -> str:
    """``"paired"`` when both runs share seed and replication count, else why not."""
    why = []
    if run.seed != baseline.seed:
        why.append(f"different seeds ({baseline.seed} vs {run.seed})")
    if run.replications != baseline.replications:
        why.append(f"different replication counts ({baseline.replications} vs {run.replications})")
    return "paired" if not why else "not paired: " + " and ".join(why)


def comparison_table(runs: list[Run], metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per metric, date and scenario: the run's mean and CI, and its difference from the
    baseline (``runs[0]``) with a paired or Welch 95% interval (:data:`COLUMNS`)."""
    base = runs[0]
    base_values = _values(base)
    frames = [_baseline_rows(base)]
    for run in runs[1:]:
        frames.append(_scenario_rows(run, base_values, pairing(base, run) == "paired"))
    table = pd.concat(frames, ignore_index=True)
    if metrics is not None:
        table = table[table["metric"].isin(metrics)]
    table["paired"] = table["paired"].astype("boolean")
    order = {"_m": _metric_rank(table["metric"]), "_t": table["date"].map(dates.parse),
             "_s": table["scenario"].map({r.name: i for i, r in enumerate(runs)})}
    return table.assign(**order).sort_values(["_m", "_t", "_s"])[COLUMNS].reset_index(drop=True)


def _metric_rank(metric: pd.Series) -> pd.Series:
    """Headline metrics first, then the others in the order of MODEL.md section 7, then by name."""
    known = list(dict.fromkeys(HEADLINE + [m for m in plots.LABELS if m in set(metric)]))
    rank = {m: i for i, m in enumerate(known + sorted(set(metric) - set(known)))}
    return metric.map(rank)


def _values(run: Run) -> dict[tuple[str, str], pd.Series]:
    """(metric, date) -> values indexed by replication."""
    reps = run.tables["replications"]
    return {key: g.set_index("replication")["value"] for key, g in reps.groupby(["metric", "date"], sort=False)}


def _summary_rows(run: Run) -> pd.DataFrame:
    s = run.tables["summary"]
    return s[["metric", "date", "mean", "ci95_low", "ci95_high", "n"]].assign(scenario=run.name)


def _baseline_rows(base: Run) -> pd.DataFrame:
    rows = _summary_rows(base)
    nan = float("nan")
    return rows.assign(diff=0.0, diff_ci95_low=nan, diff_ci95_high=nan, paired=pd.NA, paired_halfwidth=nan,
                       unpaired_halfwidth=nan, halfwidth_ratio=nan)


def _scenario_rows(run: Run, base_values: dict[tuple[str, str], pd.Series], paired: bool) -> pd.DataFrame:
    rows = _summary_rows(run)
    values = _values(run)
    extra = [_difference_cells(values.get((m, d)), base_values.get((m, d)), paired)
             for m, d in zip(rows["metric"], rows["date"])]
    cells = pd.DataFrame(extra, index=rows.index, columns=["diff", "diff_ci95_low", "diff_ci95_high", "paired",
                                                          "paired_halfwidth", "unpaired_halfwidth"])
    # no ratio where the runs do not vary (the shared start): 0/0, up to rounding
    cells["halfwidth_ratio"] = cells["paired_halfwidth"] / cells["unpaired_halfwidth"].where(
        cells["unpaired_halfwidth"] > 1e-9)
    return pd.concat([rows, cells], axis=1)


def _difference_cells(x: pd.Series | None, base: pd.Series | None, paired: bool) -> tuple:
    """diff, its CI, paired, paired and unpaired half widths (NaN where the baseline lacks the metric)."""
    nan = float("nan")
    if x is None or base is None:
        return nan, nan, nan, pd.NA, nan, nan
    welch = welch_difference(base.to_numpy(), x.to_numpy())
    if not paired:
        return welch.mean, welch.low, welch.high, False, nan, welch.halfwidth
    common = base.index.intersection(x.index)
    pair = paired_difference(base[common].to_numpy(), x[common].to_numpy())
    return pair.mean, pair.low, pair.high, True, pair.halfwidth, welch.halfwidth


# --- what the scenarios change -------------------------------------------------------------------


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of nested mappings by dotted key (lists are leaves)."""
    if not isinstance(data, dict) or (prefix and not data):
        return {prefix: data}
    out: dict[str, Any] = {}
    for key, value in data.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def scenario_differences(base: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(dotted key, baseline value, scenario value) for every setting that differs.

    ``name``, ``description``, ``extends`` and ``report`` change no simulated number and are left
    out. An entry only one side has (a Youth Talent cohort, say) is one row, its whole mapping the
    value; the absent side is :data:`ABSENT`.
    """
    rows = []
    _diff(_simulated(base), _simulated(other), "", rows)
    return rows


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def _simulated(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in NOT_SIMULATED}


def _diff(a: Any, b: Any, key: str, rows: list[tuple[str, Any, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            _diff(a.get(k, ABSENT), b.get(k, ABSENT), f"{key}.{k}" if key else str(k), rows)
    elif a != b:
        rows.append((key, a, b))


def differences_table(runs: list[Run]) -> pd.DataFrame:
    """scenario, key, baseline, value: every setting a scenario changes from the baseline."""
    rows = [(r.name, key, a, b) for r in runs[1:] for key, a, b in scenario_differences(runs[0].resolved, r.resolved)]
    return pd.DataFrame(rows, columns=["scenario", "key", "baseline", "value"])


# --- the comparison ------------------------------------------------------------------------------


def compare(dirs: list[Path], baseline: Path | None = None, metrics: list[str] | None = None,
            lang: str = "en") -> Comparison:
    """Compare results folders with a baseline (default: the first folder).

    Args:
        dirs: results folders written by ``cadresim run``.
        baseline: the baseline folder (added in front of ``dirs`` when not among them).
        metrics: metrics of the headline table, forest plot and comparison table (default: the
            headline metrics in the table, every metric in the CSV).
        lang: "en" or "zh" (Chinese labels; plots fall back to English without a CJK font).

    Raises:
        InputError: bad folders, fewer than two, an unknown metric or language.
    """
    if lang not in LANGS:
        raise InputError([Problem("--lang", "", f"unknown language; use one of {', '.join(LANGS)}", lang)])
    runs = load_runs(dirs, baseline)
    chosen = _check_metrics(runs, metrics)
    comp = Comparison(runs, _tables(runs, metrics), pairing={r.name: pairing(runs[0], r) for r in runs[1:]},
                      metrics=chosen, lang=lang, plot_lang=lang)
    comp.notes = _notes(comp)
    _set_fonts(comp)
    comp.figures = build_figures(comp)
    return comp


def _check_metrics(runs: list[Run], metrics: list[str] | None) -> list[str]:
    present = list(dict.fromkeys(m for r in runs for m in r.tables["summary"]["metric"]))
    if metrics is None:
        return [m for m in HEADLINE if m in present]
    unknown = [m for m in metrics if m not in present]
    if unknown:
        raise InputError([Problem("--metrics", m, "not a metric of these runs; they have: " + ", ".join(present), m)
                          for m in unknown])
    return list(dict.fromkeys(metrics))


def _tables(runs: list[Run], metrics: list[str] | None) -> dict[str, pd.DataFrame]:
    tables = {"comparison": comparison_table(runs, metrics), "differences": differences_table(runs)}
    for name in STACKED:
        if all(name in r.tables for r in runs):
            tables[name] = pd.concat([r.tables[name].assign(scenario=r.name) for r in runs], ignore_index=True)
    return {**tables, **team_tables(runs)}


def _notes(comp: Comparison) -> list[str]:
    notes = []
    versions = {r.name: str(r.manifest["cadresim_version"]) for r in comp.runs}
    if len(set(versions.values())) > 1:
        notes.append("model versions differ (" + ", ".join(f"{n}: {v}" for n, v in versions.items())
                     + "): differences may come from the model, not only the policy")
    notes += [f"{name}: {how} — using an unpaired (Welch) interval" for name, how in comp.pairing.items()
              if how != "paired"]
    for name in OPTIONAL:
        lacking = [r.name for r in comp.runs if name.removesuffix(".csv") not in r.tables]
        if lacking:
            notes.append(f"{name} missing in {', '.join(lacking)}: "
                         + LEFT_OUT.get(name, "the figures built from it are left out"))
    notes += team_notes(comp.runs)
    notes += [f"{r.name}: run warning: {w}" for r in comp.runs for w in r.manifest.get("warnings") or []]
    return notes


def _set_fonts(comp: Comparison) -> None:
    if comp.lang != "zh":
        return
    from cadresim.report import fonts

    family = fonts.find_cjk_font()
    if family is None:
        comp.plot_lang = "en"
        comp.notes.append(fonts.HOW_TO_INSTALL.replace("using English", "plots in English"))
    else:
        comp.rc = fonts.rc_params(family)


# --- the figures ---------------------------------------------------------------------------------


def labels_for(comp: Comparison, lang: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(labels, grade labels) in ``lang`` (default: the plots' language)."""
    lang = lang or comp.plot_lang
    labels = {**plots.LABELS, **(plots.LABELS_ZH if lang == "zh" else {})}
    ladder = comp.baseline.resolved.get("ladder") or DEFAULT_LADDER
    grades = comp.baseline.resolved.get("grades") or {}
    zh = {g: (grades.get(g) or {}).get("name_zh") or labels.get(g, g) for g in ladder}
    en = {g: plots.LABELS.get(g, g.replace("_", " ")) for g in ladder}
    return labels, (zh if lang == "zh" else en)


def reshuffle_dates(comp: Comparison) -> list[str]:
    """The baseline's reshuffle months."""
    return [str(d) for d in (comp.baseline.resolved.get("reshuffle") or {}).get("dates") or []]


def key_date(comp: Comparison) -> str:
    """The date the report leads with: the first reshuffle with metrics, else the last snapshot."""
    table = comp.tables["comparison"]
    have = set(table["date"])
    first = next((d for d in reshuffle_dates(comp) if d in have), None)
    return first or max(have, key=dates.parse)


def build_figures(comp: Comparison) -> dict[str, Figure]:
    """Every figure the tables allow, by name: differences, pipeline, grade_mix, eligible_pool,
    binding_rules, youth_talent (a figure with nothing to draw is left out, with a note)."""
    import matplotlib as mpl

    figures = {}
    with mpl.rc_context(comp.rc):
        for name, build in _figure_plans(comp).items():
            try:
                figures[name] = build()
            except ValueError as e:  # nothing to draw (say, no Youth Talent cohort)
                comp.notes.append(f"figure {name} left out: {e}")
    return figures


def _figure_plans(comp: Comparison) -> dict[str, Callable[[], Figure]]:
    lab, grade_labels = labels_for(comp)
    t, names = comp.tables, comp.scenarios
    shuffles = reshuffle_dates(comp)
    plans: dict[str, Callable[[], Figure]] = {
        "differences": lambda: plots.differences_forest(t["comparison"], comp.metrics, names, lab)}
    if "timeseries" in t:
        grades = [g for g in plots.PIPELINE_GRADES if g in set(t["timeseries"]["grade"])]
        ladder = plots.ladder_order(t["timeseries"]["grade"], grade_labels)
        section_up = ladder[ladder.index("deputy_section"):] if "deputy_section" in ladder else ladder
        after = _on_or_after(t["timeseries"]["date"], shuffles[0] if shuffles else None)
        plans["pipeline"] = lambda: plots.pipeline_compare(t["timeseries"], names, grades, grade_labels, lab, shuffles)
        plans["grade_mix"] = lambda: plots.grade_mix(t["timeseries"], after, names, section_up, grade_labels, lab)
    if "pool" in t:
        plans["eligible_pool"] = lambda: plots.eligible_pool(t["pool"], names, lab, shuffles, POOL_GRADE,
                                                             POOL_DECADE)
    if "eligibility" in t:
        date = _on_or_after(t["eligibility"]["date"], shuffles[0] if shuffles else None)
        plans["binding_rules"] = lambda: plots.binding_compare(t["eligibility"], date, POOL_GRADE, names,
                                                               grade_labels, lab)
    plans["youth_talent"] = lambda: plots.youth_talent_compare(_all_rows(comp), names, lab)
    return plans


def _all_rows(comp: Comparison) -> pd.DataFrame:
    """Summary rows of every metric and scenario (the comparison table may hold only some metrics)."""
    return pd.concat([_summary_rows(r) for r in comp.runs], ignore_index=True)


def _on_or_after(dates_: pd.Series, date: str | None) -> str:
    """The first of ``dates_`` on or after ``date`` (default, or when none: the last)."""
    ordered = sorted(dates_.unique(), key=dates.parse)
    if date is not None:
        later = [d for d in ordered if dates.parse(d) >= dates.parse(date)]
        if later:
            return later[0]
    return ordered[-1]


# --- writing -------------------------------------------------------------------------------------


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
    import matplotlib as mpl

    from cadresim.output.html import render_report
    from cadresim.output.run_folder import atomic_folder

    out_dir = Path(out_dir)
    _check_output(comp, out_dir)
    with atomic_folder(out_dir) as tmp:
        comp.tables["comparison"].to_csv(tmp / "comparison.csv", index=False)
        for name, file in TEAM_FILES.items():
            if name in comp.tables:
                comp.tables[name].to_csv(tmp / file, index=False)
        (tmp / "plots").mkdir()
        images = {}
        with mpl.rc_context(comp.rc):
            for name, fig in comp.figures.items():
                images[name] = png_bytes(fig)
                (tmp / "plots" / f"{name}.png").write_bytes(images[name])
        (tmp / "report.html").write_text(render_report(comp, images), encoding="utf-8")
    return out_dir


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
