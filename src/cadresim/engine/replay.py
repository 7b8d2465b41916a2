"""Event sourcing: rebuild the final roster from the start roster and the event log alone.

If replaying the log gives exactly the roster the engine ends with, the log is a complete
record of what happened (every change of grade, post and presence is in it).
"""

from __future__ import annotations

import pandas as pd

from cadresim.district.roster import Roster
from cadresim.scenario.schema import Scenario
from cadresim.state.organization import Organization

ENTRIES = ("recruitment", "outside_hire", "lateral_hire")


def replay(scenario: Scenario, roster: Roster, events: pd.DataFrame) -> pd.DataFrame:
    """The roster after applying ``events`` (one replication) to ``roster``.

    Returns:
        One row per cadre present at the end: cadre_id, grade (key) and post_id (-1 for none),
        sorted by cadre_id.
    """
    org = Organization(scenario, roster)  # only to know where roster cadres sit at the start
    state = {int(org.key[c]): [scenario.ladder[org.grade[c]], int(org.post[c])] for c in range(org.n)}
    ladder = {g: i for i, g in enumerate(scenario.ladder)}
    for e in events.itertuples(index=False):
        _apply(state, e, ladder, scenario.ladder)
    rows = [(k, g, p) for k, (g, p) in state.items()]
    return pd.DataFrame(rows, columns=["cadre_id", "grade", "post_id"]).sort_values("cadre_id").reset_index(drop=True)


def _apply(state: dict, e, ladder: dict[str, int], grades: list[str]) -> None:
    kind, cid = e.event, int(e.cadre_id)
    if kind in ENTRIES:
        state[cid] = [e.grade, int(e.post_id)]
    elif kind == "exit":
        del state[cid]
    elif kind == "promotion":
        state[cid] = [e.grade, int(e.post_id)]
    elif kind == "probation_fail":
        state[cid] = [grades[ladder[e.grade] - 1], -1]
    elif kind in ("rotation", "placement"):
        state[cid][1] = int(e.post_id)
    elif kind == "vacancy_filled" and e.detail in ("return", "recruitment", "rotation", "placement"):
        state[cid][1] = int(e.post_id)
