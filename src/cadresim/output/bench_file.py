"""Writing the bench list (`cadresim roster bench -o FILE`): the table, its summaries and a figure.

The list names cadres' situations, so its first line says it is internal (:data:`INTERNAL`); that line also
marks the file as one this command wrote, the only kind it replaces (``--force``). A CSV (UTF-8 with BOM)
gets its summaries in ``NAME-summary.csv`` beside it, an .xlsx in a second sheet; the figure is
``NAME.png``. Every file is written whole or not at all (:func:`cadresim.io.atomic.atomic_file`), and text a
spreadsheet would take as a formula is escaped. Headers and values are in Chinese or English.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from cadresim import dates
from cadresim.analysis.bench import SAME_LEVEL, Bench
from cadresim.errors import InputError, Problem
from cadresim.io.atomic import atomic_file
from cadresim.io.output_target import path_problems
from cadresim.io.spreadsheet_escape import escape_rows
from cadresim.report.labels import in_language
from cadresim.scenario.schema import Scenario

#: What the first line of every bench file starts with; it marks the files this command may replace.
MARK = "INTERNAL 内部资料"
INTERNAL = (MARK + " — names cadres' situations: for the organisation department only; do not circulate "
            "(涉及干部个人情况，仅供组织部门内部使用，不得外传). cadresim roster bench: {grade} on {start}; by {at}")
SUFFIXES = (".csv", ".xlsx")
#: Column keys of the written list, in order, with their English and Chinese headers ({at} filled in).
COLUMNS: dict[str, tuple[str, str]] = {
    "cadre_id": ("cadre id", "干部编号"), "unit_id": ("unit id", "单位编号"), "unit": ("unit", "单位"),
    "level": ("grade now", "现职务层次"), "track": ("track", "职务类别"), "section": ("candidate for", "晋升方式"),
    "birth_decade": ("born", "出生年代"), "eligible_now": ("eligible now", "目前符合条件"),
    "failed": ("rules not met now", "目前不符合的条件"),
    "grade_below_met": ("years in the grade below met in", "下一级任职年限满足时间"),
    "work_met": ("years of work met in", "工作年限满足时间"),
    "grassroots_met": ("grassroots experience met in", "基层工作经历满足时间"),
    "probation_end": ("probation ends", "试用期满"),
    "last_year": ("last year under the age ceiling", "年龄上限前最后年份"),
    "move": ("what a move would fix", "需通过交流任职补足"),
    "eligible_from": ("eligible on time alone from", "仅凭时间符合条件的时间"),
    "eligible_by_at": ("eligible by {at} on time alone", "{at}前仅凭时间符合条件"),
    "over_ceiling_by_at": ("over the age ceiling by {at}", "{at}时已超过年龄上限"),
}
SUMMARY_COLUMNS: dict[str, tuple[str, str]] = {
    "by": ("by", "分组"), "group": ("group", "组别"), "candidates": ("candidates", "人选数"),
    "eligible_now": ("eligible now", "目前符合条件"),
    "eligible_by_at": ("eligible by {at} on time alone", "{at}前仅凭时间符合条件"),
    "needs_post": ("needing another leading post below", "需再任下一级领导岗位"),
    "needs_grassroots": ("needing grassroots months beyond those accruing", "需补基层工作经历"),
    "ages_out": ("over the age ceiling by {at}", "{at}时已超过年龄上限"),
}
BY_NAMES = {"all": ("all", "合计"), "birth_decade": ("birth decade", "出生年代"), "unit": ("unit", "单位")}
ORDINALS = {2: "second", 3: "third", 4: "fourth"}


def outputs(path: Path) -> list[Path]:
    """The files ``-o path`` writes: the list, its summaries (CSV only: beside it) and the figure."""
    summary = [path.with_name(f"{path.stem}-summary.csv")] if path.suffix.lower() == ".csv" else []
    return [path, *summary, path.with_suffix(".png")]


def check_output(path: Path, force: bool) -> None:
    """Refuse an output this command may not write: another suffix, a folder, a file it did not write, or
    one it did without ``force``.

    Raises:
        InputError: one problem per file refused.
    """
    if path.suffix.lower() not in SUFFIXES:
        raise InputError([Problem("-o", "", "the bench list is written as .csv or .xlsx", str(path))])
    problems = path_problems(path)  # a name too long, a parent that is a file or cannot be written ...
    if problems:
        raise InputError(problems)
    for p in outputs(path):
        if p.is_dir() or p.is_symlink():
            problems.append(Problem("-o", "", f"{p} is a folder or a link: give a new file name", str(p)))
        elif p.exists() and not _written_here(path):
            problems.append(Problem("-o", "", f"{p} exists and is not a bench list this command wrote: nothing "
                                    "replaced; choose a new file name", str(p)))
        elif p.exists() and not force:
            problems.append(Problem("-o", "", f"{p} already exists: add --force to replace the earlier bench list",
                                    str(p)))
    if problems:
        raise InputError(problems)


def _written_here(path: Path) -> bool:
    """Whether the list at ``path`` starts with :data:`MARK` (its figure and summaries go with it)."""
    if not path.is_file():
        return False
    try:
        if path.suffix.lower() == ".xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            first = next(book.worksheets[0].iter_rows(max_row=1, max_col=1, values_only=True), (None,))[0]
            book.close()
        else:
            with path.open(encoding="utf-8-sig") as f:
                first = f.readline()
    except Exception:  # unreadable, not a workbook: not ours
        return False
    return str(first or "").lstrip('"').startswith(MARK)


def list_rows(b: Bench, scenario: Scenario, ids: pd.Series, lang: str) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the bench list (dates as YYYY-MM, yes/no, rules and grades in words)."""
    zh, at = lang == "zh", dates.fmt(b.at)
    headers = [(zh_ if zh else en).format(at=at) for en, zh_ in COLUMNS.values()]
    needed, rows = scenario.grades[b.grade].posts_held_below or 0, []
    for r, shown in zip(b.table.itertuples(index=False), ids):
        move = move_text(scenario, b.grade, int(r.posts_short), needed, int(r.grassroots_short), zh)
        cells = {**r._asdict(), "cadre_id": shown, "move": move}
        rows.append([_cell(k, cells[k], scenario, zh) for k in COLUMNS])
    return headers, rows


def move_text(scenario: Scenario, grade: str, short: int, needed: int, grassroots: int, zh: bool) -> str:
    """What a move would fix, in words: "a second 正科 post" (``short`` of the ``needed`` leading posts below),
    "24 more grassroots months" ("" for nothing)."""
    below = scenario.grades[scenario.ladder[scenario.ladder.index(grade) - 1]].name_zh
    parts = []
    if short:
        if zh:
            parts.append(f"再任{short}个{below}领导岗位")
        elif short == 1 and needed in ORDINALS:
            parts.append(f"a {ORDINALS[needed]} {below} post")
        else:
            parts.append(f"{short} more {below} post{'s' if short > 1 else ''}")
    if grassroots:
        parts.append(f"还需基层工作经历{grassroots}个月（基层任职或挂职）" if zh
                     else f"{grassroots} more grassroots months (a grassroots post or a secondment)")
    return ("；" if zh else "; ").join(parts)


def _cell(key: str, value: object, scenario: Scenario, zh: bool) -> object:
    """One cell of the list as shown."""
    if key in ("eligible_now", "eligible_by_at", "over_ceiling_by_at"):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if key.endswith(("_met", "_end", "_from")):
        return dates.fmt(int(value)) if int(value) >= 0 else ""
    if key == "last_year":
        return int(value) if int(value) >= 0 else ""
    if key == "birth_decade":
        return f"{int(value) % 100:02d}后" if zh else f"{int(value)}s"
    if key == "failed":
        labels = in_language("zh" if zh else "en")
        return ("；" if zh else "; ").join(labels[r] for r in str(value).split(";") if r)
    if key in ("level", "track", "section"):
        return _words(key, value, scenario, zh)
    return int(value) if key == "unit_id" else value


def _words(key: str, value: object, scenario: Scenario, zh: bool) -> str:
    """A grade, track or section in words."""
    if key == "level":
        return scenario.grades[str(value)].name_zh or str(value) if zh else str(value)
    if key == "track":
        return ("非领导职务" if value == "nonleading" else "领导职务") if zh else str(value)
    if value == SAME_LEVEL:
        return "本级非领导职务转任领导职务" if zh else "a leading post of their own level"
    return "晋升上一级" if zh else "the next grade up"


def summary_rows(summary: pd.DataFrame, at: int, lang: str) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the summaries."""
    zh = lang == "zh"
    headers = [(z if zh else e).format(at=dates.fmt(at)) for e, z in SUMMARY_COLUMNS.values()]
    rows = []
    for r in summary.itertuples(index=False):
        group = r.group
        if r.by == "birth_decade":
            group = f"{int(group) % 100:02d}后" if zh else f"{int(group)}s"
        elif r.by == "all":
            group = "合计" if zh else "all"
        rows.append([BY_NAMES[r.by][zh], group, *(int(getattr(r, k)) for k in list(SUMMARY_COLUMNS)[2:])])
    return headers, rows


def write_bench(path: Path, first_line: str, table: tuple[list[str], list[list[object]]],
                summary: tuple[list[str], list[list[object]]]) -> list[Path]:
    """Write the list (and its summaries) to ``path``, each file whole or not at all. Returns the files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        with atomic_file(path) as tmp:
            _write_xlsx(tmp, first_line, table, summary)
        return [path]
    summary_path = outputs(path)[1]
    with atomic_file(path) as tmp:
        _write_csv(tmp, first_line, *table)
    with atomic_file(summary_path) as tmp:
        _write_csv(tmp, first_line, *summary)
    return [path, summary_path]


def _write_csv(path: Path, first_line: str, headers: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([first_line])
        writer.writerows(escape_rows([headers, *rows]))


def _write_xlsx(path: Path, first_line: str, table: tuple[list[str], list[list[object]]],
                summary: tuple[list[str], list[list[object]]]) -> None:
    try:
        import openpyxl
        from openpyxl.styles import Font
    except ImportError:
        raise InputError([Problem("-o", "", "writing .xlsx needs openpyxl: pip install 'cadresim[excel]', or "
                                  "write .csv", str(path))]) from None
    book = openpyxl.Workbook()
    for sheet, (title, (headers, rows)) in zip([book.active, book.create_sheet()],
                                               [("bench 后备", table), ("summary 汇总", summary)]):
        sheet.title = title
        for values in [[first_line], *escape_rows([headers, *rows])]:
            sheet.append(values)
        for cell in [*sheet[1], *sheet[2]]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
        sheet.freeze_panes = "A3"
    book.save(path)


def first_line(b: Bench, scenario: Scenario) -> str:
    """The list's first line: internal, what it lists, when."""
    return INTERNAL.format(grade=f"{b.grade} ({scenario.grades[b.grade].name_zh})", start=dates.fmt(b.start),
                           at=dates.fmt(b.at))


def write_figure(path: Path, figure: object) -> Path:
    """Write the bench figure (a matplotlib Figure) as ``path``'s PNG, whole or not at all."""
    png = path.with_suffix(".png")
    with atomic_file(png) as tmp:
        figure.savefig(tmp, dpi=120, format="png")  # type: ignore[attr-defined]
    return png
