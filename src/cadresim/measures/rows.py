"""Row types of the per-replication tables: one immutable record per row, named columns.

Snapshots append these during a run; ``engine.replications`` builds each table from a
row type's fields, so a column is named once, here.
"""

from __future__ import annotations

from typing import NamedTuple


#: The two tracks of a level: its leading posts, and its non-leading rank (the ``track`` column).
TRACKS = ("leading", "nonleading")


class MetricRow(NamedTuple):
    """One outcome metric at one snapshot date."""

    metric: str
    date: str
    value: float


class StockRow(NamedTuple):
    """Active cadres of one grade and birth decade on one track at a snapshot (``track``: "leading", or
    "nonleading" for holders of the level's non-leading rank)."""

    date: str
    grade: str
    birth_decade: int
    count: int
    track: str = "leading"


class AgeRow(NamedTuple):
    """Active cadres of one grade, sex and age (completed years) on one track at a snapshot."""

    date: str
    grade: str
    female: bool
    age: int
    count: int
    track: str = "leading"


class EligibilityRow(NamedTuple):
    """Candidates for promotion into ``grade`` of one birth decade, and how many fail ``rule`` (alone).

    Rule "any_rule" counts those failing at least one rule.
    """

    date: str
    grade: str
    birth_decade: int
    rule: str
    candidates: int
    fail: int
    fail_alone: int
    track: str = "leading"



class PoolRow(NamedTuple):
    """Candidates for promotion into ``grade`` of one birth decade, and how many are eligible."""

    date: str
    grade: str
    birth_decade: int
    candidates: int
    eligible: int
    track: str = "leading"
