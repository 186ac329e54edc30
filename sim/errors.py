"""Errors a user can act on. The command line turns them into a message and exit code 2."""

from __future__ import annotations


class GridsimError(Exception):
    """Base class of errors caused by input (files, options), not by the toolkit."""


class ScenarioError(GridsimError):
    """One or more problems in a scenario file, each as ``file: key.path: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class UnstableScenarioError(ScenarioError):
    """A scenario that is valid but whose demand outgrows its capacity somewhere (the backlog
    would grow without bound): refused unless the caller allows unstable scenarios."""


class UsageError(GridsimError):
    """A wrong option: a parameter of a Python entry point or a command-line flag."""


class OptionError(UsageError):
    """A parameter of an entry point (``sim.run``, ``sim.recommend``, ...) with a wrong value.

    The message speaks of the ``parameters`` by their Python names (``max_replications``); the
    command line shows the same message with its flags (``--max-replications``).
    """

    def __init__(self, message: str, *parameters: str):
        super().__init__(message)
        self.parameters = parameters


class RunFolderError(GridsimError):
    """A run folder that cannot be written or resumed."""
