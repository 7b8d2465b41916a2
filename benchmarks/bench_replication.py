"""Time one replication of a scenario, in-process, and a whole `cadresim run` with -j.

What one replication includes: building the state from the roster (the roster itself is
generated once per run, and timed separately), the simulation with every event recorded,
the metrics and tables of the replication. Prints a table and writes JSON.

    python benchmarks/bench_replication.py [--scenario scenarios/baseline.yaml] [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cadresim import load_scenario
from cadresim.engine.districts import one_roster as generate
from cadresim.engine.schedule import simulate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--cli-replications", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results_replication.json"))
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)

    t = time.perf_counter()
    roster = generate(scenario)
    roster_ms = 1000 * (time.perf_counter() - t)
    simulate(scenario, roster, 1, 0)  # warm-up: imports and caches
    times, events = [], 0
    for i in range(args.repeat):
        t = time.perf_counter()
        res = simulate(scenario, roster, 1, i)
        times.append(1000 * (time.perf_counter() - t))
        events = res.simpy_events
        n_events = sum(res.event_counts.values())

    with_out = ROOT / "results" / ".bench"
    cmd = [sys.executable, "-m", "cadresim", "run", args.scenario, "-r", str(args.cli_replications), "-j",
           str(args.jobs), "--no-events", "-q", "--force", "-o", str(with_out)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    cli_s = time.perf_counter() - t

    out = {
        "scenario": scenario.name,
        "roster_generation_ms": round(roster_ms, 1),
        "replication_ms_median": round(statistics.median(times), 1),
        "replication_ms_min": round(min(times), 1),
        "replication_ms_max": round(max(times), 1),
        "repeats": args.repeat,
        "simpy_events_per_replication": events,
        "model_events_per_replication": n_events,
        "cli_command": " ".join(["cadresim", *cmd[3:]]),
        "cli_seconds": round(cli_s, 2),
    }
    for k, v in out.items():
        print(f"{k:32s} {v}")
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
