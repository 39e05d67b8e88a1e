"""Exit statuses shared by the commands, the one place an error or an
interrupt becomes one, and the one way a message reaches stderr."""

from __future__ import annotations

import signal
from collections.abc import Callable

import click

from flowgen.errors import FlowgenError
from flowgen.literals import one_line
from flowgen.output import atomic

EXIT_OK = 0
EXIT_PARTIAL = 1  # done, but something to act on: stale, breaking, flows left out
EXIT_ERROR = 2
# Interrupted: 128 + the signal's number, as a shell reports a process it stopped.
EXIT_SIGINT = 128 + signal.SIGINT  # 130
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143

# What each command replaces on disk, for the line an interrupt prints.
_WRITES = {"pull": "snapshot", "generate": "package"}
_WRITES_NOTHING = {"check", "diff", "list", "describe"}


def run_job(job: Callable[[], int]) -> int:
    """Run a command's work; a :class:`FlowgenError` is one line on stderr
    (its message says what to do) and exit status 2, never a traceback.

    SIGINT or SIGTERM (Ctrl-C, a CI runner's stop) ends it quietly too: one
    line saying what state the snapshot or package is in (the old one or the
    new one, never a mix) and exit status 130 or 143, never "Aborted!".
    """
    try:
        try:
            status = job()
        except FlowgenError as exc:
            status = EXIT_ERROR
            if atomic.received() is None:
                say(f"error: {exc}")
        atomic.closing()
        signum = atomic.received()
    except BaseException as exc:  # noqa: B036 - an interrupt may surface as anything
        atomic.closing()
        signum = _signal_of(exc)
        if signum is None:
            raise
    if signum is not None:
        say(_interrupted_line(signum))
        return 128 + signum
    return status


def interrupted_status(exc: KeyboardInterrupt) -> int:
    """Say which state an interrupt left (nothing was written yet) and
    return its exit status, 130 or 143."""
    atomic.closing()
    signum = _signal_of(exc) or int(signal.SIGINT)
    say(_interrupted_line(signum))
    return 128 + signum


def _signal_of(exc: BaseException) -> int | None:
    # The signal behind ``exc``: Interrupted says; a plain KeyboardInterrupt is
    # SIGINT; anything else (a cancelled request, say) counts only when a
    # signal did arrive.
    if isinstance(exc, atomic.Interrupted):
        return exc.signum
    received = atomic.received()
    if received is not None and not isinstance(exc, SystemExit):
        return received
    return int(signal.SIGINT) if isinstance(exc, KeyboardInterrupt) else None


def _interrupted_line(signum: int) -> str:
    name = signal.Signals(signum).name
    context = click.get_current_context(silent=True)
    command = context.info_name if context is not None else None
    what = _WRITES.get(command or "")
    if what is not None:
        if atomic.replaced():
            return f"interrupted ({name}): the new {what} is in place"
        return f"interrupted ({name}): the {what} is as it was"
    # No command's context yet (click still reading the command line, or the
    # group's own): no command began, so none wrote anything.
    if command in _WRITES_NOTHING or context is None or context.parent is None:
        return f"interrupted ({name}): nothing was written"
    return f"interrupted ({name})"


def say(message: str) -> None:
    """``flowgen: message`` on stderr. Messages quote org text (flow, object
    and Apex names); escaped here, none can move the cursor, retitle the
    terminal or forge a line of its own."""
    click.echo(f"flowgen: {one_line(message)}", err=True)
