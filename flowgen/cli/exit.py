"""Exit statuses shared by the commands, the one place an error becomes one,
and the one way a message reaches stderr."""

from __future__ import annotations

from collections.abc import Callable

import click

from flowgen.errors import FlowgenError
from flowgen.literals import one_line

EXIT_OK = 0
EXIT_PARTIAL = 1  # done, but something to act on: stale, breaking, flows left out
EXIT_ERROR = 2


def run_job(job: Callable[[], int]) -> int:
    """Run a command's work; a :class:`FlowgenError` is one line on stderr
    (its message says what to do) and exit status 2, never a traceback."""
    try:
        return job()
    except FlowgenError as exc:
        say(f"error: {exc}")
        return EXIT_ERROR


def say(message: str) -> None:
    """``flowgen: message`` on stderr. Messages quote org text (flow, object
    and Apex names); escaped here, none can move the cursor, retitle the
    terminal or forge a line of its own."""
    click.echo(f"flowgen: {one_line(message)}", err=True)
