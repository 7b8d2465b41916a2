"""Documentation generated from the scenario schema: the key reference and the assumptions page.

Everything here is derived from :class:`cadresim.scenario.schema.Scenario` (its JSON
schema for keys, types, meanings and source marks; its default instance for
default values), so the pages cannot drift from the code: ``scripts/gen_docs.py``
writes them and ``tests/test_docs.py`` fails when the committed copies are stale.
The only hand-kept content is the text cited for written rules
(:data:`CITATIONS`) and the calibration targets of the default district
(:data:`CALIBRATION_TARGETS`), both described in docs/model.md.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from cadresim.scenario.fit_docs import fit_section
from cadresim.scenario.loader import KEYED_MAPPINGS
from cadresim.scenario.schema import ASSUMPTION, MODEL, RULE, SEED, Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SOURCE_ORDER = (RULE, SEED, ASSUMPTION, MODEL)

#: Placeholder shown for the keys of each keyed mapping, by its generic dotted path.
ENTRY_NAMES = {
    "grades": "grade",
    "district.units": "type",
    "district.units.<type>.posts": "grade",
    "youth_talent.cohorts": "name",
    "recruitment.lateral": "source",
}

#: What each source mark means (as docs/model.md states them).
SOURCE_MEANINGS = {
    RULE: "a written rule: the 2014 《党政领导干部选拔任用工作条例》 (\"the 条例\") or another cited text",
    SEED: "stated in the February 2014 speech to the district's organization work conference",
    ASSUMPTION: "a planning value with no public source; change it to test how much the results depend on it",
    MODEL: "a modelling choice of cadresim (how the simulation is set up, not a claim about the district)",
}

#: The text cited for rules (and the speech passages behind seed values), by dotted key prefix.
#: ``<...>`` segments match any entry; a named entry (``grades.section...``) beats a placeholder.
CITATIONS = {
    "retirement": "组通字〔2015〕14号: men retire at 60, women at 55, women at division level and above at 60",
    "grades.<grade>.years_in_grade_below": "条例 Art. 8(3): years in the grade below for 处级 posts and up",
    "grades.deputy_section.years_in_grade_below": "科级 value: [assumption], no public source (docs/model.md, "
                                                  "\"Eligibility for promotion\")",
    "grades.section.years_in_grade_below": "科级 value: [assumption], no public source (docs/model.md, "
                                           "\"Eligibility for promotion\")",
    "grades.<grade>.years_of_work": "条例 Art. 8(1): at least 5 years of work for 副处 and up",
    "grades.<grade>.grassroots_years": "条例 Art. 8(1): at least 2 years of grassroots experience for 副处 and up; "
                                       "what counts as grassroots is `district.units.<type>.grassroots` [seed]",
    "grades.<grade>.posts_held_below": "speech: \"two section-chief posts\" (两个科长岗位); 条例 Art. 8(2) asks only "
                                       "two posts at the level below, so this is a lever value",
    "grades.<grade>.probation_in": "条例 Art. 42: one year of probation (试用期) in non-elected posts "
                                   "(科级 posts, bureau deputy posts)",
    "probation.months": "条例 Art. 42: one year of probation (试用期) in non-elected posts",
    "rotation.max_years_in_post": "条例 Art. 54: ten years in one post force a move (交流)",
    "reshuffle.rotate_after_years": "条例 Art. 54: ten years in one post force a move, applied at the reshuffle",
    "selection.exceptional": "条例 Art. 9: exceptional promotion (破格) may waive one rule other than the age "
                             "ceiling, never during probation or within a year of a promotion; off by default",
    "history.interim_rules_from": "党政领导干部选拔任用工作暂行条例 (February 1995): 5 years of work and 2 years of "
                                  "grassroots experience for 处级 posts",
    "history.regulations_from": "党政领导干部选拔任用工作条例 (July 2002): time in the grade below and, generally (一般), "
                                "two posts at the level below",
    "history.nonleading_from": "国家公务员暂行条例 (in force October 1993) created the non-leading ranks",
    "nonleading": "国家公务员非领导职务设置办法 (1993): 副主任科员, 主任科员, 副调研员, 调研员 beside the leading posts; the "
                  "minimum times and 职数 are [assumption]; the 2015 county-level 职务职级并行 scheme and the 2019 "
                  "ladder are not the default",
    "start": "speech of February 2014: the district's state when it was given",
    "reshuffle.dates": "speech: the district's leadership is re-formed at the end of 2016 (换届)",
    "district.units.<type>.grassroots": "speech: street/town posts are the grassroots front line; the 条例's own "
                                        "definition is broader (a lever)",
    "district.units.<type>.count": "docs/model.md, \"The default synthetic district\"",
    "district.units.<type>.posts": "docs/model.md, \"The default synthetic district\"",
}


@dataclass(frozen=True)
class Target:
    """A figure the default synthetic district must meet (docs/model.md, "The default synthetic district")."""

    figure: str
    target: str
    source: str


#: What the generated default roster must meet, for every one of 20 generator seeds (docs/model.md).
CALIBRATION_TARGETS = (
    Target("80后 at division level on 2014-03", "exactly 3", "[seed]"),
    Target("division-level cadres with ≥2 years grassroots experience", "90% to 95%", "[seed]"),
    Target("share of 正处 holders born in the 1970s", "10% to 20% (\"not high\")", "[seed]; value [assumption]"),
    Target("mean age at division level", "45 to 48", "[assumption]"),
    Target("80后 section-level cadres eligible for 副处", "1 to 8 (\"very few\")", "[seed]; value [assumption]"),
    Target("Youth Talent cohort 1", "40 members, mid-secondment", "[assumption]"),
    Target("dynamics over 2014-03 to 2016-11", "≥90% of division-level vacancies filled in ordinary rounds; "
           "promotions in the first 12 months ≤1.5× those in the next 12 (no start-up spike)", "[assumption]"),
)


@dataclass(frozen=True)
class Row:
    """One key of the reference."""

    key: str
    type: str
    default: Any
    meaning: str
    source: str
    mapping: bool = False


@dataclass(frozen=True)
class Table:
    """The keys of one section; ``entries`` holds the default scenario's entries of a keyed mapping."""

    key: str
    about: str
    rows: list[Row]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


_ABSENT = object()


# --- the schema ----------------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The scenario's JSON schema, for editors (e.g. the YAML language server).

    ``null`` is accepted for entries of keyed mappings, since a file may drop an inherited entry.
    """
    schema = Scenario.model_json_schema()
    for node in [schema, *schema.get("$defs", {}).values()]:
        for prop in node.get("properties", {}).values():
            _allow_null_entries(prop)
    head = {
        "$schema": SCHEMA_DIALECT,
        "title": "cadresim scenario",
        "description": "A cadresim scenario file. Every key is optional: what a file leaves out takes the default "
                       "(see docs/scenario-reference.md). Source marks: [rule], [seed], [assumption], [model].",
    }
    return {**head, **{k: v for k, v in schema.items() if k not in head}}


def _allow_null_entries(prop: dict[str, Any]) -> None:
    entry = prop.get("additionalProperties")
    if isinstance(entry, dict) and "$ref" in entry:
        prop["additionalProperties"] = {"anyOf": [entry, {"type": "null"}]}


def _resolve(schema: dict[str, Any], node: Any) -> dict[str, Any] | None:
    """The model schema ``node`` refers to, or None when it is not a model."""
    if not isinstance(node, dict):
        return None
    ref = node.get("$ref") or next((a["$ref"] for a in node.get("anyOf", []) if "$ref" in a), None)
    return schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else None


def _ref_name(node: dict[str, Any]) -> str:
    ref = node.get("$ref") or next(a["$ref"] for a in node["anyOf"] if "$ref" in a)
    return ref.rsplit("/", 1)[-1]


# --- walking the schema --------------------------------------------------------------------------


def tables() -> list[Table]:
    """Every section of the scenario, in field order, nested sections after their parent."""
    schema = json_schema()
    return _walk(schema, schema, "", Scenario().model_dump(mode="json"), {})


def _walk(schema: dict, node: dict, key: str, defaults: Any, entries: dict) -> list[Table]:
    rows: list[Row] = []
    subs: list[Table] = []
    for name, prop in node["properties"].items():
        path = f"{key}.{name}" if key else name
        value = defaults.get(name, _ABSENT) if isinstance(defaults, dict) else _ABSENT
        model = _resolve(schema, prop)
        entry = _resolve(schema, prop.get("additionalProperties"))
        if model is not None:
            subs += _walk(schema, model, path, value, {})
        elif entry is not None:
            sub = f"{path}.<{ENTRY_NAMES.get(path, 'key')}>"
            rows.append(_row(prop, path, value, f"mapping of `<{ENTRY_NAMES.get(path, 'key')}>` → `{sub}`"))
            fresh = _model_class(_ref_name(prop["additionalProperties"]))().model_dump(mode="json")
            subs += _walk(schema, entry, sub, fresh, value if isinstance(value, dict) else {})
        elif isinstance(prop.get("additionalProperties"), dict):
            inner = prop["additionalProperties"]
            rows.append(_row(prop, f"{path}.<{ENTRY_NAMES.get(path, 'key')}>", value or _ABSENT, _type(inner)))
        else:
            rows.append(_row(prop, path, value, _type(prop)))
    return [Table(key, node.get("description", ""), rows, entries), *subs]


def _row(prop: dict[str, Any], key: str, value: Any, type_text: str) -> Row:
    source = prop.get("source", "")
    meaning = prop.get("description", "").removesuffix(f" [{source}]")
    return Row(key, type_text, value, meaning, source, mapping=type_text.startswith("mapping"))


def _model_class(name: str, model: type[BaseModel] = Scenario) -> type[BaseModel]:
    """The pydantic class named ``name`` among the models reachable from ``model``."""
    found = _model_classes(model, {})
    return found[name]


def _model_classes(model: type[BaseModel], found: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    found[model.__name__] = model
    for info in model.model_fields.values():
        for arg in _flat_args(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg.__name__ not in found:
                _model_classes(arg, found)
    return found


def _flat_args(annotation: Any) -> list[Any]:
    return [annotation, *(a for arg in typing.get_args(annotation) for a in _flat_args(arg))]


# --- types and values ----------------------------------------------------------------------------


def _type(prop: dict[str, Any]) -> str:
    """A short reading of a property's JSON schema, e.g. ``number 0–1 or null``."""
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind in ("integer", "number"):
        return kind + _bounds(prop)
    if kind == "string":
        return "year-month `YYYY-MM`" if prop.get("pattern", "").startswith(r"^\d{4}-") else "string"
    if kind == "array":
        return _array_type(prop)
    if kind == "object":
        return f"mapping of key → {_type(prop.get('additionalProperties', {}))}"
    return {"boolean": "true or false", "null": "null"}.get(kind, "any")


def _bounds(prop: dict[str, Any]) -> str:
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if lo is not None and hi is not None:
        return f" {_fmt(lo)}–{_fmt(hi)}"
    if lo is not None:
        return f" ≥ {_fmt(lo)}"
    return f" ≤ {_fmt(hi)}" if hi is not None else ""


def _array_type(prop: dict[str, Any]) -> str:
    if "prefixItems" in prop:
        kinds = [_type(p) for p in prop["prefixItems"]]
        if len(kinds) == 2 and kinds[0] == kinds[1]:
            return f"pair [low, high] of {kinds[0]}"
        return "[" + ", ".join(kinds) + "]"
    text = f"list of {_type(prop.get('items', {}))}"
    return text + (f", at least {prop['minItems']}" if prop.get("minItems") else "")


def _fmt(value: Any) -> str:
    """A value as it would be written in a scenario file (flow-style YAML)."""
    if value is _ABSENT:
        return "none"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return '""' if value == "" else str(value)


def _cell(text: str) -> str:
    """Text for a table cell: pipes escaped, and ``<`` ``>`` outside code spans (else read as HTML)."""
    parts = text.replace("|", "\\|").replace("\n", " ").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def _code(value: Any) -> str:
    return f"`{_fmt(value)}`"


# --- entries of keyed mappings -------------------------------------------------------------------


def _entry_rows(table: Table) -> list[tuple[str, str, Row]]:
    """(relative key, generic key, row) per row of an entry table, ``posts.<grade>`` expanded per grade."""
    out = []
    for row in table.rows:
        rel = row.key.removeprefix(table.key + ".")
        if rel.endswith(">") and "." in rel:
            name = rel.split(".")[0]
            keys = dict.fromkeys(k for e in table.entries.values() for k in (e.get(name) or {}))
            out += [(f"{name}.{k}", row.key, row) for k in keys]
        else:
            out.append((rel, row.key, row))
    return out


def _entry_value(entry: dict[str, Any], rel: str) -> Any:
    node: Any = entry
    for part in rel.split("."):
        node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
    return node


def _entries_table(table: Table) -> list[str]:
    names = list(table.entries)
    lines = [f"| key | {' | '.join(f'`{n}`' for n in names)} |", "|---" * (len(names) + 1) + "|"]
    for rel, _, _ in _entry_rows(table):
        cells = [_code(v) if v is not _ABSENT else "—" for v in (_entry_value(e, rel) for e in table.entries.values())]
        lines.append(f"| `{rel}` | {' | '.join(cells)} |")
    return lines


# --- the reference -------------------------------------------------------------------------------


def reference_markdown() -> str:
    """The scenario-key reference: how files merge, then one table per section."""
    lines = _reference_intro()
    for table in tables():
        lines += ["", *_section(table)]
    return "\n".join(lines) + "\n"


def _reference_intro() -> list[str]:
    keyed = ", ".join(f"`{k}`" for k in KEYED_MAPPINGS)
    marks = [f"- **[{s}]** {SOURCE_MEANINGS[s]}." for s in SOURCE_ORDER]
    return [
        "# Scenario reference",
        "",
        "<!-- Generated by scripts/gen_docs.py from cadresim.scenario.schema; do not edit by hand. -->",
        "",
        "A scenario is a YAML file. Every key is optional: what a file leaves out takes the default shown here "
        "(the default scenario is the district of 2014 described in [docs/model.md](model.md), which also explains "
        "each process and metric). Keys are written as dotted paths; "
        "`<grade>`, `<type>`, `<name>` and `<source>` stand for the key of an entry of a keyed mapping.",
        "",
        "## How files combine",
        "",
        "- `extends: base.yaml` names a scenario this file modifies, relative to this file's folder; the base may "
        "itself extend another (a cycle is an error). The package defaults sit under everything.",
        "- Mappings merge key by key: a file sets only the keys it changes.",
        "- Lists and other values are replaced whole (a child's `reshuffle.dates` replaces the base's list).",
        f"- `null` for an entry of a keyed mapping ({keyed}) drops the inherited entry, e.g. "
        "`youth_talent: {cohorts: {c1: null}}`. A new entry takes the per-entry defaults of its table below.",
        "- `--set dotted.key=value` on the command line (or `load_scenario(path, overrides=[...])`) applies last; "
        "the value is read as YAML, e.g. `--set youth_talent.cohorts.c2.size=60 --set rotation.cross_unit_rate=0.15`.",
        "- `name` defaults to the file's stem (never inherited from the base).",
        "- A scenario with its own `ladder` needs no entries for the default grades: default entries for grades it "
        "lacks are left out.",
        "- Unknown keys are errors, reported with the nearest valid key, the file and the dotted path; YAML tags "
        "that build Python objects are refused.",
        "",
        "Editors: `python scripts/gen_docs.py --schema scenario.schema.json` writes the JSON schema; a first line "
        "`# yaml-language-server: $schema=scenario.schema.json` gives completion and checks in editors.",
        "",
        "Each key's source mark says where its default comes from (docs/assumptions.md lists them by kind):",
        "",
        *marks,
    ]


def _section(table: Table) -> list[str]:
    title = f"`{table.key}`" if table.key else "Top level"
    lines = [f"## {title}", "", _cell(table.about), ""] if table.about and table.key else [f"## {title}", ""]
    lines += ["| key | type | default | meaning | source |", "|---|---|---|---|---|"]
    for row in table.rows:
        default = _mapping_default(row) if row.mapping else _code(row.default) if row.default is not _ABSENT else "—"
        lines.append(f"| `{row.key}` | {_cell(row.type)} | {_cell(default)} | {_cell(row.meaning)} "
                     f"| [{row.source}] |")
    if table.entries:
        lines += ["", "Entries of the default scenario (`—`: not set):", "", *_entries_table(table)]
    return lines


def _mapping_default(row: Row) -> str:
    if not isinstance(row.default, dict) or not row.default:
        return "none"
    return "entries " + ", ".join(f"`{k}`" for k in row.default)


# --- the assumptions page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One rule or assumption: a leaf key, its default in the default scenario, and what it cites."""

    key: str
    meaning: str
    source: str
    default: str
    citation: str


def items() -> list[Item]:
    """Every leaf key of the scenario with its source, default and citation."""
    out = []
    for table in tables():
        for row in table.rows:
            if not row.mapping:
                out.append(_item(table, row))
    return out


def _item(table: Table, row: Row) -> Item:
    if not table.entries:
        return Item(row.key, row.meaning, row.source, _code(row.default), citation(row.key))
    rel = row.key.removeprefix(table.key + ".")
    head = table.key.rsplit(".", 1)[0]
    values = {name: _entry_value(entry, rel.split(".<")[0]) for name, entry in table.entries.items()}
    default = "; ".join(f"{name}: {_code(v) if v is not _ABSENT else '—'}" for name, v in values.items())
    by_cite: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is not None and value is not _ABSENT:
            by_cite.setdefault(citation(f"{head}.{name}.{rel}"), []).append(name)
    return Item(row.key, row.meaning, row.source, default, _join_citations(by_cite, citation(row.key)))


def _join_citations(by_cite: dict[str, list[str]], generic: str) -> str:
    cites = {c: names for c, names in by_cite.items() if c}
    if len(cites) <= 1:
        return next(iter(cites), generic)
    return "; ".join(f"{', '.join(names)}: {c}" for c, names in cites.items())


def citation(key: str) -> str:
    """The text cited for a dotted key (concrete or generic), by its most specific prefix in CITATIONS."""
    parts = key.split(".")
    best, best_rank = "", (-1, -1)
    for prefix, text in CITATIONS.items():
        pattern = prefix.split(".")
        if len(pattern) <= len(parts) and all(_segment_matches(p, k) for p, k in zip(pattern, parts)):
            rank = (len(pattern), sum(not p.startswith("<") for p in pattern))
            if rank > best_rank:
                best, best_rank = text, rank
    return best


def _segment_matches(pattern: str, key: str) -> bool:
    return pattern == key or pattern.startswith("<")


def assumptions_markdown() -> str:
    """Every rule and assumption by source kind, with defaults, citations and calibration targets."""
    grouped = {s: [i for i in items() if i.source == s] for s in SOURCE_ORDER}
    lines = _assumptions_intro(grouped)
    for source, group in grouped.items():
        lines += ["", *_group(source, group)]
    lines += ["", *fit_section(_cell)]
    return "\n".join(lines) + "\n"


def _assumptions_intro(grouped: dict[str, list[Item]]) -> list[str]:
    counts = ", ".join(f"{len(group)} [{s}]" for s, group in grouped.items())
    return [
        "# Rules and assumptions",
        "",
        "<!-- Generated by scripts/gen_docs.py from cadresim.scenario.schema; do not edit by hand. -->",
        "",
        "Every scenario key, grouped by where its default comes from, with its value in the default scenario "
        "(per entry where the key belongs to a grade, a unit type, a cohort or a lateral-hire source). "
        f"Counts: {counts}. Types and allowed values are in docs/scenario-reference.md.",
    ]


def _group(source: str, group: list[Item]) -> list[str]:
    cited = source in (RULE, SEED)
    head = "| key | meaning | default | cited text |" if cited else "| key | meaning | default |"
    lines = [f"## [{source}]", "", SOURCE_MEANINGS[source][0].upper() + SOURCE_MEANINGS[source][1:] + ".", "",
             head, "|---|---|---|" + ("---|" if cited else "")]
    for item in group:
        cells = [f"`{item.key}`", _cell(item.meaning), _cell(item.default)] + ([_cell(item.citation)] if cited else [])
        lines.append("| " + " | ".join(cells) + " |")
    return lines
