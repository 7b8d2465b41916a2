"""How large must the second Youth Talent cohort be, and how much rotation is enough?

A parameter sweep you can copy: every combination of the second cohort's size and the yearly
cross-unit rotation rate, 10 replications each, on the second-cohort scenario. It prints the
number of 80后 (born in the 1980s) at division level right after the 2016-12 reshuffle for each
combination, and saves two plots.

    python examples/sweep_youth_cohort.py

The runs are saved in results/sweeps/youth_cohort_example/ as they finish: stop the script at any
time and run it again to carry on. Change GRID, REPLICATIONS or METRIC to ask your own question;
the keys are the scenario format's dotted keys (docs/scenario-reference.md), as `--set` takes them.
"""

from pathlib import Path

from cadresim import load_scenario, sweep
from cadresim.cli.sweep import progress_bar
from cadresim.report.sweep_figures import heatmap, metric_vs_parameter

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "youth2.yaml"
OUTPUT = Path("results") / "sweeps" / "youth_cohort_example"
GRID = {
    "youth_talent.cohorts.c2.size": [0, 20, 40, 80],    # members of the second cohort
    "rotation.cross_unit_rate": [0.05, 0.10, 0.20],     # yearly probability of a move to another unit
}
REPLICATIONS = 10
METRIC, DATE = "post80_division_level", "2016-12"       # right after the reshuffle


def main() -> None:
    base = load_scenario(SCENARIO)
    with progress_bar(name="cohort size x rotation") as on_progress:
        result = sweep(base, GRID, replications=REPLICATIONS, jobs=2, output=OUTPUT, on_progress=on_progress)

    # result.table: one row per run; result.summary: one row per point, metric and date
    summary = result.summary
    rows = summary[(summary["metric"] == METRIC) & (summary["date"] == DATE)]
    print(f"\n{METRIC} at {DATE}: mean and 95% CI over {REPLICATIONS} replications\n")
    print(rows[[*GRID, "mean", "ci95_low", "ci95_high", "n"]].round(2).to_string(index=False))

    column = f"{METRIC}@{DATE}"
    size, rate = GRID
    heatmap(result.table, column, x=size, y=rate).savefig(OUTPUT / "post80_heatmap.png", dpi=120)
    metric_vs_parameter(result.table, column, x=size, by=rate).savefig(OUTPUT / "post80_by_size.png", dpi=120)
    print(f"\nTables, plots and every run are in {OUTPUT}/")


if __name__ == "__main__":  # needed where worker processes are spawned (macOS, Windows)
    main()
