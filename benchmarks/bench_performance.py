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
import tempfile
import time
from pathlib import Path

from cadresim import load_scenario, with_overrides
from cadresim.engine.districts import one_roster as generate
from cadresim.engine.schedule import simulate

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"


def replication_seconds(scenario, repeat: int, record_events: bool = True) -> tuple[float, dict, int]:
    """Median seconds of one replication (roster set-up + simulation + metrics), the median seconds of each
    step, and the cadres at the start."""
    roster = generate(scenario)
    simulate(scenario, roster, 1, 0, record_events)  # warm-up
    times, steps = [], []
    for i in range(repeat):
        t = time.perf_counter()
        res = simulate(scenario, roster, 1, i + 1, record_events)
        times.append(time.perf_counter() - t)
        steps.append(res.timings)
    breakdown = {k: statistics.median(s.get(k, 0.0) for s in steps) for k in steps[0]}
    return statistics.median(times), breakdown, len(roster.cadres)


SWEEP_RATES = "0.02,0.04,0.06,0.08,0.10,0.12,0.14,0.16,0.18,0.20"  # ten options of the rotation lever


def sweep_seconds(replications: int, jobs: int) -> float:
    """Wall time of ``cadresim sweep`` end to end (a fresh process: start-up, runs, table, plots),
    ten rotation rates x ``replications`` on the baseline, into a new folder."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "cadresim", "sweep", str(SCEN / "baseline.yaml"), "-q",
               "--grid", f"rotation.cross_unit_rate={SWEEP_RATES}", "-r", str(replications), "-j", str(jobs),
               "-o", str(Path(tmp) / "sweep")]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t


def peak_rss_mb(scenario_path: Path) -> float:
    """Peak RSS of a fresh process that generates the city and runs one replication."""
    code = ("import resource; from cadresim import load_scenario; from cadresim.engine.districts import one_roster as generate; "
            "from cadresim.engine.schedule import simulate; s = load_scenario(%r); r = generate(s); "
            "simulate(s, r, 1, 0); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)" % str(scenario_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def verdicts(out: dict, runs: int) -> dict:
    """Each of issue 7's targets: the measured figure, its limit and whether it is met."""
    rows = {"baseline_replication_s": ("<=", 0.2), f"sweep_{runs}_runs_j2_s": ("<=", 300 * runs / 2000),
            "parallel_efficiency_2_workers": (">=", 0.85), "city_replication_s": ("<=", 20),
            "city_peak_rss_mb": ("<=", 1024), "city_x2_districts_ratio": ("<=", 2.2),
            "city_x2_years_ratio": ("<=", 2.2)}
    return {k: {"measured": out[k], "op": op, "limit": lim,
                "met": out[k] <= lim if op == "<=" else out[k] >= lim} for k, (op, lim) in rows.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a 200-run sweep instead of 2,000")
    args = ap.parse_args()
    repeat, sweep_reps = (3, 20) if args.quick else (10, 200)
    out: dict = {"machine": f"{platform.machine()}, {platform.python_version()}", "quick": args.quick}

    base = load_scenario(SCEN / "baseline.yaml")
    out["baseline_replication_s"], out["baseline_breakdown_s"], out["baseline_cadres"] = replication_seconds(
        base, repeat)
    runs = 10 * sweep_reps
    two, one = sweep_seconds(sweep_reps, 2), sweep_seconds(sweep_reps, 1)
    out[f"sweep_{runs}_runs_j2_s"], out[f"sweep_{runs}_runs_j1_s"] = two, one
    out["parallel_efficiency_2_workers"] = one / (2 * two)

    city = load_scenario(SCEN / "city.yaml")
    out["city_replication_s"], out["city_breakdown_s"], out["city_cadres"] = replication_seconds(
        city, max(1, repeat // 3))
    out["city_peak_rss_mb"] = peak_rss_mb(SCEN / "city.yaml")
    double_d = with_overrides(city, {"district.copies": 32})
    seconds, _, out["city_x2_districts_cadres"] = replication_seconds(double_d, max(1, repeat // 3))
    out["city_x2_districts_ratio"] = seconds / out["city_replication_s"]
    double_y = with_overrides(city, {"end": "2034-06", "reshuffle.dates": ["2016-12", "2021-12", "2026-12",
                                                                           "2031-12"]})
    out["city_x2_years_ratio"] = replication_seconds(double_y, max(1, repeat // 3))[0] / out["city_replication_s"]

    out["targets"] = verdicts(out, runs)
    for k, v in out.items():
        if k == "targets":
            continue
        if isinstance(v, dict):
            print(f"{k}:")
            for step, s in sorted(v.items(), key=lambda kv: -kv[1]):
                print(f"    {step:28s} {s:8.3f}")
        else:
            print(f"{k:36s} {v:.3f}" if isinstance(v, float) else f"{k:36s} {v}")
    print("\ntarget                               measured    limit  verdict")
    for name, t in out["targets"].items():
        print(f"{name:36s} {t['measured']:8.3f} {t['op']} {t['limit']:6g}  {'met' if t['met'] else 'NOT MET'}")
    (ROOT / "benchmarks" / "results_performance.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
