"""The ``flowgen`` command: one module per command group, wired in :mod:`.main`."""

from flowgen.cli.main import main, run

__all__ = ["main", "run"]
