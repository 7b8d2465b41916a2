"""Sweep designs (pure): the points of a parameter sweep, each a ``{dotted key: value}`` mapping.

:func:`full_grid` takes every combination of the values given (``--grid``), :func:`latin_hypercube`
spreads points over ranges (``--range``); :func:`parse_grid` and :func:`parse_ranges` read the
command line's items. The keys are the scenario format's own dotted keys, as ``--set`` takes them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml

from cadresim.errors import InputError, Problem
from cadresim.scenario.schema import Scenario

GRID_EXAMPLE = "rotation.cross_unit_rate=0.05,0.1,0.2"
RANGE_EXAMPLE = "rotation.cross_unit_rate=0.05,0.2"


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes:
        kind: ``"grid"`` (full factorial) or ``"lhs"`` (Latin hypercube).
        keys: the swept dotted keys, in the order given.
        points: one ``{key: value}`` mapping per point; the point's index is its ``run_id``.
        spec: what produced the points (the grid's values, or the ranges, samples and seed).
    """

    kind: str
    keys: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def flag(self) -> str:
        """The command-line option that sets these keys (used in messages)."""
        return "--grid" if self.kind == "grid" else "--range"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (the design file of a sweep folder)."""
        return {"kind": self.kind, "keys": list(self.keys), "spec": self.spec, "points": list(self.points)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Design:
        return cls(data["kind"], tuple(data["keys"]), tuple(data["points"]), dict(data["spec"]))


def full_grid(grid: Mapping[str, Sequence[Any]]) -> Design:
    """Every combination of the values, the first key varying slowest.

    Args:
        grid: dotted key -> the values to try (scalars: numbers, strings, booleans, None).

    Raises:
        InputError: an empty grid, a key without values, or a value that is not a scalar.
    """
    if not grid:
        raise InputError([Problem("--grid", "", f"give at least one key and its values, e.g. {GRID_EXAMPLE}")])
    values = {key: [_scalar(v, "--grid", key) for v in _values(vals, key)] for key, vals in grid.items()}
    keys = tuple(values)
    points = tuple(dict(zip(keys, combo)) for combo in itertools.product(*values.values()))
    return Design("grid", keys, points, {"grid": values})


def latin_hypercube(ranges: Mapping[str, tuple[float, float]], samples: int, seed: int = 0,
                    base: Scenario | None = None) -> Design:
    """``samples`` points spread over the ranges by a Latin hypercube (scipy.stats.qmc).

    A key is integer-valued when its value in ``base`` is an integer (or, absent there, when both
    bounds are integers): it is drawn evenly over ``low..high`` inclusive (the floor of a stratified
    draw over ``[low, high + 1)``). Other keys are drawn over ``[low, high)``.

    Raises:
        InputError: no ranges, a bound that is not a number, ``low >= high``, or ``samples < 1``.
    """
    problems = [Problem(f"--range {k}", "", f"expected low < high, e.g. {RANGE_EXAMPLE}", list(r))
                for k, r in ranges.items() if not _is_range(r)]
    if not ranges:
        problems.append(Problem("--range", "", f"give at least one range, e.g. {RANGE_EXAMPLE}"))
    if samples < 1:
        problems.append(Problem("--samples", "", "must be at least 1", samples))
    if problems:
        raise InputError(problems)
    keys = tuple(ranges)
    integer = [_is_integer(base, k, ranges[k]) for k in keys]
    u = _lhs_sampler(len(keys), seed).random(samples)
    points = tuple({k: _scale(float(u[i, j]), *ranges[k], integer[j]) for j, k in enumerate(keys)}
                   for i in range(samples))
    spec = {"ranges": {k: [_scalar(v, "--range", k) for v in ranges[k]] for k in keys}, "samples": samples,
            "seed": seed, "integer": [k for k, i in zip(keys, integer) if i]}
    return Design("lhs", keys, points, spec)


def parse_grid(items: Iterable[str]) -> dict[str, list[Any]]:
    """``KEY=v1,v2,...`` strings (``--grid``) as a grid; each value is read as a YAML scalar (0.1: a
    float, 40: an integer, true: a boolean, null: none).

    Raises:
        InputError: naming ``--grid KEY`` for each malformed item.
    """
    grid: dict[str, list[Any]] = {}
    problems = []
    for item in items:
        key, values, problem = _split_item(item, "--grid", GRID_EXAMPLE, grid)
        if problem is None:
            parsed = [_yaml_value(v, "--grid", key) for v in values]
            problem = next((p for p in parsed if isinstance(p, Problem)), None)
            grid[key] = parsed
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return grid


def parse_ranges(items: Iterable[str]) -> dict[str, tuple[float, float]]:
    """``KEY=low,high`` strings (``--range``) as ranges.

    Raises:
        InputError: naming ``--range KEY`` for each malformed item.
    """
    ranges: dict[str, tuple[float, float]] = {}
    problems = []
    for item in items:
        key, values, problem = _split_item(item, "--range", RANGE_EXAMPLE, ranges)
        if problem is None:
            bounds = [_yaml_value(v, "--range", key) for v in values]
            if len(bounds) != 2 or not _is_range(bounds):
                problem = Problem(f"--range {key}", "", f"expected two numbers low < high, e.g. {RANGE_EXAMPLE}",
                                  ",".join(values))
            else:
                ranges[key] = (bounds[0], bounds[1])
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return ranges


def _split_item(item: str, flag: str, example: str, seen: Mapping[str, Any]) -> tuple[str, list[str], Problem | None]:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key or not text.strip():
        return key, [], Problem(flag, "", f"expected KEY=v1,v2,..., e.g. {example}", item)
    if key in seen:
        return key, [], Problem(f"{flag} {key}", "", "this key is given twice; list all its values once")
    return key, [v.strip() for v in text.split(",")], None


def _yaml_value(text: str, flag: str, key: str) -> Any:
    """A YAML scalar, or a Problem."""
    if not text:
        return Problem(f"{flag} {key}", "", "an empty value (write null for none)")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    if isinstance(value, (dict, list)):
        return Problem(f"{flag} {key}", "", "each value must be a number, a word, true/false or null", text)
    return value if not hasattr(value, "isoformat") else text  # a YAML date stays as written


def _values(values: Any, key: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError([Problem(f"--grid {key}", "", "expected a list of values", values)])
    values = list(values)
    if not values:
        raise InputError([Problem(f"--grid {key}", "", "give at least one value")])
    return values


def _scalar(value: Any, flag: str, key: str) -> Any:
    """A plain Python scalar (numpy scalars unwrapped), or an InputError."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InputError([Problem(f"{flag} {key}", "", "each value must be a number, a string, a boolean or None",
                              value)])


def _is_range(bounds: Sequence[Any]) -> bool:
    if len(bounds) != 2:
        return False
    low, high = (b.item() if isinstance(b, np.generic) else b for b in bounds)
    numbers = all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in (low, high))
    return numbers and low < high


def _is_integer(base: Scenario | None, key: str, bounds: tuple[float, float]) -> bool:
    current = _lookup(base.model_dump(mode="json"), key) if base is not None else None
    if isinstance(current, (bool, float)) or (current is not None and not isinstance(current, int)):
        return False
    return current is not None or all(isinstance(b, (int, np.integer)) for b in bounds)


def _lookup(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _scale(u: float, low: float, high: float, integer: bool) -> int | float:
    if integer:
        return int(min(math.floor(low + u * (high - low + 1)), high))
    return float(low + u * (high - low))


def _lhs_sampler(d: int, seed: int):
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    try:
        return qmc.LatinHypercube(d=d, rng=rng)
    except TypeError:  # scipy < 1.15 calls it seed
        return qmc.LatinHypercube(d=d, seed=rng)
