"""`cadresim roster template|export|check`: a district's own roster, from empty files to a checked run."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from cadresim.cli.common import SET_HELP, App, app, fail, out
from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import load_scenario
from cadresim.district.roster import Roster, nonleading_notes
from cadresim.scenario.schema import Scenario

roster_app = App(help="A district's own roster: empty templates, the default district as files, checks.",
                         no_args_is_help=True)
app.add_typer(roster_app, name="roster")


class Format(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


class Headers(str, Enum):
    zh = "zh"
    en = "en"


FORMAT = typer.Option(Format.csv, "--format", metavar="csv|xlsx",
                      help="csv (UTF-8, opens in Excel) or xlsx (needs openpyxl).")
HEADERS = typer.Option(Headers.zh, "--headers", metavar="zh|en",
                       help="Column headers in Chinese (zh) or English (en); both are "
                       "read either way.")
#: The scenario a template offers to extend (when the working folder has it, as in a cadresim checkout).
BASELINE = Path("scenarios") / "baseline.yaml"
FORCE = typer.Option(False, "--force", help="Overwrite files already in the folder.")


@roster_app.command(epilog="Examples:\n\n  cadresim roster template mydept\n\n"
                           "  cadresim roster template mydept --format xlsx --scenario scenarios/youth2.yaml")
def template(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write the templates into."),
    scenario: Optional[Path] = typer.Option(None, "--scenario", metavar="SCENARIO",
                                            help="Take grades and unit types from this "
                                            "scenario (default: the package's)."),
    fmt: Format = FORMAT,
    headers: Headers = HEADERS,
    force: bool = FORCE,
) -> None:
    """Write empty roster and units files, with every column explained in Chinese and English."""
    from cadresim.io.roster_write import scenario_text, write_template

    try:
        sc = load_scenario(scenario) if scenario else Scenario()
        names = [f"roster.{fmt.value}", f"units.{fmt.value}", "scenario.yaml"]
        _refuse_overwrite(folder, names + (["columns.csv"] if fmt == Format.csv else []), force)
        written = write_template(sc, folder, fmt.value, headers.value)
    except InputError as e:
        fail(e)
    extends = _relative(scenario, folder) if scenario else None
    suggest = _relative(BASELINE, folder) if BASELINE.is_file() else None
    text = scenario_text("own_roster", extends, names[0], names[1], "The district's own roster: fill in "
                         f"{names[0]} and {names[1]}, then: cadresim roster check {folder / 'scenario.yaml'}",
                         suggest)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    _written([*written, folder / "scenario.yaml"])
    where = "the second sheet of each workbook" if fmt == Format.xlsx else "columns.csv"
    out.print(f"Every column is explained in {where}. Fill in the files, then run "
              f"[bold]cadresim roster check {folder / 'scenario.yaml'}[/].")


@roster_app.command(epilog="Examples:\n\n  cadresim roster export scenarios/baseline.yaml mydept\n\n"
                           "  cadresim roster export scenarios/youth2.yaml mydept --format xlsx --headers en")
def export(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="Scenario whose start roster to write, e.g. "
                                    "scenarios/baseline.yaml."),
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write roster, units and scenario.yaml "
                                  "into."),
    fmt: Format = FORMAT,
    headers: Headers = HEADERS,
    district: int = typer.Option(1, "--district", min=1, metavar="N", help="Which plausible district to write "
                                 "(1: the first of the ensemble); ignored for a roster of your own."),
    force: bool = FORCE,
) -> None:
    """Write a scenario's start roster (a grown district by default) as roster and units files."""
    from cadresim.engine.districts import one_district
    from cadresim.io.roster_write import export_roster, scenario_text

    names = [f"roster.{fmt.value}", f"units.{fmt.value}", "scenario.yaml"]
    try:
        sc = load_scenario(scenario)
        _refuse_overwrite(folder, names, force)
        chosen = one_district(sc, district - 1)
        written = list(export_roster(chosen.roster, sc, folder, fmt.value, headers.value))
    except InputError as e:
        fail(e)
    which = f" (plausible district {district}, generator seed {chosen.seed})" if chosen.seed is not None else ""
    text = scenario_text(f"{sc.name}_roster", _relative(scenario, folder), names[0], names[1],
                         f"{scenario.name} on the roster in {names[0]} and {names[1]}{which}: edit them, then run "
                         "this file", stream=chosen.stream if chosen.seed is not None else 0)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    _written([*written, folder / "scenario.yaml"])
    roster = chosen.roster
    out.print(f"{len(roster.cadres)} cadres in {len(roster.units)} units{which}. Run them with "
              f"[bold]cadresim run {folder / 'scenario.yaml'}[/].", highlight=False)


@roster_app.command(epilog="Examples:\n\n  cadresim roster check mydept/scenario.yaml\n\n"
                           "  cadresim roster check mydept/scenario.yaml --set start=2015-03")
def check(
    scenario: Path = typer.Argument(..., metavar="SCENARIO", help="Scenario naming the roster and units files."),
    overrides: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
) -> None:
    """Check a scenario's roster (every problem at once) and print its start-date figures."""
    from cadresim.io import roster_read as rosterio

    from cadresim.engine.districts import is_grown, one_district

    try:
        sc = load_scenario(scenario, overrides)
        grown = one_district(sc) if is_grown(sc) else None
        loaded = (rosterio.Loaded(grown.roster, nonleading_notes(grown.roster, sc)) if grown
                  else rosterio.read_roster(sc))
    except InputError as e:
        fail(e)
    roster = loaded.roster
    source = "files" if roster.digests else (f"grown district 1 of the ensemble, generator seed {grown.seed}" if grown
                                             else "the synthetic district")
    out.print(f"{scenario}: roster valid ({source}): {len(roster.cadres)} cadres in {len(roster.units)} units on "
              f"{sc.start}", highlight=False)
    for note in loaded.notes:  # a note's indented lines continue the note above
        out.print(note if note.startswith(" ") else f"note: {note}", highlight=False, markup=False)
    out.print(_posts_table(roster, sc))
    out.print(_figures_table(roster, sc))


def _refuse_overwrite(folder: Path, names: list[str], force: bool) -> None:
    there = [folder / n for n in names if (folder / n).exists()]
    if there and not force:
        raise InputError([Problem(str(p), "", "already exists: use --force to overwrite it") for p in there])


def _relative(path: Path, folder: Path) -> str:
    """``path`` as written in a file in ``folder``."""
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path.resolve())


def _written(paths: list[Path]) -> None:
    for p in paths:
        out.print(f"wrote {p}", highlight=False)


def _posts_table(roster: Roster, sc: Scenario) -> Table:
    t = Table(title="Holders and posts by grade")
    for col in ("grade", "中文", "leading holders", "posts", "non-leading rank holders"):
        t.add_column(col, justify="left" if col in ("grade", "中文") else "right")
    c = roster.cadres
    held, ranked = c.loc[~c["nonleading"], "grade"].value_counts(), c.loc[c["nonleading"], "grade"].value_counts()
    for g in sc.ladder:
        limited = sc.grades[g].kind == "post_limited"
        rank = sc.nonleading.ranks.get(g)
        t.add_row(g, sc.grades[g].name_zh, str(int(held.get(g, 0))),
                  str(int(roster.posts(g).sum())) if limited else "no post limit",
                  f"{int(ranked.get(g, 0))} {rank.name_zh}" if rank else "")
    return t


def _figures_table(roster: Roster, sc: Scenario) -> Table:
    """The start-date figures beside the speech's and the default district's."""
    from cadresim.report.roster_figures import FIGURES, cohort_figures, start_figures
    from cadresim.scenario.docs import CALIBRATION_TARGETS

    values = start_figures(sc, roster)
    t = Table(title=f"Start-date figures on {sc.start}")
    for col in ("figure", "this roster", "speech / default district", "source"):
        t.add_column(col)
    for metric, i, form in FIGURES:
        target = CALIBRATION_TARGETS[i]
        shown = form.format(values[metric]) if metric in values else "– (no such role in the ladder)"
        t.add_row(target.figure, shown, target.target, escape(target.source))
    cohorts = cohort_figures(sc, roster)
    target = CALIBRATION_TARGETS[5]
    shown = "; ".join(f"{k}: {n} members, {s} seconded" for k, (n, s) in cohorts.items()) or "none"
    t.add_row("Youth Talent cohorts in the roster", shown, f"cohort 1: {target.target}", escape(target.source))
    return t
