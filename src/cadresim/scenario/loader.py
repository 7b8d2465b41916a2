"""Read scenario files: safe YAML, ``extends`` with deep merge, ``--set`` overrides, validation.

Merge rules: mappings merge key by key, lists and scalars are replaced whole,
and ``null`` for an entry of a keyed mapping (a grade, a unit type, a cohort)
drops the inherited entry. Package defaults sit under everything; when a
scenario defines its own ladder, default entries for grades it lacks are left
out rather than reported.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cadresim import limits
from cadresim.errors import InputError, Problem
from cadresim.files import kind_problem, read_bounded
from cadresim.scenario import checks
from cadresim.scenario.schema import DEFAULT_LADDER, Scenario
from cadresim.scenario.yaml_guard import safe_load, yaml_hint

SET = "--set"
#: top-level keys that change no simulated number: left out of the hash and of scenario diffs
NOT_SIMULATED = ("name", "description", "title", "extends", "report")
KEYED_MAPPINGS = ("grades", "district.units", "youth_talent.cohorts", "recruitment.lateral")
#: keys holding file paths: resolved against the scenario file that set them
PATH_KEYS = ("district.roster_file", "district.units_file")


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the YAML file.
        overrides: ``"dotted.key=value"`` strings, values parsed as YAML.

    Raises:
        InputError: listing every problem found, each with file, key, value and what is allowed.
    """
    path = Path(path)
    origins: dict[str, str] = {}
    data = _read_chain(path, [], origins)
    data.pop("extends", None)
    data.setdefault("name", path.stem)
    apply_overrides(data, overrides or [], origins)
    resolve_paths(data, origins)
    return validate(data, origins, str(path))


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate an in-memory scenario mapping (defaults fill what it leaves out)."""
    data = copy.deepcopy(data)
    origins = {key: source for key in _leaf_paths(data)}
    return validate(data, origins, source)


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted-key overrides applied and re-validated."""
    data = scenario.model_dump(mode="json")
    origins: dict[str, str] = {}
    for key, value in overrides.items():
        _set_dotted(data, key, value)
        origins[key] = SET
    return validate(data, origins, SET, with_defaults=False)  # complete already: keep dropped entries dropped


def validate(data: dict[str, Any], origins: dict[str, str], top: str, with_defaults: bool = True) -> Scenario:
    """Merge ``data`` over the defaults (unless it is a complete dump), then check types and meaning."""
    merged = deep_merge(_defaults_for(data), data) if with_defaults else data
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        errors = exc.errors()
        shown = _merge_alternatives([_problem(err, origins, top) for err in errors[:limits.MAX_PROBLEMS]])
        raise InputError(shown + _more(len(errors), top)) from None
    problems = [Problem(_origin(p.path, origins, top), p.path, p.message, p.value)
                for p in [*checks.check(scenario), *_district_files(scenario)]]
    if problems:
        raise InputError(problems[:limits.MAX_PROBLEMS] + _more(len(problems), top))
    return scenario


def _more(found: int, top: str) -> list[Problem]:
    """One problem counting those beyond ``limits.MAX_PROBLEMS`` (none when all are shown)."""
    hidden = found - limits.MAX_PROBLEMS
    return [Problem(top, "", f"and {hidden:,} more problem(s) not shown: fix these first")] if hidden > 0 else []


def scenario_hash(scenario: Scenario) -> str:
    """A hash of everything that changes simulated numbers (not name, description, title, extends or report).

    Roster and units files count by their content, not their path: the same files moved elsewhere
    give the same hash, a file edited in place gives another.
    """
    data = scenario.model_dump(mode="json", exclude=set(NOT_SIMULATED))
    district = data.get("district", {})
    for key in ("roster_file", "units_file"):
        if district.get(key) is not None:
            district[key] = _file_digest(Path(district[key]))
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (read in blocks)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    if kind_problem(Path(path)) is not None:  # not a readable file: loading the roster will say so
        return "path:" + str(path)
    try:
        return "sha256:" + file_sha256(path)
    except OSError:  # unreadable: loading the roster will say so; until then, the path stands for it
        return "path:" + str(path)


def to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML (every default written out)."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- reading files -------------------------------------------------------------------------------


def _read_chain(path: Path, stack: list[Path], origins: dict[str, str]) -> dict[str, Any]:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a link loop: reading the file says so
        resolved = Path(os.path.abspath(path))
    if resolved in stack:
        cycle = " -> ".join(str(p) for p in [*stack, resolved])
        raise InputError([Problem(str(stack[-1]), "extends", f"extends cycle: {cycle}", str(path))])
    if len(stack) >= limits.MAX_EXTENDS:
        raise InputError([Problem(str(stack[-1]), "extends", f"more than {limits.MAX_EXTENDS} scenario files in one "
                                  "extends chain (a documented limit, see docs/limits.md)", str(path))])
    data = _read_yaml(path, stack)
    parent = data.get("extends")
    if parent is None:
        base: dict[str, Any] = {}
    elif not isinstance(parent, str):
        raise InputError([Problem(str(path), "extends", "must be a file name (a string)", parent)])
    else:
        base = _read_chain(path.parent / parent, [*stack, resolved], origins)
        base.pop("name", None)
        base.pop("title", None)
    for key in _leaf_paths(data):
        origins[key] = str(path)
    return deep_merge(base, data, keep_nulls=True)


def _read_yaml(path: Path, stack: list[Path]) -> dict[str, Any]:
    source = str(stack[-1]) if stack else str(path)
    problem = kind_problem(path)
    if problem == "no such file":
        what = "extends names a file that does not exist" if stack else "no such scenario file"
        raise InputError([Problem(source, "extends" if stack else "", what, str(path))])
    if problem is not None:
        raise InputError([Problem(source, "extends" if stack else "", problem, str(path))])
    raw = read_bounded(path, limits.MAX_YAML_BYTES, what="scenario file")
    try:
        data = safe_load(raw.decode("utf-8"), str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError([Problem(str(path), where, f"not valid YAML: {yaml_hint(exc)}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), "", "not a UTF-8 text file")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "", "a scenario must be a mapping of keys to values",
                                  type(data).__name__)])
    return data


def resolve_paths(data: dict[str, Any], origins: dict[str, str]) -> None:
    """Make the file paths of ``PATH_KEYS`` absolute, in place: relative to the folder of the scenario
    file that set them (``--set`` values: relative to the working folder)."""
    for key in PATH_KEYS:
        head, _, leaf = key.rpartition(".")
        node = data.get(head)
        if not isinstance(node, dict) or not isinstance(node.get(leaf), str):
            continue
        origin = origins.get(key, SET)
        base = Path(origin).parent if origin != SET else Path.cwd()
        node[leaf] = os.path.abspath(base / node[leaf])  # links not followed: messages name the path given


def _district_files(scenario: Scenario) -> list[Problem]:
    """A roster file and a units file go together."""
    d = scenario.district
    if (d.roster_file is None) == (d.units_file is None):
        return []
    given, missing = ("roster_file", "units_file") if d.units_file is None else ("units_file", "roster_file")
    return [Problem("", f"district.{missing}", f"district.{given} is set: give district.{missing} too (a "
                    "roster needs its units and their posts), or neither for the synthetic district")]


# --- merging -------------------------------------------------------------------------------------


def deep_merge(base: dict[str, Any], top: dict[str, Any], path: str = "",
               keep_nulls: bool = False) -> dict[str, Any]:
    """Merge ``top`` over ``base``: mappings key by key, everything else replaced.

    A ``None`` entry inside a keyed mapping (see ``KEYED_MAPPINGS``) removes the key; with
    ``keep_nulls`` it is kept as ``None`` so that a later merge over the defaults removes it too.
    """
    out = copy.deepcopy(base)
    for key, value in top.items():
        here = f"{path}.{key}" if path else str(key)
        if value is None and path in KEYED_MAPPINGS:
            if keep_nulls:
                out[key] = None
            else:
                out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value, here, keep_nulls)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _defaults_for(data: dict[str, Any]) -> dict[str, Any]:
    """Package defaults, without grade-keyed entries for grades the scenario's ladder lacks."""
    defaults = Scenario().model_dump(mode="json", exclude={"extends"})
    ladder = data.get("ladder", DEFAULT_LADDER)
    if not isinstance(ladder, list) or ladder == DEFAULT_LADDER:
        return defaults
    keep = set(map(str, ladder))
    defaults["grades"] = {k: v for k, v in defaults["grades"].items() if k in keep}
    for unit in defaults["district"]["units"].values():
        unit["posts"] = {k: v for k, v in unit["posts"].items() if k in keep}
    roles = defaults["roles"]
    for role, value in roles.items():
        roles[role] = [g for g in value if g in keep] if isinstance(value, list) else (
            value if value in keep else None)
    defaults["recruitment"]["lateral"] = {}
    defaults["youth_talent"]["cohorts"] = {}
    return defaults


def apply_overrides(data: dict[str, Any], overrides: list[str], origins: dict[str, str]) -> None:
    """Apply ``key.path=value`` strings in place (values parsed as YAML)."""
    problems = []
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            problems.append(Problem(SET, item, "expected dotted.key=value, e.g. rotation.cross_unit_rate=0.15"))
            continue
        if key.count(".") >= limits.MAX_YAML_DEPTH:
            problems.append(Problem(SET, key[:80] + "...", f"a key more than {limits.MAX_YAML_DEPTH} levels deep "
                                    "(a documented limit, see docs/limits.md)"))
            continue
        try:
            value = safe_load(text, f"{SET} {key.strip()}") if text.strip() else ""
        except yaml.YAMLError:
            value = text
        except InputError as exc:
            problems += exc.problems
            continue
        _set_dotted(data, key.strip(), value)
        origins[key.strip()] = SET
    if problems:
        raise InputError(problems)


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _leaf_paths(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict) and data:
        return [p for k, v in data.items() for p in _leaf_paths(v, f"{prefix}.{k}" if prefix else str(k))]
    return [prefix] if prefix else []


# --- messages ------------------------------------------------------------------------------------


def _merge_alternatives(problems: list[Problem]) -> list[Problem]:
    """One problem per key: a value that fits none of a key's accepted forms lists them joined by 'or'."""
    merged: dict[tuple[str, str], Problem] = {}
    for p in problems:
        key = (p.source, p.path.split("[")[0])
        if key in merged:
            first = merged[key]
            merged[key] = Problem(first.source, key[1], f"{first.message}, or {p.message}", first.value)
        else:
            merged[key] = p
    return list(merged.values())


def _origin(path: str, origins: dict[str, str], top: str) -> str:
    best, best_len = top, -1
    for key, source in origins.items():
        inside = path == key or path.startswith((key + ".", key + "["))
        if (inside or key.startswith(path + ".")) and len(key) > best_len:
            if inside:
                best, best_len = source, len(key)
            elif best_len < 0:
                best = source
    return best


def _problem(err: dict[str, Any], origins: dict[str, str], top: str) -> Problem:
    parts = [p for p in err["loc"] if isinstance(p, int) or not _is_union_tag(str(p))]
    loc = [str(p) for p in parts]
    dotted = ".".join(loc)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" if i else str(p) for i, p in enumerate(parts))
    value = err.get("input")
    if err["type"] == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        near = difflib.get_close_matches(loc[-1], allowed, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        message = f"unknown key; {hint}allowed here: {', '.join(sorted(allowed))}"
        value = None
    else:
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch":
            message = "expected a year-month like 2014-03"
        message = _bound_message(err, message)
        ctx = err.get("ctx") or {}
        if "expected" in ctx and "literal" in err["type"]:
            message = f"must be one of {ctx['expected']}"
        if isinstance(value, dict) or (err["type"] == "value_error" and repr(value) in message):
            value = None
    return Problem(_origin(dotted, origins, top), path, message, value)


#: upper bounds of the schema that are documented limits (see docs/limits.md)
_LIMITS = {limits.MAX_CADRES, limits.MAX_UNITS, limits.MAX_POSTS_PER_UNIT, limits.MAX_YEARS,
           12 * limits.MAX_HORIZON_YEARS}


def _bound_message(err: dict[str, Any], message: str) -> str:
    """A bound in plain words, pointing to docs/limits.md when it is a documented limit."""
    ctx = err.get("ctx") or {}
    if err["type"] == "less_than_equal" and "le" in ctx:
        note = " (a documented limit, see docs/limits.md)" if ctx["le"] in _LIMITS else ""
        return f"must be at most {ctx['le']:,}{note}"
    if err["type"] == "finite_number":
        return "must be a finite number (not .inf or .nan)"
    return message


def _is_union_tag(part: str) -> bool:
    """Whether a location part names a union branch or validator (``int``, ``literal['gaps']``), not a key."""
    return (part in ("int", "float", "str", "bool", "none", "[key]")
            or part.startswith(("constrained-", "function-", "lax-", "strict-"))
            or ("[" in part and part.endswith("]")))


def _fields_at(loc: list[str]) -> list[str]:
    """Valid keys of the model found at ``loc`` in the scenario (dict entries skip a level)."""
    model: type[BaseModel] | None = Scenario
    i = 0
    while model is not None and i < len(loc):
        field = model.model_fields.get(loc[i])
        if field is None:
            return []
        model, skips_key = _inner_model(field.annotation)
        i += 2 if skips_key else 1
    return list(model.model_fields) if model is not None else []


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    origin = getattr(annotation, "__origin__", None)
    args = getattr(annotation, "__args__", ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin is dict and len(args) == 2 and isinstance(args[1], type) and issubclass(args[1], BaseModel):
        return args[1], True
    return None, False
