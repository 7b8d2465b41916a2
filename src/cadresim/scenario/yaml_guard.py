"""Scenario YAML parsed safely: plain data only, no key written twice, and within the documented limits
of nesting and of size once aliases are expanded (an alias bomb is refused in time proportional to its
text)."""

from __future__ import annotations

from typing import Any

import yaml

from cadresim import limits
from cadresim.errors import InputError, Problem


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping, and nesting deeper than
    ``limits.MAX_YAML_DEPTH`` (checked as the document is composed, before any recursion runs deep)."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > limits.MAX_YAML_DEPTH:
                raise _TooLarge(f"nested more than {limits.MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} is written twice in one mapping", key_node.start_mark)
            except TypeError:  # an unhashable key: the safe constructor says so
                continue
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _TooLarge(Exception):
    """A YAML document over a documented limit."""

    def __init__(self, message: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(message)
        self.message, self.mark = message, mark


def safe_load(text: str, source: str) -> Any:
    """Parse one YAML document with the strict safe loader (plain data only, no duplicate keys), within
    the documented limits of nesting and of size once aliases are expanded.

    Raises:
        yaml.YAMLError: not valid YAML.
        InputError: over a limit, naming ``source``.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except _TooLarge as exc:
        where = f"line {exc.mark.line + 1}, column {exc.mark.column + 1}" if exc.mark else ""
        raise InputError([Problem(source, where, f"{exc.message} (a documented limit, see docs/limits.md)")]) from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it past ``limits.MAX_YAML_NODES`` values or
    ``limits.MAX_YAML_DEPTH`` levels, or make it contain itself.

    Each node is measured once (an alias reuses its anchor's measure), so an alias bomb costs
    time in proportion to its text, not to its expansion.
    """
    done: dict[int, tuple[int, int]] = {}  # node id -> (values, depth) with aliases expanded
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in done:
            continue
        kids = _children(node)
        if not children_done:
            if key in active:
                raise _TooLarge("an alias refers to a mapping or list that contains it", node.start_mark)
            active.add(key)
            stack.append((node, True))
            stack.extend((kid, False) for kid in kids if id(kid) not in done)
            continue
        measured = [done[id(kid)] for kid in kids]
        done[key] = (1 + sum(n for n, _ in measured), 1 + max((d for _, d in measured), default=0))
        active.discard(key)
        if done[key][0] > limits.MAX_YAML_NODES:
            raise _TooLarge(f"more than {limits.MAX_YAML_NODES:,} values once its aliases (*name) are expanded",
                            node.start_mark)
        if done[key][1] > limits.MAX_YAML_DEPTH:
            raise _TooLarge(f"nested more than {limits.MAX_YAML_DEPTH} levels deep once its aliases (*name) are "
                            "expanded", node.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def yaml_hint(exc: yaml.YAMLError) -> str:
    """What is wrong with the YAML, in words a scenario's author can act on."""
    detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "'\\t'" in detail:
        return "a tab character; YAML indents with spaces only: replace the tab with spaces"
    if "tag" in detail or "constructor" in detail:
        return f"{detail} (only plain YAML is accepted; tags such as !!python/... are refused)"
    return detail
