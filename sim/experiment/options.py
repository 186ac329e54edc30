"""How an experiment runs and where its results go: two small option objects that every
entry point (``sim.run``, ``sim.compare``, ``sim.sweep``, ``sim.recommend``) builds from its
keyword arguments and hands on, instead of a dozen loose arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.experiment.executors import Executor, check_options, open_executor


@dataclass(frozen=True)
class Execution:
    """Where replications run (``serial``, ``process`` or ``dask``), on how many workers,
    whether a progress bar shows (None: on a terminal or in a notebook), and whether a
    replication whose districts are independent runs as one task per district (the same
    numbers as one loop)."""

    executor: str = "process"
    workers: int | None = None
    scheduler: str | None = None
    progress: bool | None = None
    split_districts: bool = True

    def __post_init__(self) -> None:
        check_options(self.executor, self.workers, self.scheduler)

    def open(self) -> Executor:
        """The executor, opened (use as a context manager)."""
        return open_executor(self.executor, self.workers, self.scheduler)


@dataclass(frozen=True)
class Output:
    """Where results go: a folder (``out``, default ``runs/<date>-<time>-<name>``) unless
    ``save`` is off; ``command`` is what the manifest records as the command run."""

    out: Path | None = None
    save: bool = True
    command: str = ""

    @classmethod
    def of(cls, out: str | Path | None, save: bool, command: str) -> Output:
        return cls(None if out is None else Path(out), save, command)
