"""Exit statuses shared by the commands, and the one place an error becomes one."""

from __future__ import annotations

from collections.abc import Callable

import click

from flowgen.errors import FlowgenError

EXIT_OK = 0
EXIT_PARTIAL = 1  # done, but something to act on: stale, breaking, flows left out
EXIT_ERROR = 2


def run_job(job: Callable[[], int]) -> int:
    """Run a command's work; a :class:`FlowgenError` is one line on stderr
    (its message says what to do) and exit status 2, never a traceback."""
    try:
        return job()
    except FlowgenError as exc:
        click.echo(f"flowgen: error: {exc}", err=True)
        return EXIT_ERROR
