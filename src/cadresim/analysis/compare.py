"""Scenarios side by side: results folders compared with a baseline, as tables and figures.

:func:`compare` reads the results folders (:mod:`cadresim.io.results_folder`), differences every
metric from the baseline with a paired or Welch interval (:mod:`cadresim.analysis.differences`),
lists what each scenario changes (:mod:`cadresim.analysis.scenario_changes`), compares the
leadership teams at risk (:mod:`cadresim.analysis.compare_teams`: every run's teams re-flagged
with the baseline's thresholds, matched by unit id) and draws the figures
(:mod:`cadresim.report.compare_figures`). :func:`cadresim.output.comparison_folder.write_comparison`
writes the result to a folder, with report.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from cadresim import dates
from cadresim.analysis.compare_teams import team_notes, team_tables
from cadresim.analysis.differences import comparison_tables, pairing, summary_rows
from cadresim.analysis.scenario_changes import differences_table
from cadresim.analysis.targets import comparison_targets
from cadresim.errors import InputError, Problem
from cadresim.io.results_folder import OPTIONAL, RunFolder, load_runs
from cadresim.measures.metrics import HEADLINE
from cadresim.report import compare_figures as figures, fonts
from cadresim.report.labels import LABELS, in_language, with_titles
from cadresim.report.run_figures import PIPELINE_GRADES
from cadresim.report.style import ladder_order
from cadresim.report.tracks import leading, nonleading_by_rank, rank_key
from cadresim.scenario.schema import DEFAULT_LADDER, Title

#: What a run without an optional table lacks.
LEFT_OUT = {"teams.csv": "its teams are left out of the teams at risk (its ladder has no division-level role, "
                         "or it predates team reports)"}
#: The runs' tables stacked with a scenario column, where every run has them.
STACKED = ("replications", "timeseries", "eligibility", "pool")
LANGS = ("en", "zh")
#: How an unpaired run over several districts is compared (the end of its note).
WITHIN_DISTRICTS = " within each district, the overall interval over the districts' differences"
POOL_GRADE, POOL_DECADE = "deputy_division", 1980


@dataclass
class Comparison:
    """Scenarios compared with a baseline: tables, figures and what a reader must be told.

    Attributes:
        runs: the runs, baseline first.
        tables: ``comparison`` (one row per metric, date and scenario; see
            :data:`cadresim.analysis.differences.COLUMNS`), ``by_district`` (each scenario's difference
            in each district, :data:`cadresim.analysis.differences.DISTRICT_COLUMNS`), ``differences``
            (what each scenario changes from the baseline: scenario, key, baseline, value), the runs'
            tables stacked with a ``scenario`` column (``replications``, ``timeseries``, ``eligibility``, ``pool``, where
            every run has them), and, where any run has teams.csv, ``teams`` and ``team_changes``
            (see :mod:`cadresim.analysis.compare_teams`).
        figures: name -> matplotlib Figure (see :func:`build_figures`).
        pairing: per scenario other than the baseline, ``"paired"`` or why it is not.
        notes: warnings for the reader (versions differ, unpaired runs, missing tables, fonts).
        notes_zh: a note's Chinese text, by its English text, where it has one (the html report in Chinese).
        metrics: the metrics shown in the headline table and the forest plot.
        lang: the language of labels ("en" or "zh"); ``plot_lang`` is "en" when no CJK font was found.
        rc: matplotlib settings the figures need when saved (the CJK font).
    """

    runs: list[RunFolder]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure] = field(default_factory=dict)
    pairing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    notes_zh: dict[str, str] = field(default_factory=dict)
    metrics: list[str] = field(default_factory=list)
    lang: str = "en"
    plot_lang: str = "en"
    rc: dict[str, object] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return [r.name for r in self.runs]

    @property
    def baseline(self) -> RunFolder:
        return self.runs[0]


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
        InputError: bad folders, fewer than two, runs on different districts, an unknown metric or language.
    """
    if lang not in LANGS:
        raise InputError([Problem("--lang", "", f"unknown language; use one of {', '.join(LANGS)}", lang)])
    runs = load_runs(dirs, baseline)
    check_districts(runs)
    chosen = _check_metrics(runs, metrics)
    comp = Comparison(runs, _tables(runs, metrics), pairing={r.name: pairing(runs[0], r) for r in runs[1:]},
                      metrics=chosen, lang=lang, plot_lang=lang)
    comp.notes = _notes(comp)
    comp.notes_zh = _notes_zh(comp)
    _set_fonts(comp)
    comp.figures = build_figures(comp)
    return comp


def check_districts(runs: list[RunFolder]) -> None:
    """Check that every run covers the baseline's districts: the same district seeds and roster digests,
    in the same order (manifest.json "districts"). A run written before ensembles has no such list and
    counts as one district, which may be compared with any run of one district.

    Raises:
        InputError: one problem per run whose districts differ, naming both folders and what differs.
    """
    base = runs[0]
    problems = []
    for run in runs[1:]:
        what = _districts_differ(base, run)
        if what:
            problems.append(Problem(str(run.path), "districts", f"not run on the same districts as the baseline "
                                    f"{base.path} ({what}); a comparison sets each district against the same "
                                    "district: rerun both with the same district settings and number of districts"))
    if problems:
        raise InputError(problems)


def _districts_differ(base: RunFolder, run: RunFolder) -> str:
    """What differs between the two runs' districts ("" when nothing does, or nothing can be told)."""
    if base.n_districts != run.n_districts:
        return f"{base.n_districts} against {run.n_districts} districts"
    differ = []
    for i, (b, r) in enumerate(zip(base.districts, run.districts)):
        name = b.get("district", i)
        if b.get("seed") != r.get("seed"):
            differ.append(f"district {name}: seed {b.get('seed')} against {r.get('seed')}")
        elif b.get("digest") != r.get("digest"):
            differ.append(f"district {name}: roster SHA-256 {str(b.get('digest'))[:12]}… against "
                          f"{str(r.get('digest'))[:12]}…")
    more = f"; and {len(differ) - 3} more" if len(differ) > 3 else ""
    return "; ".join(differ[:3]) + more


def _check_metrics(runs: list[RunFolder], metrics: list[str] | None) -> list[str]:
    present = list(dict.fromkeys(m for r in runs for m in r.tables["summary"]["metric"]))
    if metrics is None:
        return [m for m in HEADLINE if m in present]
    unknown = [m for m in metrics if m not in present]
    if unknown:
        raise InputError([Problem("--metrics", m, "not a metric of these runs; they have: " + ", ".join(present), m)
                          for m in unknown])
    return list(dict.fromkeys(metrics))


def _tables(runs: list[RunFolder], metrics: list[str] | None) -> dict[str, pd.DataFrame]:
    comparison, by_district = comparison_tables(runs, metrics)
    tables = {"comparison": comparison, "by_district": by_district, "differences": differences_table(runs)}
    for name in STACKED:
        if all(name in r.tables for r in runs):
            tables[name] = pd.concat([r.tables[name].assign(scenario=r.name) for r in runs], ignore_index=True)
    targets = comparison_targets(runs)
    return {**tables, **team_tables(runs), **({"targets": targets} if len(targets) else {})}


def _notes(comp: Comparison) -> list[str]:
    notes = []
    versions = {r.name: str(r.manifest["cadresim_version"]) for r in comp.runs}
    if len(set(versions.values())) > 1:
        notes.append("model versions differ (" + ", ".join(f"{n}: {v}" for n, v in versions.items())
                     + "): differences may come from the model, not only the policy")
    several = comp.baseline.n_districts > 1
    notes += [f"{name}: {how} — using an unpaired (Welch) interval" + (WITHIN_DISTRICTS if several else "")
              for name, how in comp.pairing.items() if how != "paired"]
    for name in OPTIONAL:
        lacking = [r.name for r in comp.runs if name.removesuffix(".csv") not in r.tables]
        if lacking:
            notes.append(f"{name} missing in {', '.join(lacking)}: "
                         + LEFT_OUT.get(name, "the figures built from it are left out"))
    notes += team_notes(comp.runs)
    notes += [f"{r.name}: run warning: {w}" for r in comp.runs for w in r.manifest.get("warnings") or []]
    notes += [f"{r.name}: roster: {n}" for r in comp.runs for n in r.manifest.get("notes") or []]
    return notes


def _notes_zh(comp: Comparison) -> dict[str, str]:
    """The Chinese text of the notes :func:`_notes` writes about versions, pairing and missing tables."""
    out, names = {}, {r.name: r for r in comp.runs}
    versions = {r.name: str(r.manifest["cadresim_version"]) for r in comp.runs}
    for note in comp.notes:
        if note.startswith("model versions differ"):
            listed = "，".join(f"{n}：{v}" for n, v in versions.items())
            out[note] = f"模型版本不同（{listed}）：差异可能来自模型，而不只是政策"
        elif "using an unpaired (Welch) interval" in note and note.split(":")[0] in names:
            within = "（逐区计算；总体区间按各区差异计算）" if note.endswith(WITHIN_DISTRICTS) else ""
            out[note] = f"{note.split(':')[0]}：随机种子或重复次数与基准不同，采用非配对（Welch）区间{within}"
        elif " missing in " in note:
            table, _, rest = note.partition(" missing in ")
            out[note] = f"{rest.split(':')[0]}缺少{table}：相关内容未列入"
        elif note.partition(": ")[0] in names:
            out[note] = _run_note_zh(*note.split(": ", 1), comp.runs[0].name)
    return out


def _run_note_zh(name: str, text: str, baseline: str) -> str:
    """The Chinese text of a note about one run (its teams, warnings and roster notes; the latter two keep
    their original wording, which names rows and keys, after a Chinese lead-in)."""
    if text.startswith("its own at-risk thresholds"):
        return f"{name}：其团队风险阈值与基准（{baseline}）不同，团队按基准的阈值计算"
    if text.startswith("its teams are not all"):
        return (f"{name}：其团队与基准（{baseline}）不完全相同（单位或换届日期不同）：新增或解除风险的团队及变化最大的"
                "团队，只在双方共有的团队中统计")
    if text.startswith("run warning: "):
        return f"{name}：运行警告（原文）：{text.removeprefix('run warning: ')}"
    if text.startswith("roster: "):
        return f"{name}：名册读取说明（原文）：{text.removeprefix('roster: ')}"
    return f"{name}：{text}"


def _set_fonts(comp: Comparison) -> None:
    if comp.lang != "zh":
        return
    family = fonts.find_cjk_font()
    if family is None:
        comp.plot_lang = "en"
        note = fonts.HOW_TO_INSTALL.replace("using English", "plots in English")
        comp.notes.append(note)
        comp.notes_zh[note] = "未找到中文字体，图表使用英文；请安装一种（如 apt install fonts-noto-cjk，然后 rm -rf ~/.cache/matplotlib）"
    else:
        comp.rc = fonts.rc_params(family)


# --- what the report leads with ------------------------------------------------------------------


def labels_for(comp: Comparison, lang: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(labels, grade labels) in ``lang`` (default: the plots' language)."""
    lang = lang or comp.plot_lang
    labels = with_titles(in_language(lang), titles(comp, lang))
    ladder = comp.baseline.resolved.get("ladder") or DEFAULT_LADDER
    grades = comp.baseline.resolved.get("grades") or {}
    zh = {g: (grades.get(g) or {}).get("name_zh") or labels.get(g, g) for g in ladder}
    en = {g: LABELS.get(g, g.replace("_", " ")) for g in ladder}
    ranks = (comp.baseline.resolved.get("nonleading") or {}).get("ranks") or {}
    zh |= {rank_key(g): r.get("name_zh") or g for g, r in ranks.items() if r}
    en |= {rank_key(g): r.get("name") or g for g, r in ranks.items() if r}
    return labels, (zh if lang == "zh" else en)


def titles(comp: Comparison, lang: str) -> dict[str, str]:
    """Each scenario's title in ``lang`` (its resolved ``title``; the name where it has none)."""
    return {r.name: Title.model_validate(r.resolved.get("title") or {}).text(lang, r.name) for r in comp.runs}


def reshuffle_dates(comp: Comparison) -> list[str]:
    """The baseline's reshuffle months."""
    return [str(d) for d in (comp.baseline.resolved.get("reshuffle") or {}).get("dates") or []]


def key_date(comp: Comparison) -> str:
    """The date the report leads with: the first reshuffle with metrics, else the last snapshot."""
    table = comp.tables["comparison"]
    have = set(table["date"])
    first = next((d for d in reshuffle_dates(comp) if d in have), None)
    return first or max(have, key=dates.parse)


# --- the figures ---------------------------------------------------------------------------------


def build_figures(comp: Comparison) -> dict[str, Figure]:
    """Every figure the tables allow, by name: differences, pipeline, grade_mix, eligible_pool,
    binding_rules, youth_talent (a figure with nothing to draw is left out, with a note)."""
    built = {}
    with mpl.rc_context(comp.rc):
        for name, build in _figure_plans(comp).items():
            try:
                built[name] = build()
            except ValueError as e:  # nothing to draw (say, no Youth Talent cohort)
                comp.notes.append(f"figure {name} left out: {e}")
                comp.notes_zh[comp.notes[-1]] = f"图 {name} 未列入：无可绘内容"
    return built


def _figure_plans(comp: Comparison) -> dict[str, Callable[[], Figure]]:
    lab, grade_labels = labels_for(comp)
    t, names = comp.tables, comp.scenarios
    shuffles = reshuffle_dates(comp)
    first = shuffles[0] if shuffles else None
    plans: dict[str, Callable[[], Figure]] = {
        "differences": lambda: figures.differences_forest(t["comparison"], comp.metrics, names, lab)}
    if "timeseries" in t:  # the figures count leading posts, as the headline metrics do
        ts = leading(t["timeseries"])
        grades = [g for g in PIPELINE_GRADES if g in set(ts["grade"])]
        ladder = ladder_order(ts["grade"], grade_labels)
        section_up = ladder[ladder.index("deputy_section"):] if "deputy_section" in ladder else ladder
        after = _on_or_after(ts["date"], first)
        plans["pipeline"] = lambda: figures.pipeline_compare(ts, names, grades, grade_labels, lab, shuffles)
        plans["grade_mix"] = lambda: figures.grade_mix(ts, after, names, section_up, grade_labels, lab)
        ranks = nonleading_by_rank(t["timeseries"])
        held = [rank_key(g) for g in PIPELINE_GRADES if rank_key(g) in set(ranks["grade"])]
        if held:
            plans["nonleading"] = lambda: figures.pipeline_compare(ranks, names, held, grade_labels, lab, shuffles,
                                                                   "title_nonleading_compare")
    if "pool" in t:
        plans["eligible_pool"] = lambda: figures.eligible_pool(leading(t["pool"]), names, lab, shuffles, POOL_GRADE,
                                                               POOL_DECADE)
    if "eligibility" in t:
        date = _on_or_after(t["eligibility"]["date"], first)
        plans["binding_rules"] = lambda: figures.binding_compare(leading(t["eligibility"]), date, POOL_GRADE, names,
                                                                 grade_labels, lab)
    plans["youth_talent"] = lambda: figures.youth_talent_compare(_all_rows(comp), names, lab)
    return plans


def _all_rows(comp: Comparison) -> pd.DataFrame:
    """Summary rows of every metric and scenario (the comparison table may hold only some metrics)."""
    return pd.concat([summary_rows(r) for r in comp.runs], ignore_index=True)


def _on_or_after(dates_: pd.Series, date: str | None) -> str:
    """The first of ``dates_`` on or after ``date`` (default, or when none: the last)."""
    ordered = sorted(dates_.unique(), key=dates.parse)
    if date is not None:
        later = [d for d in ordered if dates.parse(d) >= dates.parse(date)]
        if later:
            return later[0]
    return ordered[-1]
