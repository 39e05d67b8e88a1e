"""Replacing a whole directory in one step, whatever signal arrives.

A new tree is built in a sibling directory (same file system, so renames
are atomic) and swapped in: readers see the old tree or the new one, and a
run that fails before the swap leaves the old one exactly as it was.

The swap is two renames (the old tree aside, the new one in) and the old
tree's removal; SIGINT and SIGTERM are held back until all three are done, so
an interrupt lands before the swap or after it, never between. Every name
flowgen gives a sibling says which process made it
(``.<target>.new-<pid>-<hex>``, ``.<target>.old-<pid>-<hex>``): what a killed
run left behind is removed by the next run (:func:`sweep`), and only that.

The interrupt itself: :func:`install_signal_handlers` makes SIGINT and
SIGTERM raise :class:`Interrupted` in the main thread (an asyncio run can
instead cancel its task: :func:`cancel_on_signal`); :func:`replaced` says
whether this process swapped a tree in, for the line the command prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_replaced: list[Path] = []  # targets this process swapped a new tree into
_received: list[int] = []  # signals flowgen's handler saw, in order
_cancel: list[Callable[[], object]] = []  # an asyncio run's way to stop instead
_closing: list[bool] = []  # set once the command's outcome is decided


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def staging_path(target: Path) -> Path:
    """A fresh name beside ``target`` for building its replacement (not created)."""
    return _sibling(target, "new")


def replace_directory(staging: Path, target: Path) -> None:
    """Make ``staging`` the new ``target``; the old tree is removed afterwards.

    Signals wait until the swap and the removal are done; one that arrived
    earlier and was lost (raised inside a finalizer) stops the swap instead.
    """
    with deferred_signals():
        check_interrupted()
        if target.exists():
            retired = _sibling(target, "old")
            os.replace(target, retired)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(retired, target)  # put the previous tree back
                raise
            _replaced.append(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
            _replaced.append(target)


def remove_tree(path: Path) -> None:
    """Remove a staging tree (if there), not to be cut short by a signal."""
    with deferred_signals():
        shutil.rmtree(path, ignore_errors=True)


def replaced() -> tuple[Path, ...]:
    """The directories this process has swapped a new tree into."""
    return tuple(_replaced)


def _sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(6)}"


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    # This version's names carry the pid; earlier ones were .new-<12 hex> and
    # (tempfile.mkdtemp's) .old-<8 of a-z, 0-9, _>.
    name = re.escape(target.name)
    return re.compile(
        rf"\.{name}\.(?:(?:new|old)-(?P<pid>[0-9]+)-[0-9a-f]{{12}}"
        rf"|new-[0-9a-f]{{12}}|old-[a-z0-9_]{{8}})"
    )


def sweep(target: Path) -> list[Path]:
    """Remove what an earlier, killed run left beside ``target``; the removed.

    Only flowgen's own names, and only those of processes no longer running.
    """
    pattern = _leftover_pattern(target)
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return []
    stale: list[Path] = []
    for name in names:
        found = pattern.fullmatch(name)
        if found is None:
            continue
        pid = found.group("pid")
        if pid is not None and _running(int(pid)):
            continue
        path = target.parent / name
        if path.is_dir() and not path.is_symlink():
            stale.append(path)
    for path in stale:
        remove_tree(path)
    return stale


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this run has not made one yet: an earlier life's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


# --- signals ---------------------------------------------------------------


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread.

    An exception raised where Python cannot pass it on (a finalizer, a weak
    reference's callback) would be printed as "Exception ignored" and lost:
    such a one is kept quiet, and :func:`check_interrupted` still sees it.
    """
    if signal.getsignal(signal.SIGTERM) is _on_signal:
        return  # already
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    previous = sys.unraisablehook

    def quiet_hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Interrupted):
            previous(unraisable)

    sys.unraisablehook = quiet_hook


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if _closing:
        return  # the command is saying how it ended; nothing to stop
    if _cancel and len(_received) == 1:
        _cancel[-1]()  # a second signal raises: out of the event loop at once
        return
    raise Interrupted(signum)


def closing() -> None:
    """From now on signals are ignored: the command is deciding its exit
    status and printing its last lines (and Python, exiting, would otherwise
    let the default action kill it)."""
    _closing.append(True)
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is _on_signal
    ):
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


def received() -> int | None:
    """The first signal flowgen's handler saw in this process, if any."""
    return _received[0] if _received else None


def check_interrupted() -> None:
    """Raise :class:`Interrupted` if a signal arrived (and was lost on the way)."""
    if _received:
        raise Interrupted(_received[0])


@contextlib.contextmanager
def cancel_on_signal(cancel: Callable[[], object]) -> Iterator[None]:
    """While inside, the first signal calls ``cancel`` instead of raising
    (an asyncio run cancels its main task and ends in order); a second raises."""
    _cancel.append(cancel)
    try:
        yield
    finally:
        _cancel.remove(cancel)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done, then deliver
    them to whatever handles them outside it. Only the main thread can."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if pending:
            signal.raise_signal(pending[0])
