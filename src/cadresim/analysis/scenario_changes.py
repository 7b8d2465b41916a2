"""What the compared scenarios set: every setting a scenario changes from the baseline, and every
rule and assumption in force with its source (read from the runs' resolved scenarios)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd
import yaml

from cadresim.io.results_folder import RunFolder
from cadresim.scenario import docs as docgen
from cadresim.scenario.loader import NOT_SIMULATED
from cadresim.scenario.schema import ASSUMPTION, RULE, SEED

#: The sources listed under "Assumptions in force", in this order.
SOURCES = (RULE, SEED, ASSUMPTION)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: The value of a setting one side of a comparison does not have.
ABSENT = _Absent()


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
    rows: list[tuple[str, Any, Any]] = []
    _diff(_simulated(base), _simulated(other), "", rows)
    return rows


def _simulated(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in NOT_SIMULATED}


def _diff(a: Any, b: Any, key: str, rows: list[tuple[str, Any, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            _diff(a.get(k, ABSENT), b.get(k, ABSENT), f"{key}.{k}" if key else str(k), rows)
    elif a != b:
        rows.append((key, a, b))


def differences_table(runs: list[RunFolder]) -> pd.DataFrame:
    """scenario, key, baseline, value: every setting a scenario changes from the baseline (``runs[0]``)."""
    rows = [(r.name, key, a, b) for r in runs[1:] for key, a, b in scenario_differences(runs[0].resolved, r.resolved)]
    return pd.DataFrame(rows, columns=["scenario", "key", "baseline", "value"])


def yaml_value(value: Any, absent: str = "(not set)") -> str:
    """A setting's value as written in a scenario file (flow-style YAML); ``absent`` for :data:`ABSENT`."""
    if value is ABSENT:
        return absent
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    return re.sub(r"\n(\.\.\.\n)?$", "", text).strip()


# --- assumptions in force ------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One rule or assumption in force: a generic key, its meaning and source, values per scenario."""

    key: str
    meaning: str
    source: str
    citation: str
    values: dict[str, str]  # scenario -> value text (entries joined)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # scenario -> entry -> value, as read

    @property
    def differs(self) -> bool:
        return len(set(self.values.values())) > 1


def assumptions_in_force(resolved: Mapping[str, Mapping[str, Any]]) -> list[Setting]:
    """The [rule], [seed] and [assumption] settings of the resolved scenarios, with values in force.

    Args:
        resolved: scenario name -> resolved scenario (as in scenario.resolved.yaml), baseline first.

    Returns:
        One :class:`Setting` per generic key (``grades.<grade>.age_ceiling``), in schema order; a
        key of a keyed mapping lists its entries (``section: 40; deputy_division: 45``).
    """
    rows = _schema_rows()
    grouped = _by_generic_key(resolved, rows)
    out = []
    for key, by_name in grouped.items():
        if by_name and rows[key].source in SOURCES:
            values = {name: _entries_text(by_name.get(name, {})) for name in resolved}
            entries = {name: dict(by_name.get(name, {})) for name in resolved}
            out.append(Setting(key, rows[key].meaning, rows[key].source, docgen.citation(key), values, entries))
    return out


def _by_generic_key(resolved: Mapping[str, Mapping[str, Any]],
                    rows: Mapping[str, docgen.Row]) -> dict[str, dict[str, dict[str, Any]]]:
    """generic key -> scenario name -> entry name -> value, for every simulated leaf of every scenario."""
    flat = {name: flatten({k: v for k, v in r.items() if k not in NOT_SIMULATED}) for name, r in resolved.items()}
    grouped: dict[str, dict[str, dict[str, Any]]] = {key: {} for key in rows}
    for name, leaves in flat.items():
        for key, value in leaves.items():
            match = _generic(key, rows)
            if match is not None:
                generic, entry = match
                grouped[generic].setdefault(name, {})[entry] = value
    return grouped


def _schema_rows() -> dict[str, docgen.Row]:
    return {row.key: row for table in docgen.tables() for row in table.rows if not row.mapping}


def _generic(key: str, rows: Mapping[str, docgen.Row]) -> tuple[str, str] | None:
    """(generic key, entry name) of a concrete dotted key: grades.section.x -> (grades.<grade>.x, section)."""
    parts = key.split(".")
    best = None
    for generic in rows:
        pattern = generic.split(".")
        if len(pattern) == len(parts) and all(p == k or p.startswith("<") for p, k in zip(pattern, parts)):
            holes = [k for p, k in zip(pattern, parts) if p.startswith("<")]
            if best is None or len(holes) < len(best[1]):
                best = (generic, holes)
    return None if best is None else (best[0], ".".join(best[1]))


def _entries_text(entries: Mapping[str, Any]) -> str:
    if list(entries) == [""]:
        return yaml_value(entries[""])
    return "; ".join(f"{entry}: {yaml_value(v)}" for entry, v in entries.items())
