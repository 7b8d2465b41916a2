"""Regenerate the golden baseline: a small pinned run whose every number the tests compare exactly.

Run this only when a change is meant to change simulated numbers, and say why in the commit.

    python scripts/regen_golden.py
"""

from __future__ import annotations

from pathlib import Path

from cadresim import load_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SEED, DISTRICTS, REPLICATIONS = 20140221, 2, 2  # replications per district


def golden_tables():
    res = run_scenario(load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"district.districts={DISTRICTS}"]),
                       REPLICATIONS, SEED, record_events=True)
    counts = res.events.groupby(["replication", "event", "detail"]).size().rename("n").reset_index()
    return {"replications.csv": res.per_replication, "event_counts.csv": counts}


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, table in golden_tables().items():
        table.to_csv(GOLDEN / name, index=False, float_format="%.10g")
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
