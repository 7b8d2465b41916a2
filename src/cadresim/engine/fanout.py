"""Fanning tasks out to workers: this process, a new process pool, or any concurrent.futures Executor.

Used by :func:`cadresim.engine.replications.run_scenario` (one task per replication) and by
:func:`cadresim.analysis.sweep.sweep` (one per point and replication). Tasks are drawn from an
iterator and only a few per worker are in flight at a time, so ten million replications are never
held as ten million tasks; each result is handed back as it completes. Callers key the results by
what the task carries (a replication number, a run id), never by the order of completion, so the
results are the same for any number of workers.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

from cadresim.errors import InputError, Problem

T = TypeVar("T")
R = TypeVar("R")
#: Tasks in flight per worker: enough to keep every worker busy, few enough to bound memory.
PER_WORKER = 4


def fan_out(fn: Callable[[T], R], tasks: Iterable[T], on_result: Callable[[R], None], jobs: int = 1,
            executor: Executor | None = None, total: int | None = None) -> None:
    """Run ``fn`` on every task and hand each result to ``on_result`` as it completes.

    Args:
        fn: the work of one task; picklable (a module-level function, or a partial of one) for a pool.
        tasks: the tasks, drawn lazily.
        on_result: called in this process with each result, in the order they complete.
        jobs: worker processes of a new pool when there is no ``executor`` (1: in this process, in order).
        executor: any ``concurrent.futures.Executor`` (a Dask client's ``get_executor()``); left open.
        total: the number of tasks, when known: a new pool has no more workers than tasks.

    Raises:
        Whatever ``fn`` or ``on_result`` raises, after cancelling the tasks not yet started.
    """
    if executor is None and jobs <= 1:
        for task in tasks:
            on_result(fn(task))
        return
    own = executor is None
    workers = pool_size(jobs, total) if own else executor_size(executor, jobs)
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    try:
        _pump(pool, fn, iter(tasks), on_result, window=PER_WORKER * workers)
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _pump(pool: Executor, fn: Callable[[T], R], tasks: Iterator[T], on_result: Callable[[R], None],
          window: int) -> None:
    """Keep ``window`` tasks in flight until ``tasks`` runs out; each result to ``on_result``."""
    pending: set[Future] = set()
    try:
        pending.update(pool.submit(fn, t) for t in itertools.islice(tasks, window))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_result(future.result())
                pending.update(pool.submit(fn, t) for t in itertools.islice(tasks, 1))
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def pool_size(jobs: int, total: int | None = None) -> int:
    """Workers of a new process pool: ``jobs``, at most the CPUs and (when known) the tasks."""
    return min(jobs, os.cpu_count() or 1, max(total, 1) if total is not None else jobs)


def executor_size(executor: Executor, jobs: int) -> int:
    """How many tasks ``executor`` can run at once (a guess where it does not say)."""
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a guess only
            return max(jobs, 4)
    return max(getattr(executor, "_max_workers", 0) or 0, jobs, 1)


def describe_executor(executor: Executor | None, jobs: int) -> str:
    """For a manifest: how the tasks were run."""
    if executor is None:
        return "sequential" if jobs <= 1 else f"process pool ({jobs} workers)"
    kind = type(executor)
    return f"{kind.__module__.split('.')[0]}.{kind.__name__}"


@contextmanager
def dask_executor(address: str | None, jobs: int) -> Iterator[Executor | None]:
    """None without ``address``; else the executor of a Dask client (``local``: a new LocalCluster of
    ``jobs`` worker processes, or 2 when ``jobs`` is 1), closed on leaving.

    Raises:
        InputError: Dask is not installed, or the scheduler cannot be reached.
    """
    if address is None:
        yield None
        return
    client, cluster = _dask_client(address, jobs)
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_client(address: str, jobs: int) -> tuple:
    """(a connected Dask client, the LocalCluster it runs on or None)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError([Problem("--dask", "", "needs Dask: pip install 'cadresim[dask]'")]) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=jobs if jobs > 1 else 2, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster if cluster is not None else address, timeout="15s"), cluster
    except (OSError, TimeoutError, ValueError) as e:
        if cluster is not None:
            cluster.close()
        raise InputError([Problem("--dask", "", f"cannot reach the Dask scheduler: {e}", address)]) from None
