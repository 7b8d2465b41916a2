"""Benchmark of decision support: a Morris analysis of 6 parameters and the cohort-size target search,
both on the default district, run as the README's commands (fresh processes, `-j 2`), timed end to end.

    python benchmarks/bench_decision.py            # the issue's sizes (10 trajectories, -r 10)
    python benchmarks/bench_decision.py --quick    # a smoke test: 4 trajectories, -r 2, short horizon

The issue's target: each within 10 minutes on 2 cores. Writes results_decision.json beside this script.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "youth2.yaml"
PARAMS = ["youth_talent.cohorts.c2.size=20,80", "rotation.cross_unit_rate=0.05,0.3",
          "selection.assessment_noise=0.1,0.5", "youth_talent.cohorts.c2.mentoring=0.1,0.5",
          "youth_talent.cohorts.c2.bonus_years=1,4", "youth_talent.cohorts.c2.age_cap=32,38"]
METRIC = "post80_division_level@2016-12"
GOAL = "post80_division_level@2016-12 >= 18"
QUICK_GOAL = "post80_division_level@2015-06 >= 10.5"  # the short horizon of --quick
SHORT = ["--set", "end=2015-06", "--set", "reshuffle.dates=[]", "--set", "snapshots=[2015-06]"]


def commands(out: Path, quick: bool, jobs: int) -> dict[str, list[str]]:
    reps, trajectories = ("2", "4") if quick else ("10", "10")
    metric, goal, extra = METRIC, GOAL, []
    if quick:
        metric, goal, extra = METRIC.replace("2016-12", "2015-06"), QUICK_GOAL, SHORT
    morris = ["sensitivity", str(SCENARIO), *(a for p in PARAMS for a in ("--param", p)), "--metric", metric,
              "--trajectories", trajectories, "-r", reps, "-j", str(jobs), "-o", str(out / "morris"), "-q", *extra]
    target = ["target", str(SCENARIO), "--vary", "youth_talent.cohorts.c2.size=0..80", "--goal", goal, "-r", reps,
              "-j", str(jobs), "-o", str(out / "target"), "-q", *extra]
    return {"morris_6_parameters": morris, "cohort_size_search": target}


def timed(args: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cadresim", *args], capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, (done.stdout + done.stderr).strip()[-600:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small settings: checks the script works")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    opts = parser.parse_args()
    results = {"quick": opts.quick, "jobs": opts.jobs, "python": platform.python_version(), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in commands(Path(tmp), opts.quick, opts.jobs).items():
            seconds, code, tail = timed(args)
            results["runs"][name] = {"seconds": round(seconds, 1), "exit": code, "command": "cadresim " +
                                     " ".join(args), "output": tail}
            print(f"{name:24s} {seconds:8.1f} s  exit {code}  (limit 600 s)")
    (Path(__file__).with_name("results_decision.json")).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
