"""User-facing input errors: one clear message per problem, no traceback."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

#: how values are shown in messages: in full when short, cut with "..." when long (bounded time and size)
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxdict, _SHOWN.maxlist, _SHOWN.maxtuple, _SHOWN.maxset = 3, 12, 12, 12, 12
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 200, 200, 60


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Attributes:
        source: the file (or ``--set``) the offending value came from.
        path: the dotted key path, or a row and column for tables.
        message: what is wrong and what is allowed.
        value: the offending value, as the user wrote it (``None`` when absent).
    """

    source: str
    path: str
    message: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        shown = "" if self.value is None else f" (got {_SHOWN.repr(self.value)})"
        return f"{where}: {self.message}{shown}"


class InputError(Exception):
    """Bad input. The CLI prints each problem and exits with code 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InvariantError(AssertionError):
    """The engine broke one of its own invariants (a bug, never bad input)."""
