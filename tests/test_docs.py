"""The generated documentation: committed pages are fresh, complete, and every field has a source mark."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from cadresim.scenario import docs as docgen
from cadresim.scenario.loader import KEYED_MAPPINGS
from cadresim.scenario.schema import ASSUMPTION, MODEL, RULE, SEED, Scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MARKS = {RULE, SEED, ASSUMPTION, MODEL}


def _gen_docs_script():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _models(model: type[BaseModel] = Scenario, found: dict | None = None) -> dict[str, type[BaseModel]]:
    """Every pydantic model reachable from ``model`` (walked from the classes, not the schema)."""
    found = {} if found is None else found
    found[model.__name__] = model
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            arg = stack.pop()
            stack += typing.get_args(arg)
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg.__name__ not in found:
                _models(arg, found)
    return found


def _generic_leaves(data: Any, model: type[BaseModel] | None, prefix: str = "") -> set[str]:
    """Leaf paths of a dump with the keys of dict fields replaced by ``<...>`` (lists are leaves)."""
    if not isinstance(data, dict) or not data:
        return {prefix}
    out: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if model is None:  # a key of a dict field
            out |= _generic_leaves(value, None, f"{prefix}.<>")
            continue
        inner = _dict_value_model(model.model_fields[key].annotation)
        if inner is not False:
            out |= {p for k, v in value.items() for p in _entry_leaves(v, inner, f"{path}.<>")}
        else:
            out |= _generic_leaves(value, _model_of(model.model_fields[key].annotation), path)
    return out


def _entry_leaves(value: Any, inner: type[BaseModel] | None, prefix: str) -> set[str]:
    return _generic_leaves(value, inner, prefix) if inner is not None else {prefix}


def _dict_value_model(annotation: Any) -> type[BaseModel] | None | bool:
    """For ``dict[str, X]``: X when X is a model, None otherwise; False when not a dict."""
    if typing.get_origin(annotation) is not dict:
        return False
    return _model_of(typing.get_args(annotation)[1])


def _model_of(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _reference_keys(text: str) -> set[str]:
    """Keys in the reference's first column, placeholders normalized to ``<>``."""
    keys = re.findall(r"^\| `([^`]+)` \|", text, flags=re.M)
    return {re.sub(r"<[a-z_]+>", "<>", k) for k in keys}


# --- freshness -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, make", [("scenario-reference.md", docgen.reference_markdown),
                                        ("assumptions.md", docgen.assumptions_markdown)])
def test_committed_docs_are_fresh(name, make):
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == make(), f"docs/{name} is stale: run python scripts/gen_docs.py"


@pytest.mark.slow
def test_generation_does_not_depend_on_hash_order():
    """Another PYTHONHASHSEED (set and dict order of strings) regenerates the committed pages exactly."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_check_flag_detects_stale_pages(tmp_path):
    script = _gen_docs_script()
    assert script.main(["--check"]) == 0
    assert script.main(["--check"], docs=tmp_path) == 1  # no pages yet
    assert script.main([], docs=tmp_path) == 0
    assert script.main(["--check"], docs=tmp_path) == 0
    (tmp_path / "assumptions.md").write_text("old text\n", encoding="utf-8")
    assert script.stale(tmp_path) == [tmp_path / "assumptions.md"]
    assert script.main(["--check"], docs=tmp_path) == 1


def test_reference_changes_when_the_schema_changes(monkeypatch):
    before = docgen.reference_markdown()
    schema = Scenario.model_json_schema()
    schema["$defs"]["Rotation"]["properties"]["month"]["description"] = "changed meaning [assumption]"
    monkeypatch.setattr(Scenario, "model_json_schema", classmethod(lambda cls, *a, **k: schema))
    after = docgen.reference_markdown()
    assert after != before
    assert "changed meaning" in after


# --- completeness --------------------------------------------------------------------------------


def test_every_leaf_key_of_the_default_scenario_is_in_the_reference():
    leaves = _generic_leaves(Scenario().model_dump(mode="json"), Scenario)
    missing = leaves - _reference_keys(docgen.reference_markdown())
    assert not missing
    assert {"grades.<>.age_ceiling", "district.units.<>.posts.<>", "youth_talent.cohorts.<>.size"} <= leaves


def test_reference_has_a_section_per_model_and_keyed_mapping():
    text = docgen.reference_markdown()
    for key in ("grades.<grade>", "district.units.<type>", "youth_talent.cohorts.<name>",
                "recruitment.lateral.<source>", "rotation", "selection.score"):
        assert f"## `{key}`" in text
    for path in KEYED_MAPPINGS:
        assert f"`{path}`" in text


def test_reference_shows_per_grade_defaults():
    text = docgen.reference_markdown()
    grade_rows = dict(re.findall(r"^\| `(age_ceiling)` \| (.+) \|$", text, flags=re.M))
    assert grade_rows["age_ceiling"].split(" | ") == ["`null`", "`35`", "`40`", "`45`", "`50`", "`55`"]
    assert "| `posts.staff` | `16` | `45` | — |" in text


def test_reference_explains_merging():
    intro = docgen.reference_markdown().split("## Top level")[0]
    for words in ("extends", "merge key by key", "replaced whole", "`null`", "--set dotted.key=value"):
        assert words in intro


def test_every_row_has_a_source_mark():
    rows = [r for t in docgen.tables() for r in t.rows]
    assert rows and all(r.source in MARKS for r in rows)


# --- source marks --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(_models().values()), ids=lambda m: m.__name__)
def test_every_field_has_a_source_mark(model):
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra or {}
        assert extra.get("source") in MARKS, f"{model.__name__}.{name} has no source"
        assert (info.description or "").endswith(f"[{extra['source']}]"), f"{model.__name__}.{name}"


def test_every_schema_property_has_a_source_mark():
    schema = docgen.json_schema()
    nodes = [schema, *schema["$defs"].values()]
    props = [(n.get("title"), k, p) for n in nodes for k, p in n.get("properties", {}).items()]
    assert len(props) > 50
    assert all(p.get("source") in MARKS for _, _, p in props), [k for _, k, p in props if "source" not in p]


# --- the assumptions page ------------------------------------------------------------------------


def test_assumptions_page_lists_every_leaf_once_under_its_mark():
    items = docgen.items()
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys))
    rows = {r.key: r.source for t in docgen.tables() for r in t.rows if not r.mapping}
    assert {i.key: i.source for i in items} == rows
    text = docgen.assumptions_markdown()
    sections = re.split(r"^## ", text, flags=re.M)
    for item in items:
        section = next(s for s in sections if s.startswith(f"[{item.source}]"))
        assert f"| `{item.key}` |" in section


def test_every_rule_cites_its_text():
    rules = [i for i in docgen.items() if i.source == RULE]
    assert rules and all(i.citation for i in rules), [i.key for i in rules if not i.citation]


@pytest.mark.parametrize("key, words", [
    ("retirement.female", "组通字〔2015〕14号"),
    ("grades.division.years_in_grade_below", "Art. 8(3)"),
    ("grades.section.years_in_grade_below", "[assumption]"),
    ("probation.months", "Art. 42"),
    ("rotation.max_years_in_post", "Art. 54"),
    ("selection.exceptional.per_year", "Art. 9"),
    ("grades.<grade>.years_of_work", "Art. 8(1)"),
])
def test_citations(key, words):
    assert words in docgen.citation(key)


def test_rule_with_per_grade_sources_cites_each_grade():
    item = next(i for i in docgen.items() if i.key == "grades.<grade>.years_in_grade_below")
    assert "deputy_section, section: 科级 value" in item.citation
    assert "deputy_division, division, deputy_bureau: 条例 Art. 8(3)" in item.citation
    assert "deputy_section: `3`" in item.default and "staff: `null`" in item.default


def test_assumptions_page_lists_calibration_targets():
    text = docgen.assumptions_markdown()
    assert "## How the default district was grown and calibrated" in text
    assert "(`post80_division_level`) | accept | = 3 | 3 | 100% | yes | [seed] |" in text
    assert "| `history.waivers_per_year` |" in text and "district.merit_rho" in text


# --- the JSON schema -----------------------------------------------------------------------------


def test_json_schema_is_ready_for_editors():
    schema = docgen.json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    cohorts = schema["$defs"]["YouthTalent"]["properties"]["cohorts"]["additionalProperties"]
    assert {"type": "null"} in cohorts["anyOf"]  # a file may drop an inherited entry
