"""Issue 7's targets, measured: one baseline replication, a 2,000-run sweep with -j 2 and its parallel
efficiency, a city replication (time and peak memory) and how the city scales.

    python benchmarks/bench_performance.py [--quick]

Medians over several runs; prints a table and writes benchmarks/results_performance.json, with the
engine's own breakdown of where a replication's time goes (per process step; eligibility is part of
selection; events_table is turning the log into a table).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cadresim import load_scenario, with_overrides
from cadresim.district import generate
from cadresim.model import simulate
from cadresim.runner import run_scenario

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"


def replication_seconds(scenario, repeat: int, record_events: bool = True) -> tuple[float, dict, int]:
    """Median seconds of one replication (roster set-up + simulation + metrics), its step breakdown."""
    roster = generate(scenario)
    simulate(scenario, roster, 1, 0, record_events)  # warm-up
    times, breakdown = [], {}
    for i in range(repeat):
        t = time.perf_counter()
        res = simulate(scenario, roster, 1, i + 1, record_events)
        times.append(time.perf_counter() - t)
        breakdown = res.timings
    return statistics.median(times), breakdown, len(roster.cadres)


def runs_seconds(scenario, runs: int, jobs: int) -> float:
    t = time.perf_counter()
    run_scenario(scenario, runs, jobs=jobs, record_events=False)
    return time.perf_counter() - t


def peak_rss_mb(scenario_path: Path) -> float:
    """Peak RSS of a fresh process that generates the city and runs one replication."""
    code = ("import resource; from cadresim import load_scenario; from cadresim.district import generate; "
            "from cadresim.model import simulate; s = load_scenario(%r); r = generate(s); "
            "simulate(s, r, 1, 0); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)" % str(scenario_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a 400-run sweep")
    args = ap.parse_args()
    repeat, sweep_runs, eff_runs = (3, 400, 100) if args.quick else (10, 2000, 200)
    out: dict = {"machine": f"{platform.machine()}, {platform.python_version()}", "quick": args.quick}

    base = load_scenario(SCEN / "baseline.yaml")
    out["baseline_replication_s"], out["baseline_breakdown_s"], out["baseline_cadres"] = replication_seconds(
        base, repeat)
    out[f"sweep_{sweep_runs}_runs_j2_s"] = runs_seconds(base, sweep_runs, 2)
    one, two = runs_seconds(base, eff_runs, 1), runs_seconds(base, eff_runs, 2)
    out["parallel_efficiency_2_workers"] = one / (2 * two)

    city = load_scenario(SCEN / "city.yaml")
    out["city_replication_s"], out["city_breakdown_s"], out["city_cadres"] = replication_seconds(
        city, max(1, repeat // 3))
    out["city_peak_rss_mb"] = peak_rss_mb(SCEN / "city.yaml")
    double_d = with_overrides(city, {"district.copies": 32})
    out["city_x2_districts_ratio"] = replication_seconds(double_d, max(1, repeat // 3))[0] / out["city_replication_s"]
    double_y = with_overrides(city, {"end": "2034-06", "reshuffle.dates": ["2016-12", "2021-12", "2026-12",
                                                                           "2031-12"]})
    out["city_x2_years_ratio"] = replication_seconds(double_y, max(1, repeat // 3))[0] / out["city_replication_s"]

    for k, v in out.items():
        if isinstance(v, dict):
            print(f"{k}:")
            for step, s in sorted(v.items(), key=lambda kv: -kv[1]):
                print(f"    {step:28s} {s:8.3f}")
        else:
            print(f"{k:36s} {v:.3f}" if isinstance(v, float) else f"{k:36s} {v}")
    (ROOT / "benchmarks" / "results_performance.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
