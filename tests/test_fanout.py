"""The executor fan-out: lazy and bounded, every kind of executor, and the same replications for any of them."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from cadresim import load_scenario, run_scenario, with_overrides
from cadresim.engine.fanout import PER_WORKER, dask_executor, describe_executor, fan_out, pool_size

ROOT = Path(__file__).resolve().parents[1]
SHORT = {"end": "2015-06", "reshuffle.dates": [], "snapshots": ["2015-06"], "district.districts": 2}


class Stop(Exception):
    """Raised by a callback to end a fan-out over an endless iterator."""


def square(x: int) -> int:
    return x * x


def slow_square(x: int) -> int:
    time.sleep(0.001 * (x % 3))  # finish out of order
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_in_process_runs_every_task_in_order():
    seen: list[int] = []
    fan_out(square, range(6), seen.append)
    assert seen == [0, 1, 4, 9, 16, 25]


class Counted:
    """An iterator over ``range(n)`` (endless without ``n``) that counts the items drawn from it."""

    def __init__(self, n: int | None = None) -> None:
        self.drawn = 0
        self._items = iter(range(n)) if n is not None else itertools.count()

    def __iter__(self) -> Counted:
        return self

    def __next__(self) -> int:
        item = next(self._items)
        self.drawn += 1
        return item


@pytest.mark.parametrize("threads", [0, 2])
def test_an_endless_iterator_is_drawn_lazily(threads):
    """Tasks are drawn as workers free up, so even an endless iterator works (no list of tasks is built)."""
    tasks, seen = Counted(), []

    def on_result(r: int) -> None:
        seen.append(r)
        if len(seen) == 20:
            raise Stop

    executor = ThreadPoolExecutor(max_workers=threads) if threads else None
    with pytest.raises(Stop):
        fan_out(slow_square, tasks, on_result, executor=executor)
    if executor is not None:
        executor.shutdown(wait=True)
    assert tasks.drawn <= 20 + PER_WORKER * threads


def test_tasks_in_flight_stay_within_the_window():
    tasks, done, worst = Counted(500), [0], [0]

    def on_result(_: int) -> None:
        worst[0] = max(worst[0], tasks.drawn - done[0])  # submitted, not yet handed back
        done[0] += 1

    with ThreadPoolExecutor(max_workers=3) as pool:
        fan_out(slow_square, tasks, on_result, executor=pool)
    assert done[0] == 500
    assert worst[0] <= PER_WORKER * 3


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_any_executor_gives_every_result(how):
    seen: list[int] = []
    if how == "threads":
        with ThreadPoolExecutor(max_workers=2) as pool:
            fan_out(slow_square, iter(range(30)), seen.append, executor=pool)
    else:
        fan_out(slow_square, iter(range(30)), seen.append, jobs=2, total=30)
    assert sorted(seen) == [x * x for x in range(30)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_task_raises_and_stops_drawing(jobs):
    tasks = Counted(10_000)
    with pytest.raises(ValueError, match="three"):
        fan_out(fail_on_three, tasks, lambda r: None, jobs=jobs)
    assert tasks.drawn < 100


def test_pool_size_and_descriptions():
    assert pool_size(4, total=2) <= 2
    assert pool_size(1) == 1
    assert describe_executor(None, 1) == "sequential"
    assert describe_executor(None, 3) == "process pool (3 workers)"
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert describe_executor(pool, 1) == "concurrent.ThreadPoolExecutor"
    with dask_executor(None, 2) as executor:
        assert executor is None


@pytest.fixture(scope="module")
def short():
    return with_overrides(load_scenario(ROOT / "scenarios" / "youth2.yaml"), SHORT)


@pytest.mark.slow
def test_replications_are_the_same_for_any_executor(short):
    """Results are keyed by replication, so the order in which workers finish changes nothing."""
    one = run_scenario(short, replications=4, record_events=False)
    done: list[int] = []
    with ThreadPoolExecutor(max_workers=3) as pool:
        threads = run_scenario(short, replications=4, record_events=False, executor=pool, on_done=done.append)
    pool2 = run_scenario(short, replications=4, record_events=False, jobs=2)
    for other in (threads, pool2):
        pd.testing.assert_frame_equal(one.per_replication, other.per_replication)
        pd.testing.assert_frame_equal(one.timeseries, other.timeseries)
    assert sorted(done) == list(range(8))  # 2 districts x 4
