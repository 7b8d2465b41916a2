"""Placing a roster's cadres on the two tracks: leading posts and non-leading ranks (非领导职务).

A 2014 roster gives a cadre's level in 现职务层次 (正科级, 副处级 …) and often their 职务 in another column
(主任科员, 调研员, 科长, 副主任 …). From the two (and an optional yes/no column 非领导职务) each row gets its
``grade`` (the level) and ``nonleading`` (holds the level's non-leading rank). Titles read by default:

- the non-leading ranks of the scenario (``nonleading.ranks``: 副主任科员, 主任科员, 副调研员, 调研员, and their
  English names), each at its level; a rank's name in 现职务层次 alone is understood too;
- the titles of the staff grade (科员, 办事员), at the bottom grade;
- leading titles (:data:`LEADING_TITLES`, and any title ending in one, such as 党组书记 or 街道办事处副主任),
  at the level 现职务层次 gives; a title ending in a rank's name (区委办副调研员) is that rank;
- local titles mapped in the scenario's ``nonleading.roster_titles``.

A title and a level that disagree (主任科员 with 副处级) are a problem naming the row and both columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from cadresim.errors import Problem
from cadresim.io.roster_cells import cell_text, grade_names, norm
from cadresim.io.roster_sheets import Parsed, Table
from cadresim.scenario.schema import Scenario

#: leading titles (领导职务) read by default; a title ending in one of them is leading too
LEADING_TITLES = ("局长", "副局长", "处长", "副处长", "科长", "副科长", "主任", "副主任", "书记", "副书记", "镇长",
                  "副镇长", "乡长", "副乡长", "街道办主任", "街道办副主任", "区长", "副区长", "部长", "副部长", "主席",
                  "副主席", "秘书长", "副秘书长", "所长", "副所长", "队长", "副队长", "站长", "副站长", "馆长",
                  "副馆长", "院长", "副院长", "庭长", "副庭长", "检察长", "副检察长", "组长", "副组长",
                  "leading", "leader")
#: titles of the bottom grade (no rank: a staff member)
STAFF_TITLES = ("科员", "办事员", "staff", "staff member")
#: generic words for a non-leading rank (the level from 现职务层次)
NONLEADING_WORDS = ("非领导职务", "nonleading", "non-leading")
#: where an unknown title is mapped
MAPPING_KEY = "nonleading.roster_titles"


@dataclass(frozen=True)
class Placement:
    """What one cell says of a cadre's level and track.

    Attributes:
        level: the grade key of the level (None: the cell does not say).
        nonleading: holds the level's non-leading rank (None: the cell does not say).
    """

    level: str | None
    nonleading: bool | None


def rank_names(scenario: Scenario) -> dict[str, str]:
    """Each non-leading rank's Chinese and English name (as written) -> the grade key of its level."""
    out: dict[str, str] = {}
    for key in scenario.ladder:
        rank = scenario.nonleading.ranks.get(key)
        if rank is not None:
            out.update({name: key for name in (rank.name_zh, rank.name) if name})
    return out


def title_table(scenario: Scenario) -> dict[str, Placement]:
    """Every title read exactly (normalized) -> its placement; the scenario's own mapping wins."""
    table = {norm(t): Placement(None, False) for t in LEADING_TITLES}
    table.update({norm(t): Placement(scenario.ladder[0], False) for t in STAFF_TITLES})
    table.update({norm(t): Placement(None, True) for t in NONLEADING_WORDS})
    table.update({norm(name): Placement(key, True) for name, key in rank_names(scenario).items()})
    table.update({norm(t): Placement(None, track == "nonleading")
                  for t, track in scenario.nonleading.roster_titles.items()})
    return table


def accepted_titles(scenario: Scenario, title: str = "站务主管") -> str:
    """What a 职务 cell may hold, and how to map a local title such as ``title`` (the message of an unknown title)."""
    ranks = ", ".join(rank_names(scenario)) or "none"
    leading = ", ".join(t for t in LEADING_TITLES if not t.isascii())
    mapped = ", ".join(scenario.nonleading.roster_titles)
    if len(title) > 20 or not title or re.search(r"[\s:{}\[\],#&*!|>'\"%@`]", title):
        title = "站务主管"  # an example that stays short and valid YAML
    return (f"accepted: non-leading ranks {ranks}; staff titles {', '.join(STAFF_TITLES[:2])}; leading titles "
            f"{leading} (or a title ending in one, e.g. 党组书记){'; mapped in the scenario: ' + mapped if mapped else ''}"
            f". To read a local title, map it in the scenario file, e.g. {MAPPING_KEY}: {{{title}: leading}} "
            "(leading or nonleading; the level comes from 现职务层次)")


def title_parser(scenario: Scenario) -> Callable[[object], Placement]:
    """The parser of a 职务 (title) cell: exact titles first, then a title ending in a rank's name or a leading
    title (the longest ending: 区委办副调研员, 党组书记), each also without a closing parenthesis (主任科员（正科级）).

    Raises (from the parser):
        ValueError: an unknown title, with what is accepted and how to map one.
    """
    table = title_table(scenario)
    ranks = {norm(name): Placement(key, True) for name, key in rank_names(scenario).items()}
    endings = {**{norm(t): Placement(None, False) for t in LEADING_TITLES if not t.isascii()}, **ranks}
    longest_first = sorted(endings, key=len, reverse=True)

    def parse(cell: object) -> Placement:
        word = norm(cell_text(cell) or "")
        bare = re.sub(r"\([^()]*\)$", "", word)  # 主任科员(正科级): the level is 现职务层次's to give
        for text in dict.fromkeys((word, bare)):
            if text in table:
                return table[text]
            ending = next((e for e in longest_first if text.endswith(e)), None)
            if ending is not None:
                return endings[ending]
        raise ValueError(f"unknown 职务 (title); {accepted_titles(scenario, cell_text(cell) or '')}")
    return parse


def level_parser(scenario: Scenario) -> Callable[[object], Placement]:
    """The parser of a 现职务层次 (grade) cell: a level (正科, 正科级, section …) or a non-leading rank's name.

    Raises (from the parser):
        ValueError: an unknown level, with the levels and ranks accepted.
    """
    levels = {norm(k): v for k, v in grade_names(scenario).items()}
    ranks = {norm(k): v for k, v in rank_names(scenario).items()}
    shown = ", ".join(dict.fromkeys([*scenario.ladder, *grade_names(scenario)]))
    rank_shown = ", ".join(rank_names(scenario)) or "none"

    def parse(cell: object) -> Placement:
        word = norm(cell_text(cell) or "")
        if word in levels:
            return Placement(levels[word], None)
        if word in ranks:
            return Placement(ranks[word], True)
        raise ValueError(f"unknown grade; grades are {shown}; a non-leading rank's name gives its level too "
                         f"({rank_shown}); a 职务 such as 科长 belongs in a column 职务 (title)")
    return parse


def settle(parsed: Parsed, scenario: Scenario) -> None:
    """Turn the parsed grade, title and nonleading cells of each row into ``grade`` and ``nonleading``.

    ``parsed.values`` is changed in place: ``grade`` holds grade keys, ``nonleading`` bools (rows that give
    no track keep the default: a leading post or none). A row whose columns disagree gets a problem naming
    the row and both columns, and joins ``parsed.bad``.
    """
    grades, titles = parsed.values.get("grade", {}), parsed.values.get("title", {})
    flags = parsed.values.setdefault("nonleading", {})
    cells = dict(parsed.table.rows)
    for row in sorted(set(grades) | set(titles) | set(flags)):
        found = _disagreement(parsed.table, cells[row], grades.get(row), titles.get(row), flags.get(row), scenario)
        if found:
            parsed.problems.append(Problem(str(parsed.table.sheet.path), f"row {row}, columns {found[0]}", found[1],
                                           found[2]))
            parsed.bad.add(row)
        placed = [p for p in (titles.get(row), grades.get(row)) if p is not None]
        track = next((p.nonleading for p in placed if p.nonleading is not None), flags.get(row))
        if track is not None:
            flags[row] = track
        if row in grades:
            grades[row] = grades[row].level


def _disagreement(table: Table, cells: list[object], grade: Placement | None, title: Placement | None,
                  flag: bool | None, scenario: Scenario) -> tuple[str, str, str] | None:
    """The columns that disagree in a row, why, and their values; or None."""
    def named(field: str) -> tuple[str, str]:
        return table.columns[field][0], str(cell_text(table.cell(cells, field)))
    if grade and title and title.level is not None and grade.level != title.level:
        (g, gv), (t, tv) = named("grade"), named("title")
        return (f"{g} and {t}", f"{t} {tv} is held at {_level(scenario, title.level)} but {g} gives "
                f"{_level(scenario, grade.level)}: make them agree", f"{tv} / {gv}")
    if grade and title and grade.nonleading and title.nonleading is False:
        (g, gv), (t, tv) = named("grade"), named("title")
        return f"{g} and {t}", f"{g} names a non-leading rank but {t} a leading post: make them agree", f"{gv} / {tv}"
    said, field = (title.nonleading, "title") if title else (grade.nonleading if grade else None, "grade")
    if said is not None and flag is not None and said != flag:
        (c, cv), (f, fv) = named(field), named("nonleading")
        what = "a non-leading rank" if said else "a leading post or none"
        return f"{c} and {f}", f"{f} says {fv} but {c} names {what}: make them agree", f"{cv} / {fv}"
    return None


def _level(scenario: Scenario, key: str) -> str:
    zh = scenario.grades[key].name_zh if key in scenario.grades else ""
    return f"{zh} ({key})" if zh else key
