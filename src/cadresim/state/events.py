"""The event log: one immutable record per event, appended during the run, tabled afterwards."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from cadresim import dates

EVENTS = (
    "exit", "promotion", "vacancy_opened", "vacancy_filled", "vacancy_left_open", "rotation",
    "secondment_start", "secondment_end", "probation_pass", "probation_fail", "recruitment",
    "outside_hire", "lateral_hire", "youth_talent_join", "placement",
    "to_nonleading", "nonleading_appointment", "leading_appointment",
)


class Event(NamedTuple):
    """One event. ``grade`` is the grade the event concerns (the new grade for a promotion)."""

    month: int
    event: str
    cadre: int
    grade: int
    unit: int
    post: int
    chain: int
    detail: str


class EventLog:
    """Append-only list of events of one replication."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.records: list[Event] = []
        self.counts: dict[str, int] = {}

    def add(self, month: int, event: str, cadre: int = -1, grade: int = -1, unit: int = -1, post: int = -1,
            chain: int = -1, detail: str = "") -> None:
        """Count one event of kind ``event`` and, when the log is enabled, record it (-1: none)."""
        self.counts[event] = self.counts.get(event, 0) + 1
        if self.enabled:
            self.records.append(Event(month, event, cadre, grade, unit, post, chain, detail))

    def table(self, ladder: list[str], unit_ids, cadre_keys) -> pd.DataFrame:
        """The log as a DataFrame with grade keys, unit ids and stable cadre ids."""
        df = pd.DataFrame.from_records(self.records, columns=Event._fields)
        grades = pd.Series([*ladder, ""], index=[*range(len(ladder)), -1])
        df["date"] = df["month"].map(dates.fmt)
        df["grade"] = df["grade"].map(grades).fillna("")
        df["unit_id"] = [int(unit_ids[u]) if u >= 0 else -1 for u in df.pop("unit")]
        df["cadre_id"] = [int(cadre_keys[c]) if c >= 0 else -1 for c in df.pop("cadre")]
        df = df.rename(columns={"post": "post_id", "chain": "chain_id"})
        return df[["month", "date", "event", "cadre_id", "grade", "unit_id", "post_id", "chain_id", "detail"]]
