"""The grown district's costs: growing one district (no cache), a default `cadresim run` with the shipped
ensemble (a warm cache), and a two-scenario comparison over the ensemble. Prints a table and writes JSON.

    python benchmarks/bench_district.py [--jobs 2]

Targets (issue "A credible baseline"): the default run with a warm cache under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cadresim.engine.growth import grow
from cadresim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of a command in a fresh process (it must succeed)."""
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results_district.json"))
    args = ap.parse_args()
    t = time.perf_counter()
    grow(Scenario(), 1)
    grow_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CADRESIM_CACHE": str(Path(tmp) / "cache")}  # empty: only the shipped districts
        cli = [sys.executable, "-m", "cadresim"]
        run = [*cli, "run", "-j", str(args.jobs), "-q"]
        run_s = timed([*run, "scenarios/baseline.yaml", "-o", f"{tmp}/baseline"], env)
        youth_s = timed([*run, "scenarios/youth2.yaml", "-o", f"{tmp}/youth2"], env)
        compare_s = timed([*cli, "compare", f"{tmp}/baseline", f"{tmp}/youth2", "-o", f"{tmp}/cmp"], env)
    figures = {"grow_one_district_s": round(grow_s, 1), "default_run_warm_s": round(run_s, 1),
               "second_run_s": round(youth_s, 1), "compare_s": round(compare_s, 1),
               "two_scenario_compare_total_s": round(run_s + youth_s + compare_s, 1), "jobs": args.jobs}
    for k, v in figures.items():
        print(f"{k:32} {v}")
    Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
