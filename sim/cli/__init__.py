"""The ``gridsim`` command line: the only place where command-line flags are spelled."""

from sim.cli.main import main

__all__ = ["main"]
