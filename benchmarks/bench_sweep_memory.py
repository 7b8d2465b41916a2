"""Peak memory of a 1,000-run sweep's driver (issue 4: under 1 GB), and its wall time.

    python benchmarks/bench_sweep_memory.py [--sizes 10] [--rates 5] [-r 20] [-j 2]

Runs `scenarios/youth2.yaml` (the default district, full horizon) over a grid of
youth_talent.cohorts.c2.size x rotation.cross_unit_rate, every point for -r replications, in a
process pool of -j workers, saving every run into a temporary sweep folder as `cadresim sweep` does.
Reports the driver's peak RSS (getrusage RUSAGE_SELF) and the largest worker's (RUSAGE_CHILDREN:
the biggest single child, not a sum), and writes benchmarks/results_sweep_memory.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from cadresim import load_scenario
from cadresim.analysis.sweep import sweep
from cadresim.analysis.sweep_design import full_grid

ROOT = Path(__file__).resolve().parent.parent


def peak_mb(who: int) -> float:
    """Peak resident set size in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, default=10, help="values of the second cohort's size (0, 10, 20, ...)")
    ap.add_argument("--rates", type=int, default=5, help="values of the cross-unit rotation rate")
    ap.add_argument("-r", "--replications", type=int, default=20)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()

    base = load_scenario(ROOT / "scenarios" / "youth2.yaml")
    grid = {"youth_talent.cohorts.c2.size": [10 * i for i in range(args.sizes)],
            "rotation.cross_unit_rate": [round(0.05 * (i + 1), 2) for i in range(args.rates)]}
    design = full_grid(grid)
    before = peak_mb(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = sweep(base, design=design, replications=args.replications, jobs=args.jobs, output=Path(tmp) / "bench")
        wall = time.perf_counter() - t
    out = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "scenario": "scenarios/youth2.yaml", "points": len(design.points), "replications": args.replications,
        "runs": len(res.table), "failed": res.failed, "jobs": args.jobs,
        "wall_s": round(wall, 1), "runs_per_s": round(len(res.table) / wall, 2),
        "driver_peak_rss_mb_before_sweep": round(before, 1),
        "driver_peak_rss_mb": round(peak_mb(resource.RUSAGE_SELF), 1),
        "largest_worker_peak_rss_mb": round(peak_mb(resource.RUSAGE_CHILDREN), 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    path = ROOT / "benchmarks" / "results_sweep_memory.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    for k, v in out.items():
        print(f"{k:34} {v}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
