"""The package's layers: every import points down (or stays in its own package), and no module cycle.

This is the acceptance check for the layout (docs/architecture.md). Imports are read from the source with
``ast``, deferred ones (inside functions, under TYPE_CHECKING) included, so a cycle cannot hide behind them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "cadresim"

#: Bottom to top. A module may import from its own layer's packages' modules below it in this list, or from
#: its own package. Top-level modules sit in "ground" (errors, dates, stats, rng, limits ...).
LAYERS = ["ground", "scenario", "rules", "district", "io", "state", "measures", "processes", "engine", "report",
          "analysis", "output", "validation", "cli"]
#: Modules of the package root that are not ground: they wire the whole package together.
ROOT_WIRING = {"cadresim", "cadresim.__main__"}


def modules() -> dict[str, Path]:
    out = {}
    for f in SRC.rglob("*.py"):
        parts = ("cadresim",) + f.relative_to(SRC).with_suffix("").parts
        out[".".join(parts).removesuffix(".__init__")] = f
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` imports, anywhere in its source."""
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in known:
                n = n.rpartition(".")[0]
            if n and n != name and n != "cadresim":
                found.add(n)
    return found


def layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 2 and (SRC / f"{parts[1]}.py").exists():
        return "ground"
    return parts[1]


def test_every_package_has_a_layer():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"packages without a layer: {sorted(packages - set(LAYERS))}"


def test_imports_point_down():
    known = modules()
    upward = []
    for name, path in known.items():
        if name in ROOT_WIRING:
            continue
        here = LAYERS.index(layer(name))
        for target in imports(name, path, known):
            if LAYERS.index(layer(target)) > here:
                upward.append(f"{name} -> {target}")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    known = modules()
    graph = {m: imports(m, p, known) - ROOT_WIRING for m, p in known.items() if m not in ROOT_WIRING}
    cycles = _strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None and w in graph:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            if w is not None:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    found.append(comp)
    return found


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [{"a", "b"}]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert [set(c) for c in _strongly_connected(graph)] == expected
