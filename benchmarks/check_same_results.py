"""Did a change alter any simulated number? Run a scenario at another commit and at this tree, and compare.

    python benchmarks/check_same_results.py --ref cf7d286 [--scenario scenarios/baseline.yaml] [-r 200]
    python benchmarks/check_same_results.py --ref 1edb7fe --all [-r 20]     # every shipped scenario

Checks out ``--ref`` into a temporary git worktree, runs ``cadresim run SCENARIO -r N --no-events`` with
that commit's source and with this tree's (same seed, same roster), and reports whether replications.csv
and timeseries.csv are byte-identical. When they are not, it prints each headline metric at each snapshot
with both means and a Welch 95% interval of the difference, so a change that reorders random draws can be
checked for agreement within confidence intervals instead.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from scipy import stats

from cadresim.measures.metrics import HEADLINE

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("replications.csv", "timeseries.csv")


def run(src: Path, scenario: Path, replications: int, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "cadresim", "run", str(scenario), "-r", str(replications), "-j", "2",
           "--no-events", "-q", "-o", str(out)]
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def headline_table(old: Path, new: Path) -> pd.DataFrame:
    a, b = (pd.read_csv(d / "replications.csv", dtype={"date": str}) for d in (old, new))
    rows = []
    for (metric, date), g in a[a["metric"].isin(HEADLINE)].groupby(["metric", "date"], sort=False):
        other = b[(b["metric"] == metric) & (b["date"] == date)]["value"].to_numpy()
        ref = g["value"].to_numpy()
        if np.array_equal(ref, other):
            low = high = 0.0
        else:
            low, high = stats.ttest_ind(other, ref, equal_var=False).confidence_interval(0.95)
        rows.append((metric, date, ref.mean(), other.mean(), low, high, "yes" if low <= 0 <= high else "NO"))
    return pd.DataFrame(rows, columns=["metric", "date", "ref_mean", "this_mean", "diff_low", "diff_high", "agree"])


def shipped_scenarios() -> list[str]:
    """Every scenario file the repository ships, relative to its root."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").rglob("*.yaml"))


def check(tree: Path, scenario: str, replications: int, tmp: Path) -> bool:
    """Run ``scenario`` at the reference tree and at this one; print and return whether the tables agree."""
    old, new = tmp / "old", tmp / "new"
    tmp.mkdir(parents=True, exist_ok=True)
    run(tree / "src", tree / scenario, replications, old)
    run(ROOT / "src", ROOT / scenario, replications, new)
    same = {t: filecmp.cmp(old / t, new / t, shallow=False) for t in TABLES}
    print(f"{scenario} (-r {replications}): " + ", ".join(f"{t} {'identical' if ok else 'DIFFERENT'}"
                                                         for t, ok in same.items()))
    if not all(same.values()):
        print(headline_table(old, new).round(4).to_string(index=False))
    return all(same.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="the commit to compare with, e.g. cf7d286")
    ap.add_argument("--scenario", default="scenarios/baseline.yaml", help="relative to the repository root")
    ap.add_argument("--all", action="store_true", help="every shipped scenario (scenarios/**/*.yaml)")
    ap.add_argument("-r", "--replications", type=int, default=200)
    ap.add_argument("--city-replications", type=int, default=2, help="replications of city.yaml (4 s each)")
    args = ap.parse_args()
    scenarios = shipped_scenarios() if args.all else [args.scenario]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "ref"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.ref], check=True,
                       capture_output=True)
        try:
            results = []
            for i, scenario in enumerate(scenarios):
                if not (tree / scenario).exists():
                    print(f"{scenario}: not at {args.ref}, skipped")
                    continue
                r = args.city_replications if scenario.endswith("city.yaml") else args.replications
                results.append(check(tree, scenario, r, Path(tmp) / str(i)))
            print(f"{sum(results)} of {len(results)} scenarios give byte-identical tables")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
        raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
