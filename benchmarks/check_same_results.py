"""Did a change alter any simulated number? Run a scenario at another commit and at this tree, and compare.

    python benchmarks/check_same_results.py --ref cf7d286 [--scenario scenarios/baseline.yaml] [-r 200]

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

import pandas as pd

from cadresim.analysis.compare import welch_difference
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
        d = welch_difference(g["value"].to_numpy(), other)
        rows.append((metric, date, g["value"].mean(), other.mean(), d.low, d.high,
                     "yes" if d.low <= 0 <= d.high or d.mean == 0 else "NO"))
    return pd.DataFrame(rows, columns=["metric", "date", "ref_mean", "this_mean", "diff_low", "diff_high", "agree"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="the commit to compare with, e.g. cf7d286")
    ap.add_argument("--scenario", default="scenarios/baseline.yaml", help="relative to the repository root")
    ap.add_argument("-r", "--replications", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree, old, new = Path(tmp) / "ref", Path(tmp) / "old", Path(tmp) / "new"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.ref], check=True,
                       capture_output=True)
        try:
            run(tree / "src", tree / args.scenario, args.replications, old)
            run(ROOT / "src", ROOT / args.scenario, args.replications, new)
            same = {t: filecmp.cmp(old / t, new / t, shallow=False) for t in TABLES}
            for t, ok in same.items():
                print(f"{t}: {'identical' if ok else 'DIFFERENT'}")
            print(headline_table(old, new).round(4).to_string(index=False))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


if __name__ == "__main__":
    main()
