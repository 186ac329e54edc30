"""Where replications run: in this process, a local process pool, or a Dask cluster.

Each task is a pure function of its arguments (the scenario, the seed and the replication
number), so every executor gives the same numbers; results arrive in completion order and the
caller saves each one as it comes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import UsageError

EXECUTORS = ("serial", "process", "dask")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_tasks(
    fn: Callable[..., Any],
    tasks: Iterable[tuple[Any, ...]],
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Any]:
    """Yield ``fn(*task)`` for every task, in the order they finish."""
    tasks = list(tasks)
    if executor not in EXECUTORS:
        raise UsageError(f"--executor: unknown executor '{executor}' (use {', '.join(EXECUTORS)})")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers: must be at least 1 (got {workers})")
    if scheduler is not None and executor != "dask":
        raise UsageError("--scheduler: only with --executor dask")
    workers = min(workers or default_workers(), max(len(tasks), 1))
    if executor == "serial" or (executor == "process" and (workers == 1 or len(tasks) <= 1)):
        for task in tasks:
            yield fn(*task)
    elif executor == "process":
        yield from _process_pool(fn, tasks, workers)
    else:
        yield from _dask(fn, tasks, workers, scheduler)


def _process_pool(
    fn: Callable[..., Any], tasks: list[tuple[Any, ...]], workers: int
) -> Iterator[Any]:
    # submit a bounded window so that an interrupted run has not queued work it will never save
    pending: set[Future[Any]] = set()
    queue = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            for task in queue:
                pending.add(pool.submit(fn, *task))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    task = next(queue, None)
                    if task is not None:
                        pending.add(pool.submit(fn, *task))
        finally:
            for future in pending:
                future.cancel()


def _dask(
    fn: Callable[..., Any], tasks: list[tuple[Any, ...]], workers: int, scheduler: str | None
) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "--executor dask: Dask is not installed; pip install 'gridsim[dask]'"
        ) from None
    if scheduler:
        client = Client(scheduler, timeout="20s")
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = [client.submit(fn, *task, pure=False) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
