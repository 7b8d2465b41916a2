"""The two tracks of the stock tables: leading posts, and the non-leading ranks (非领导职务).

The tables a run writes (timeseries, ages, eligibility, pool) carry a ``track`` column; the figures of
the pipeline count leading posts, as the headline metrics do, and the non-leading ranks get their own
figure, keyed ``<grade>:nonleading``.
"""

from __future__ import annotations

import pandas as pd

from cadresim.measures.rows import TRACKS

LEADING, NONLEADING = TRACKS


def leading(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the leading track (a table from before the track column: all of it)."""
    return table[table["track"] == LEADING] if "track" in table else table


def nonleading_by_rank(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the non-leading track, each grade renamed to its rank key (:func:`rank_key`)."""
    if "track" not in table:
        return table.iloc[:0]
    rows = table[table["track"] == NONLEADING]
    return rows.assign(grade=rows["grade"].map(rank_key))


def rank_key(grade: str) -> str:
    """The key of the non-leading rank held at ``grade``'s level."""
    return f"{grade}:{NONLEADING}"
