"""Parameter sweeps: the design expanders, the tidy table, executors, common random numbers,
resuming after an interruption, failing runs, plots and the command line."""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import math
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from cadresim import load_scenario, with_overrides
from cadresim.errors import InputError
from cadresim.engine.replications import DEFAULT_SEED, run_scenario
from cadresim.analysis.sweep import sweep
from cadresim.analysis.sweep_design import Design, full_grid, latin_hypercube, parse_grid, parse_ranges
from cadresim.analysis.sweep_runs import RunRecord, run_task
from cadresim.analysis.sweep_store import write_sweep
from cadresim.analysis.sweep_tables import build_table
from cadresim.report.sweep_figures import heatmap, metric_by_point, metric_vs_parameter, save_sweep_plots

ROOT = Path(__file__).resolve().parents[1]
YOUTH2 = ROOT / "scenarios" / "youth2.yaml"
SHORT = {"end": "2015-06", "reshuffle.dates": [], "snapshots": ["2015-06"], "district.districts": 1}  # ~0.07 s a run
SIZE, RATE = "youth_talent.cohorts.c2.size", "rotation.cross_unit_rate"
GRID = {SIZE: [0, 40], RATE: [0.05, 0.2]}
REPS = 2


@pytest.fixture(scope="module")
def base():
    return with_overrides(load_scenario(YOUTH2), SHORT)


@pytest.fixture(scope="module")
def reference(base):
    """The 2 x 2 grid, 2 replications, run in this process."""
    return sweep(base, GRID, replications=REPS)


# --- designs ---------------------------------------------------------------------------------------


def test_full_grid_expands_every_combination_first_key_slowest():
    design = full_grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert design.kind == "grid" and design.keys == ("a", "b")
    assert [tuple(p.values()) for p in design.points] == list(itertools.product([1, 2], ["x", "y", "z"]))


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text("abc.", min_size=1, max_size=4), st.lists(st.integers(), min_size=1, max_size=4,
                                                                          unique=True), min_size=1, max_size=4))
def test_full_grid_holds_each_combination_once(grid):
    points = full_grid(grid).points
    assert len(points) == math.prod(len(v) for v in grid.values())
    assert {tuple(p[k] for k in grid) for p in points} == set(itertools.product(*grid.values()))


def test_grid_values_are_yaml_scalars():
    grid = parse_grid([f"{SIZE}=0,20,40", f"{RATE}=0.05, 0.1", "rotation.targeting=lacking,random",
                       "a=true,null", "end=2015-06"])
    assert grid[SIZE] == [0, 20, 40] and all(type(v) is int for v in grid[SIZE])
    assert grid[RATE] == [0.05, 0.1] and all(type(v) is float for v in grid[RATE])
    assert grid["rotation.targeting"] == ["lacking", "random"] and grid["a"] == [True, None]
    assert grid["end"] == ["2015-06"]


@pytest.mark.parametrize("items, words", [
    ([RATE], ["--grid", "expected KEY=v1,v2"]),
    (["=0.1"], ["--grid", "expected KEY=v1,v2"]),
    ([f"{RATE}=0.1,,0.2"], [f"--grid {RATE}", "empty value"]),
    ([f"{RATE}=0.1", f"{RATE}=0.2"], [f"--grid {RATE}", "given twice"]),
    ([f"{RATE}=[0.1]"], [f"--grid {RATE}", "must be a number"]),
])
def test_malformed_grid_items_are_named(items, words):
    with pytest.raises(InputError) as exc:
        parse_grid(items)
    assert all(w in str(exc.value) for w in words), str(exc.value)


def test_ranges_need_two_numbers_in_order():
    assert parse_ranges([f"{RATE}=0.05,0.2"]) == {RATE: (0.05, 0.2)}
    with pytest.raises(InputError, match=f"--range {RATE}: expected two numbers"):
        parse_ranges([f"{RATE}=0.2,0.05"])


def test_latin_hypercube_stratifies_each_key_and_draws_integers_as_integers(base):
    ranges = {RATE: (0.0, 0.2), SIZE: (0, 80)}
    design = latin_hypercube(ranges, 10, seed=3, base=base)
    rates, sizes = [p[RATE] for p in design.points], [p[SIZE] for p in design.points]
    assert sorted(int(10 * r / 0.2) for r in rates) == list(range(10))  # one point per tenth of the range
    assert all(type(s) is int and 0 <= s <= 80 for s in sizes)
    assert design.spec["integer"] == [SIZE]
    assert latin_hypercube(ranges, 10, seed=3, base=base) == design
    assert latin_hypercube(ranges, 10, seed=4, base=base) != design


def test_a_key_the_format_lacks_or_a_bad_value_is_named_and_nothing_runs(base, tmp_path):
    with pytest.raises(InputError) as exc:
        sweep(base, {"rotation.rate": [0.1], RATE: [0.1, 1.5]}, replications=1, output=tmp_path / "s")
    text = str(exc.value)
    assert "--grid rotation.rate: unknown key; allowed here: cross_type_share, cross_unit_rate" in text
    assert f"--grid {RATE}" in text and "1.5" in text
    assert not (tmp_path / "s").exists()


# --- the table, executors and common random numbers -------------------------------------------------


def test_one_row_per_point_and_replication_with_every_swept_key(reference):
    table = reference.table
    assert list(table.columns[:5]) == ["run_id", "replication", "seed", SIZE, RATE]
    assert table.columns[-1] == "error" and (table["error"] == "").all()
    assert len(table) == 4 * REPS and table["seed"].eq(DEFAULT_SEED).all()
    assert table[["run_id", "replication"]].values.tolist() == [[p, r] for p in range(4) for r in range(REPS)]
    assert table.groupby("run_id")[[SIZE, RATE]].first().values.tolist() == [[0, 0.05], [0, 0.2], [40, 0.05],
                                                                              [40, 0.2]]
    assert "post80_division_level@2015-06" in table.columns and "post80_division_level@2014-03" in table.columns
    summary = reference.summary
    assert list(summary.columns) == ["run_id", SIZE, RATE, "metric", "date", "mean", "sd", "ci95_low", "ci95_high",
                                     "n"]
    row = summary[(summary["run_id"] == 3) & (summary["metric"] == "post80_division_level")
                  & (summary["date"] == "2015-06")].iloc[0]
    assert row["mean"] == pytest.approx(table.loc[table["run_id"] == 3, "post80_division_level@2015-06"].mean())
    assert row["n"] == REPS


def test_replication_i_draws_the_same_numbers_at_every_point(base, reference):
    """A point's replication i is the same run as replication i of `cadresim run` on that scenario."""
    point = {SIZE: 40, RATE: 0.2}
    alone = run_scenario(with_overrides(base, point), replications=REPS, record_events=False)
    got = reference.table[reference.table["run_id"] == 3]
    for rep, _, m, d, v in alone.per_replication.itertuples(index=False):
        assert got.loc[got["replication"] == rep, f"{m}@{d}"].item() == v
    start = reference.table.pivot(index="replication", columns="run_id", values="post80_section_eligible@2014-03")
    assert (start.nunique(axis=1) == 1).all()  # the same start roster at every point
    moved = reference.table.pivot(index="replication", columns="run_id", values="post80_division_level@2015-06")
    assert moved.nunique(axis=1).max() > 1  # and the parameters do change the outcome


@pytest.mark.slow
def test_sequential_process_pool_and_dask_give_identical_tables(base, reference):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    pool = sweep(base, GRID, replications=REPS, jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        dask = sweep(base, GRID, replications=REPS, executor=client.get_executor())
    for other in (pool, dask):
        pd.testing.assert_frame_equal(other.table, reference.table)
        pd.testing.assert_frame_equal(other.summary, reference.summary)


# --- resuming and failing runs ----------------------------------------------------------------------


class Stop(KeyboardInterrupt):
    pass


@pytest.mark.slow
def test_an_interrupted_sweep_resumes_without_recomputing_finished_runs(base, reference, tmp_path):
    out = tmp_path / "sweep"

    def stop_after_3(done, total):
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        sweep(base, GRID, replications=REPS, output=out, on_progress=stop_after_3)
    assert len(list((out / "runs").glob("*.json"))) == 3 and not (out / "manifest.json").exists()
    calls = []

    def counting(spec):
        calls.append((spec.run_id, spec.replication))
        return run_task(spec)

    res = sweep(base, GRID, replications=REPS, output=out, task_fn=counting)
    assert len(calls) == 4 * REPS - 3 and res.reused == 3
    pd.testing.assert_frame_equal(res.table, reference.table)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "table.parquet"), reference.table)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference.summary)
    assert json.loads((out / "manifest.json").read_text())["reused"] == 3


@pytest.mark.parametrize("left", [[], ["scenario.base.yaml"], ["scenario.base.yaml", ".design.json.9.tmp"],
                                  ["scenario.base.yaml", "runs/"]])
@pytest.mark.slow
def test_a_sweep_stopped_before_its_design_was_written_starts_again(base, reference, tmp_path, left):
    """Killed at any point before design.json (written last at the start), the same command resumes."""
    from cadresim.scenario.loader import to_yaml

    out = tmp_path / "sweep"
    out.mkdir()
    for name in left:
        if name.endswith("/"):
            (out / name).mkdir()
        else:
            (out / name).write_text(to_yaml(base)[:40] if name.endswith(".yaml") else "{", encoding="utf-8")
    res = sweep(base, GRID, replications=REPS, output=out)
    pd.testing.assert_frame_equal(res.table, reference.table)
    assert (out / "design.json").is_file() and (out / "manifest.json").is_file()


def test_a_folder_with_other_files_is_still_refused(base, tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not a sweep folder"):
        sweep(base, GRID, replications=REPS, output=out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_a_torn_run_file_counts_as_not_finished(base, reference, tmp_path):
    out = tmp_path / "sweep"
    sweep(base, GRID, replications=REPS, output=out)
    (out / "runs" / "2-1.json").write_text('{"run_id": 2, "replicat')  # a write cut short
    calls = []
    res = sweep(base, GRID, replications=REPS, output=out, task_fn=lambda s: calls.append(s) or run_task(s))
    assert [(s.run_id, s.replication) for s in calls] == [(2, 1)]
    pd.testing.assert_frame_equal(res.table, reference.table)


def test_a_folder_holding_another_sweep_is_refused(base, tmp_path):
    out = tmp_path / "sweep"
    sweep(base, {RATE: [0.05]}, replications=1, output=out)
    with pytest.raises(InputError) as exc:
        sweep(base, {RATE: [0.05]}, replications=2, output=out)
    assert "replications" in str(exc.value) and "started: 1; asked: 2" in str(exc.value)
    with pytest.raises(InputError, match="design"):
        sweep(base, {RATE: [0.1]}, replications=1, output=out)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a sweep folder"):
        sweep(base, {RATE: [0.05]}, replications=1, output=tmp_path / "other")


@pytest.mark.slow
def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(base, reference, tmp_path):
    def flaky(spec):
        if (spec.run_id, spec.replication) == (1, 0):
            raise RuntimeError("boom")
        return run_task(spec)

    out = tmp_path / "sweep"
    res = sweep(base, GRID, replications=REPS, output=out, task_fn=flaky)
    failed = res.table[res.table["error"] != ""]
    assert failed[["run_id", "replication"]].values.tolist() == [[1, 0]] and res.failed == 1
    assert failed["error"].item() == "RuntimeError: boom"
    assert failed.filter(like="@").isna().all(axis=None)
    assert "boom" in json.loads((out / "runs" / "1-0.json").read_text())["traceback"]
    assert res.summary.loc[res.summary["run_id"] == 1, "n"].eq(1).all()
    again = sweep(base, GRID, replications=REPS, output=out, retry_errors=True)
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_build_table_sorts_records_whatever_their_order():
    design = Design("grid", ("k",), ({"k": 1}, {"k": 2}))
    records = [RunRecord(1, 0, 7, {"m@2015-06": 2.0}), RunRecord(0, 1, 7, {}, "ValueError: x"),
               RunRecord(0, 0, 7, {"m@2015-06": 1.0, "m@2014-03": 0.0})]
    table = build_table(design, records)
    assert table.values.tolist()[0][:5] == [0, 0, 7, 1, 0.0]
    assert list(table.columns) == ["run_id", "replication", "seed", "k", "m@2014-03", "m@2015-06", "error"]
    assert table["error"].tolist() == ["", "ValueError: x", ""]
    pd.testing.assert_frame_equal(build_table(design, records[::-1]), table)


# --- plots -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_plots_return_figures(reference, base, tmp_path):
    table, column = reference.table, "post80_division_level@2015-06"
    assert isinstance(metric_vs_parameter(table, column, SIZE, RATE), Figure)
    assert isinstance(metric_vs_parameter(table, "young_member_team_share@2015-06", RATE), Figure)
    assert isinstance(heatmap(table, column, SIZE, RATE), Figure)
    lhs = sweep(base, design=latin_hypercube({RATE: (0.05, 0.2)}, 3, base=base), replications=1)
    assert isinstance(metric_by_point(lhs.table, column, [RATE]), Figure)
    paths = save_sweep_plots(table, reference.design, tmp_path, ["post80_division_level"])
    assert sorted(p.name for p in paths) == ["post80_division_level_2015-06_heatmap.png",
                                             "post80_division_level_2015-06_line.png"]
    with pytest.raises(ValueError, match="not in the sweep at 2015-06: reshuffle_fill_rate"):
        save_sweep_plots(table, reference.design, tmp_path, ["reshuffle_fill_rate"])


def _near_full_table() -> pd.DataFrame:
    """A sweep of reshuffle_fill_rate where every point is 99% to 100% (the figures that read "100%, 100%")."""
    rng = np.random.default_rng(5)
    rows = []
    for run_id, (size, rate) in enumerate(itertools.product([20, 40, 60], [0.05, 0.15])):
        for rep in range(6):
            value = 1.0 if rate == 0.15 or rng.random() < 0.6 else 1 - rng.choice([0.01, 0.03, 0.05])
            rows.append((run_id, rep, 100 + rep, size, rate, value))
    return pd.DataFrame(rows, columns=["run_id", "replication", "seed", SIZE, RATE, "reshuffle_fill_rate@2016-12"])


def test_a_share_near_100_percent_has_distinct_ticks_and_whole_dots():
    from figure_checks import assert_distinct_y_ticks, assert_labels_not_keys, assert_markers_whole, y_tick_labels

    fig = metric_vs_parameter(_near_full_table(), "reshuffle_fill_rate@2016-12", SIZE, RATE)
    assert_distinct_y_ticks(fig)
    assert_markers_whole(fig)
    assert_labels_not_keys(fig)
    assert float(y_tick_labels(fig.axes[0])[-1].rstrip("%")) <= 100.0
    assert fig.axes[0].get_xlabel() == "Youth Talent cohort c2: members"


def test_heatmap_colours_are_no_sharper_than_its_numbers():
    from figure_checks import assert_labels_not_keys, cell_texts, colour_span

    fig = heatmap(_near_full_table(), "reshuffle_fill_rate@2016-12", SIZE, RATE)
    ax = fig.axes[0]
    assert_labels_not_keys(fig)
    texts = cell_texts(ax)
    places = len(texts[0].rstrip("%").partition(".")[2])
    assert colour_span(ax) >= 10 * 10.0 ** -places - 1e-9, "the colour scale spans at least ten rounding steps"
    image = ax.get_images()[0]
    shade = {}
    for text, cell in zip(ax.texts, image.get_array().ravel()):
        shade.setdefault(text.get_text().split("\n")[0], []).append(float(image.norm(cell)))
    for value, shades in shade.items():
        assert max(shades) - min(shades) <= 0.1, f"cells reading {value} differ strongly in colour"
    assert all(float(t.rstrip("%")) <= 100 for t in texts)


def test_sweep_figures_name_swept_keys_in_words(reference, base):
    from figure_checks import assert_labels_not_keys

    table, column = reference.table, "post80_division_level@2015-06"
    for fig in (metric_vs_parameter(table, column, SIZE, RATE), heatmap(table, column, SIZE, RATE)):
        assert_labels_not_keys(fig)
    lhs = sweep(base, design=latin_hypercube({RATE: (0.05, 0.2)}, 3, base=base), replications=1)
    assert_labels_not_keys(metric_by_point(lhs.table, column, [RATE]))


# --- the command line --------------------------------------------------------------------------------


SHORT_SETS = ["--set", "end=2015-06", "--set", "reshuffle.dates=[]", "--set", "snapshots=[2015-06]", "--set",
              "district.districts=1"]


@pytest.mark.slow
def test_cli_sweep_survives_kill_9_and_resumes_to_the_same_table(base, tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", YOUTH2, "--grid", f"{SIZE}=0,40", "--grid", f"{RATE}=0.05,0.2", "-r", 5, "-o", out, "-q",
            *SHORT_SETS]
    proc = subprocess.Popen([sys.executable, "-m", "cadresim", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.json"))) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((out / "runs").glob("*.json")))
    assert 3 <= done < 20 and not (out / "manifest.json").exists()
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    expected = sweep(base, GRID, replications=5)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "table.parquet"), expected.table)
    csv = pd.read_csv(out / "table.csv", keep_default_na=False, na_values=[""])
    assert csv.shape == expected.table.shape
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reused"] == done and manifest["runs"] == 20 and manifest["executor"] == "sequential"
    assert (out / "scenario.base.yaml").is_file() and (out / "summary.csv").is_file()
    assert "post80_division_level_2015-06_heatmap.png" in {p.name for p in (out / "plots").iterdir()}


@pytest.mark.slow
def test_cli_bad_grid_exits_2_and_writes_nothing(tmp_path):
    proc = cli("sweep", YOUTH2, "--grid", "rotation.rate=0.05,0.1", "-o", tmp_path / "s")
    assert proc.returncode == 2
    assert "--grid rotation.rate: unknown key" in proc.stderr and "cross_unit_rate" in proc.stderr
    assert not (tmp_path / "s").exists()
    proc = cli("sweep", YOUTH2, "--design", "lhs", "--range", f"{RATE}=0.05,0.2", "-o", tmp_path / "s")
    assert proc.returncode == 2 and "--samples" in proc.stderr


@pytest.mark.slow
def test_cli_plot_sweep_draws_into_the_folder(reference, tmp_path):
    folder = tmp_path / "done"
    folder.mkdir()
    (folder / "design.json").write_text(json.dumps({"design": reference.design.to_json()}))
    write_sweep(dataclasses.replace(reference, folder=folder), "sequential", datetime.now(timezone.utc))
    proc = cli("plot-sweep", folder, "--metric", "young_member_team_share")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (folder / "plots").iterdir()) == [
        "young_member_team_share_2015-06_heatmap.png", "young_member_team_share_2015-06_line.png"]
    proc = cli("plot-sweep", folder, "--metric", "no_such_metric")
    assert proc.returncode == 2 and "no_such_metric" in proc.stderr
