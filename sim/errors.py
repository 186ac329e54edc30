"""Errors a user can act on. The command line turns them into a message and exit code 2."""

from __future__ import annotations


class GridsimError(Exception):
    """Base class of errors caused by input (files, options), not by the toolkit."""


class ScenarioError(GridsimError):
    """One or more problems in a scenario file, each as ``file: key.path: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class UsageError(GridsimError):
    """A wrong command-line option or argument."""


class RunFolderError(GridsimError):
    """A run folder that cannot be written or resumed."""
