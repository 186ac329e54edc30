"""Where replications run: in this process, a local process pool, or a Dask cluster.

Each task is a pure function of its arguments (the scenario, the seed and the replication
number), so every executor gives the same numbers; results arrive in completion order and the
caller saves each one as it comes.

An executor is opened once and reused for every batch of tasks of an experiment (a comparison,
a sweep, the batches of a sequential run), so worker processes start, and import the model,
once. Process-pool workers:

- start from a fork server that has imported the model already (no per-task imports, and no
  ``fork()`` of a process that runs threads), where the platform has one;
- ignore Ctrl-C (the parent handles it and stops them) and exit by themselves when the parent
  dies, even by SIGKILL, so an interrupted run leaves no stray processes;
- are replaced when one dies (killed, out of memory): the unfinished tasks run again in a fresh
  pool, up to :data:`MAX_POOL_RESTARTS` times.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sim.errors import GridsimError, OptionError
from sim.experiment.scripts import unguarded_script
from sim.files.interrupt import check, polled

EXECUTORS = ("serial", "process", "dask")
MAX_POOL_RESTARTS = 3
POLL_S = 0.25  # longest wait between two looks for Ctrl-C / SIGTERM
DASK_CONNECT_TIMEOUT_S = float(os.environ.get("GRIDSIM_DASK_TIMEOUT", "20"))
PRELOAD = ["sim.experiment.runner"]

Task = tuple[Any, ...]


class WorkerError(GridsimError):
    """Worker processes kept dying; the finished replications are saved."""

    reason = "worker processes died"


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def check_options(executor: str, workers: int | None, scheduler: str | None) -> None:
    """Raise :class:`UsageError` for an unknown executor or options that do not fit it."""
    if executor not in EXECUTORS:
        raise OptionError(f"`executor`: unknown executor '{executor}' (use "
                          f"{', '.join(EXECUTORS)})", "executor")
    if workers is not None and workers < 1:
        raise OptionError(f"`workers`: must be at least 1 (got {workers})", "workers")
    if scheduler is not None and executor != "dask":
        raise OptionError("`scheduler`: only with `executor` dask", "scheduler", "executor")


class Executor:
    """Runs tasks and yields their results in the order they finish. Use as a context manager."""

    kind = "serial"

    def __init__(self, workers: int = 1):
        self.workers = workers

    def imap(self, fn: Callable[..., Any], tasks: Iterable[Task]) -> Iterator[Any]:
        """Yield ``fn(*task)`` for every task, in the order they finish."""
        for task in tasks:
            yield fn(*task)

    def warm(self, modules: Sequence[str]) -> None:
        """Let the workers import ``modules`` ahead of the tasks that need them, when they first
        fall idle: a hint (no wait; a worker that did not get to it imports them on first use;
        here, where the tasks run in this process, nothing)."""

    def close(self) -> None:
        """Stop the workers (idempotent)."""

    def describe(self) -> dict[str, Any]:
        return {"executor": self.kind, "workers": self.workers}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(
    executor: str = "process", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor of kind ``executor`` (``serial``, ``process`` or ``dask``).

    ``workers`` defaults to all cores; ``scheduler`` is a Dask scheduler address (default: a
    local Dask cluster of ``workers`` processes).
    """
    check_options(executor, workers, scheduler)
    if executor == "serial":
        return Executor(1)
    if executor == "process":
        n = workers or default_workers()
        if n > 1 and _from_unguarded_script():
            return Executor(1)
        return ProcessExecutor(n) if n > 1 else Executor(1)
    return DaskExecutor(workers or default_workers(), scheduler)


_told: set[Path] = set()


def _from_unguarded_script() -> bool:
    """True (and a note, once per script) when worker processes would rerun the calling
    script's top level: its replications then run in this process."""
    script = unguarded_script()
    if script is None:
        return False
    if script not in _told:
        _told.add(script)
        print(f"note: {script.name} calls gridsim at its top level, outside "
              '`if __name__ == "__main__":`; worker processes would run the script again, '
              "so replications run in this process, one after another. Put the call under "
              "that line to use every core.", file=sys.stderr)
    return True


# ---------------------------------------------------------------- local process pool


def _init_worker() -> None:
    """Run once in every pool worker: leave Ctrl-C to the parent, die with the parent.

    ``multiprocessing.parent_process()`` holds a pipe whose other end only the run's process
    has open: it reads end-of-file the moment that process is gone, however it died.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = mp.parent_process()
    if parent is None:  # pragma: no cover - not started by multiprocessing
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="gridsim-parent-watch", daemon=True).start()


def _ready() -> bool:
    return True


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        importlib.import_module(module)


def _context(preload: Sequence[str] = ()) -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([*PRELOAD, *preload])  # used when the server starts
        _start_forkserver()
        return ctx
    return mp.get_context()  # pragma: no cover - Windows, or a platform without fork server


def warm_up(executor: str, workers: int | None = None, preload: Sequence[str] = ()) -> None:
    """Start the fork server of a ``process`` executor now, so that it imports the model
    while the command still loads its own modules and the scenario (its first workers are
    then ready when the first replication is due); it also imports ``preload``, modules the
    command's workers will need (the plots of a report they draw, say)."""
    if executor != "process" or (workers or default_workers()) < 2:
        return
    if "forkserver" in mp.get_all_start_methods() and unguarded_script() is None:
        _context(preload)


def _start_forkserver() -> None:
    """Start the fork server (once per process) with Ctrl-C ignored, as its workers have it.

    The server imports the model before it ignores Ctrl-C itself; started with SIGINT
    ignored, a Ctrl-C in that second cannot kill it and break the pool.
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class ProcessExecutor(Executor):
    """A local pool of worker processes, started on first use and kept until closed."""

    kind = "process"

    def __init__(self, workers: int):
        super().__init__(workers)
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0
        self._warm: tuple[str, ...] = ()  # modules for the workers to import when idle
        self._running = False  # inside imap

    def _open(self) -> ProcessPoolExecutor:
        if self._pool is None:
            pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=_context(), initializer=_init_worker
            )
            try:
                pool.submit(_ready).result()
            except (BrokenProcessPool, EOFError, OSError):
                pool.shutdown(wait=False, cancel_futures=True)
                check()  # Ctrl-C while the workers were starting: that, not a failure
                raise WorkerError(
                    "worker processes could not start (see the error above). Worker processes "
                    "import the script that started them: in a Python script, put the call to "
                    "sim.run/compare/sweep under `if __name__ == \"__main__\":`, or use "
                    "executor='serial'"
                ) from None
            self._pool = pool
        return self._pool

    def imap(self, fn: Callable[..., Any], tasks: Iterable[Task]) -> Iterator[Any]:
        queue = list(tasks)[::-1]  # pop() from the end takes them in order
        pending: dict[Future[Any], Task] = {}
        self._running = True
        try:
            while queue or pending:
                # Ctrl-C / SIGTERM are raised between short waits, never inside the pool's
                # locks (sim.files.interrupt)
                with polled():
                    results = self._step(fn, queue, pending)
                yield from results
        except BaseException:
            self._kill()
            raise
        finally:
            self._running = False

    def _step(
        self, fn: Callable[..., Any], queue: list[Task], pending: dict[Future[Any], Task]
    ) -> list[Any]:
        """Top up the tasks in flight, wait a moment, return the results that came in."""
        pool = self._open()
        # a bounded window: an interrupted run has not queued work it would never save
        try:
            while queue and len(pending) < 2 * self.workers:
                task = queue.pop()
                pending[pool.submit(fn, *task)] = task
            if self._warm and not queue and len(pending) < self.workers:
                self._import_now()  # the last tasks are running: a worker falls idle now
        except (BrokenProcessPool, EOFError, OSError):  # the pool, or its fork server, died
            queue.append(task)
            self._restart(pending, queue)
            return []
        done, _ = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
        results, broken = [], False
        for future in done:
            try:
                results.append(future.result())
            except BrokenProcessPool:
                broken = True
                continue
            del pending[future]
        if broken:
            self._restart(pending, queue)
        return results

    def warm(self, modules: Sequence[str]) -> None:
        self._warm += tuple(modules)
        if self._pool is not None and not self._running:
            self._import_now()

    def _import_now(self) -> None:
        """Hand the workers the modules to import: one task each (a worker busy importing
        takes no second), after the tasks already given."""
        assert self._pool is not None
        for _ in range(self.workers):
            self._pool.submit(_import, self._warm)
        self._warm = ()

    def _restart(self, pending: dict[Future[Any], Task], queue: list[Task]) -> None:
        """A worker died: put the unfinished tasks back and start a fresh pool."""
        self.restarts += 1
        if self.restarts > MAX_POOL_RESTARTS:
            raise WorkerError(
                f"worker processes died {self.restarts} times (out of memory, or killed); "
                "finished replications are kept: run the same command again to resume"
            )
        # tasks go back in their original order, ahead of those never submitted
        queue.extend(reversed(list(pending.values())))
        pending.clear()
        logging.getLogger(__name__).warning(
            "a worker process died; running %d unfinished tasks again in a new pool", len(queue)
        )
        self._kill()

    def _kill(self) -> None:
        """Stop the workers now: running tasks are abandoned (nothing of theirs was saved)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- Dask


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: the one at ``scheduler``, or a local one of ``workers``."""

    kind = "dask"

    def __init__(self, workers: int, scheduler: str | None = None):
        super().__init__(workers)
        from dask.distributed import Client, LocalCluster  # a dependency: imported when used
        self._client: Any = None
        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            _check_reachable(scheduler)
            try:
                self._client = Client(scheduler, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError) as exc:
                raise OptionError(
                    f"`scheduler`: cannot reach the Dask scheduler at {scheduler} ({exc})",
                    "scheduler") from None
            self.workers = len(self._client.scheduler_info().get("workers", {})) or workers
        else:
            try:
                self._cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
            except (OSError, TimeoutError, RuntimeError) as exc:
                self.close()
                raise GridsimError(
                    f"executor dask: could not start a local Dask cluster ({exc})"
                ) from None

    def describe(self) -> dict[str, Any]:
        return {"executor": self.kind, "workers": self.workers,
                "scheduler": self.scheduler or "local cluster"}

    def imap(self, fn: Callable[..., Any], tasks: Iterable[Task]) -> Iterator[Any]:
        from dask.distributed import wait as dask_wait

        batch = uuid.uuid4().hex[:8]
        with polled():
            futures = [
                self._client.submit(fn, *task, pure=False, key=f"gridsim-{batch}-{i}")
                for i, task in enumerate(tasks)
            ]
        pending = set(futures)
        try:
            while pending:
                with polled():
                    with contextlib.suppress(TimeoutError):
                        dask_wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED")
                    done = [f for f in futures if f in pending and f.done()]
                    results = [f.result() for f in done]
                    pending.difference_update(done)
                yield from results
        finally:
            with polled():
                self._client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            client.close()
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()


def _check_reachable(address: str) -> None:
    """Fail fast, with a plain message, when nothing listens at a ``tcp://`` address."""
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    else:
        if parts.scheme not in ("tcp", "tls"):
            return  # inproc://, ucx://...: let Dask judge
    if not host or port is None:
        raise OptionError(f"`scheduler`: not an address HOST:PORT or tcp://HOST:PORT: "
                          f"{address!r}", "scheduler")
    try:
        with socket.create_connection((host, port), timeout=min(DASK_CONNECT_TIMEOUT_S, 10)):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OptionError(
            f"`scheduler`: cannot reach the Dask scheduler at {address} ({reason}); is "
            "`dask scheduler` running there, and the port open?", "scheduler"
        ) from None
