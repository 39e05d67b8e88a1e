"""Splitting CPU-bound work across forked processes.

Reading a thousand describes and rendering their modules is pure Python and
holds the GIL, so threads do not help. A forked child starts with everything
the parent loaded (flowgen, Jinja, the compiled templates) and keeps what it
parsed for the step that renders it, so only small summaries and decisions
travel between processes, pickled through pipes.

Where fork is missing or unsafe (Windows, macOS, a process already running
threads) or the work is too small to be worth a process, everything runs in
the calling process. Output never depends on the number of processes: each
chunk goes through the same functions whichever process runs it, and a chunk
whose child fails in any way is run again in the parent, so a real error is
raised there, with its traceback.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")  # an input item
S = TypeVar("S")  # what a process keeps of its chunk between the two steps
M = TypeVar("M")  # the summary of one item, sent to the parent
C = TypeVar("C")  # the parent's decision, sent to every process
R = TypeVar("R")  # a result, sent to the parent

# Below this many items per process a fork costs more than it saves.
MIN_ITEMS_PER_JOB = 50
_LENGTH = struct.Struct("!Q")


def available_cpus() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether forking is safe here: POSIX but not macOS (whose system
    libraries may break in a child that does not exec), no other threads."""
    return (
        hasattr(os, "fork")
        and sys.platform not in ("win32", "darwin")
        and threading.active_count() == 1
    )


@dataclass(frozen=True)
class TwoSteps(Generic[T, S, M, C, R]):
    """Work done in two steps with one decision in between.

    ``first(chunk)`` returns what to keep for step two and one summary per
    item; ``decide(summaries)`` sees every summary, in item order, and runs
    in the parent only; ``second(kept, decision)`` returns a chunk's results.
    ``first`` and ``second`` may have side effects only if repeating them is
    harmless.
    """

    first: Callable[[Sequence[T]], tuple[S, list[M]]]
    decide: Callable[[list[M]], C]
    second: Callable[[S, C], list[R]]


def run_two_steps(
    steps: TwoSteps[T, S, M, C, R],
    items: Sequence[T],
    *,
    jobs: int,
    last_chunk_extra: int = 0,
) -> tuple[C, list[R]]:
    """The decision and every chunk's results, in item order, using up to
    ``jobs`` processes on contiguous chunks of ``items``.

    ``last_chunk_extra`` says how many items' worth of work ``second`` does
    beyond its items for the last chunk; that chunk is made lighter by as
    much, so that no process waits long for another.
    """
    jobs = min(jobs, len(items) // MIN_ITEMS_PER_JOB)
    if jobs <= 1 or not can_fork():
        kept, summaries = steps.first(items)
        decision = steps.decide(summaries)
        return decision, steps.second(kept, decision)
    chunks = _chunks(items, jobs, last_chunk_extra)
    children: list[_Child] = []
    try:
        for chunk in chunks[1:]:
            children.append(_Child.fork(steps, chunk))
        kept, summaries = steps.first(chunks[0])
        kept_here: dict[int, S] = {0: kept}
        for index, child in enumerate(children, start=1):
            message = child.receive()
            if message is None:  # the child failed: do its first step here
                kept_here[index], message = steps.first(chunks[index])
            summaries.extend(message)
        decision = steps.decide(summaries)
        for child in children:
            child.send(decision)
        results = steps.second(kept, decision)
        for index, child in enumerate(children, start=1):
            message = child.receive()
            if message is None:
                if index not in kept_here:
                    kept_here[index] = steps.first(chunks[index])[0]
                message = steps.second(kept_here[index], decision)
            results.extend(message)
    finally:
        for child in children:
            child.close()
    return decision, results


def _chunks(items: Sequence[T], jobs: int, last_extra: int) -> list[Sequence[T]]:
    # Equal shares of the items plus the extra work; the extra is the last
    # chunk's, and no chunk is left empty.
    extra = max(0, min(last_extra, len(items) // jobs))
    total = len(items) + extra
    bounds = [min(len(items), (total * k) // jobs) for k in range(jobs)] + [len(items)]
    return [items[bounds[k] : bounds[k + 1]] for k in range(jobs)]


class _Child:
    """A forked process working on one chunk, and the pipes to talk to it."""

    def __init__(self, pid: int, inbox: int, outbox: int) -> None:
        self.pid = pid
        self._inbox: int | None = inbox  # child -> parent
        self._outbox: int | None = outbox  # parent -> child
        self.alive = True

    @classmethod
    def fork(
        cls, steps: TwoSteps[Any, Any, Any, Any, Any], chunk: Sequence[Any]
    ) -> _Child:
        up_read, up_write = os.pipe()
        down_read, down_write = os.pipe()
        pid = os.fork()
        if pid:
            os.close(up_write)
            os.close(down_read)
            return cls(pid, up_read, down_write)
        # The child. It leaves through os._exit: no exit handlers of the
        # parent's, no flushing of its copies of the parent's buffers.
        status = 1
        try:
            os.close(up_read)
            os.close(down_write)
            kept, summaries = steps.first(chunk)
            _write_message(up_write, summaries)
            decision = _read_message(down_read)
            if decision is not None:
                _write_message(up_write, steps.second(kept, decision))
                status = 0
        except BaseException:  # noqa: S110 - the parent redoes the chunk and reports
            pass
        finally:
            os._exit(status)

    def receive(self) -> Any:
        """The child's next message, or None once it has failed."""
        if not self.alive or self._inbox is None:
            return None
        message = _read_message(self._inbox)
        if message is None:
            self.close()
        return message

    def send(self, message: Any) -> None:
        if not self.alive or self._outbox is None:
            return
        try:
            _write_message(self._outbox, message)
        except OSError:  # it died; receive() will say so
            self.close()

    def close(self) -> None:
        """Stop the child if it still runs and reap it."""
        for fd in (self._inbox, self._outbox):
            if fd is not None:
                os.close(fd)
        self._inbox = self._outbox = None
        if self.alive:
            self.alive = False
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(self.pid, 0)


def _write_message(fd: int, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_message(fd: int) -> Any:
    """The next message on ``fd``; None at end of file or on a torn message."""
    header = _read_exactly(fd, _LENGTH.size)
    if header is None:
        return None
    payload = _read_exactly(fd, _LENGTH.unpack(header)[0])
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - treated as a failed child
        return None


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = os.read(fd, min(remaining, 1 << 20))
        if not part:
            return None
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
