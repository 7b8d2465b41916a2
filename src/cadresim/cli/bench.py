"""`cadresim roster bench`: who on the start roster is ready for the next leading grade, and what each lacks
(docs/bench.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from cadresim import dates
from cadresim.cli.common import SET_HELP, fail, out
from cadresim.cli.roster import roster_app
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import load_scenario


#: Printed summary headers ({at}: the --at month).
HEADS = {"candidates": "candidates", "eligible_now": "eligible now", "eligible_by_at": "eligible by {at} on time",
         "needs_post": "need a post below", "needs_grassroots": "need grassroots months",
         "ages_out": "over age ceiling by {at}"}


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class By(str, Enum):
    unit = "unit"


@roster_app.command(epilog="Examples:\n\n  cadresim roster bench scenarios/baseline.yaml\n\n"
                           "  cadresim roster bench mydept/scenario.yaml --at 2016-12 --by unit -o bench.xlsx")
def bench(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="Scenario whose start roster to read (its roster "
                                    "files, else a grown district)."),
    grade: Optional[str] = typer.Option(None, "--grade", metavar="GRADE", help="Grade to list candidates for "
                                        "(default: the lowest division-level grade, 副处)."),
    at: Optional[str] = typer.Option(None, "--at", metavar="YYYY-MM", help="Who is eligible by this month on time "
                                     "alone (default: the first reshuffle on or after the start)."),
    by: Optional[By] = typer.Option(None, "--by", metavar="unit", help="Summaries per unit too."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE", help="Write the list (.csv or "
                                          ".xlsx), its summaries and a figure (FILE's name with .png). INTERNAL: "
                                          "it names cadres' situations."),
    keep_ids: bool = typer.Option(False, "--keep-ids", help="Write the roster's own cadre ids instead of "
                                  "pseudonyms."),
    key_file: Optional[Path] = typer.Option(None, "--key-file", metavar="FILE", help="Pseudonym key (default: "
                                            "$CADRESIM_KEY_FILE, else ~/.config/cadresim/pseudonym.key)."),
    lang: Lang = typer.Option(Lang.zh, "--lang", metavar="zh|en", help="Headers and values of the written "
                              "files, and the figure's labels: Chinese (zh) or English (en)."),
    district: int = typer.Option(1, "--district", min=1, metavar="N", help="Which plausible district (1: the first "
                                 "of the ensemble); ignored for a roster of your own."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    force: bool = typer.Option(False, "--force", help="Replace an earlier bench list at -o (never anything "
                               "else)."),
) -> None:
    """List the candidates for the next leading grade on the start date: eligible now, each rule failed, when
    time rules are met, and what a move would fix. Deterministic: no simulation."""
    from cadresim.analysis import bench as bench_
    from cadresim.engine.districts import one_district
    from cadresim.io.privacy import output_ids, resolve_key
    from cadresim.output import bench_file

    try:
        sc = load_scenario(scenario, overrides)
        chosen = grade or bench_.default_grade(sc)
        month = bench_.check_options(sc, chosen, at)
        if output is not None:
            bench_file.check_output(output, force)
        key = None if keep_ids or output is None else resolve_key(key_file, output)
        roster = one_district(sc, district - 1).roster
        result = bench_.bench(sc, roster, chosen, month)
        summary = bench_.summaries(result.table, by is By.unit)
        if output is not None:
            ids = output_ids(result.table["cadre_id"], key.secret if key else None, roster.ids)
            written = _write(result, sc, summary, ids, output, lang.value)
    except InputError as e:
        fail(e)
    _print(result, sc, summary)
    for p in written if output is not None else []:
        out.print(f"wrote {p}", highlight=False)
    if output is not None:
        out.print("[bold]INTERNAL[/]: the list names cadres' situations; keep it within the department.")


def _write(result, sc, summary, ids, output: Path, lang: str) -> list[Path]:
    """The list, its summaries and the figure."""
    from cadresim.output import bench_file
    from cadresim.report.bench_figures import bench_figure
    from cadresim.report.labels import LABELS, grade_label

    line = bench_file.first_line(result, sc)
    written = bench_file.write_bench(output, line, bench_file.list_rows(result, sc, ids, lang),
                                     bench_file.summary_rows(summary, result.at, lang))
    grade = sc.grades[result.grade].name_zh if lang == "zh" else grade_label(result.grade, None, LABELS).lower()
    fig = bench_figure(summary, grade, dates.fmt(result.start), dates.fmt(result.at), lang)
    return [*written, bench_file.write_figure(output, fig)]


def _print(result, sc, summary) -> None:
    """The headline and the summary tables."""
    from cadresim.analysis.bench import COUNTS, headline

    name = f"{result.grade} ({sc.grades[result.grade].name_zh})"
    out.print(f"Candidates for {escape(name)} on {dates.fmt(result.start)}: {headline(summary, result.at)}",
              highlight=False)
    for by, title in (("birth_decade", "By birth decade"), ("unit", "By unit")):
        rows = summary[summary["by"] == by]
        if rows.empty:
            continue
        t = Table(title=title)
        t.add_column(by.replace("_", " "))
        for c in COUNTS:
            t.add_column(HEADS[c].format(at=dates.fmt(result.at)), justify="right")
        for r in rows.itertuples(index=False):
            group = f"{r.group}s" if by == "birth_decade" else escape(str(r.group))
            t.add_row(group, *(str(int(getattr(r, c))) for c in COUNTS))
        out.print(t)
