"""Two-step work split across forked processes: same answers, any failure redone."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from flowgen.generate import parallel

pytestmark = pytest.mark.skipif(
    not parallel.can_fork(), reason="this platform runs everything in one process"
)

ITEMS = list(range(parallel.MIN_ITEMS_PER_JOB * 3 + 7))  # three chunks, uneven


def _first(chunk: Sequence[int]) -> tuple[list[int], list[tuple[int, int]]]:
    return [n * n for n in chunk], [(n, os.getpid()) for n in chunk]


def _decide(summaries: list[tuple[int, int]]) -> tuple[int, set[int]]:
    return sum(n for n, _ in summaries), {pid for _, pid in summaries}


def _second(kept: list[int], decision: tuple[int, set[int]]) -> list[int]:
    return [square + decision[0] for square in kept]


STEPS = parallel.TwoSteps(first=_first, decide=_decide, second=_second)
EXPECTED = [n * n + sum(ITEMS) for n in ITEMS]


def test_results_come_back_in_item_order_from_several_processes() -> None:
    (total, pids), results = parallel.run_two_steps(STEPS, ITEMS, jobs=3)
    assert results == EXPECTED and total == sum(ITEMS)
    assert len(pids) == 3 and os.getpid() in pids  # the parent took a chunk too


def test_one_job_or_few_items_stay_in_this_process() -> None:
    (_, pids), results = parallel.run_two_steps(STEPS, ITEMS, jobs=1)
    assert results == EXPECTED and pids == {os.getpid()}
    few = ITEMS[: parallel.MIN_ITEMS_PER_JOB + 1]
    (_, pids), _ = parallel.run_two_steps(STEPS, few, jobs=4)
    assert pids == {os.getpid()}


@pytest.mark.parametrize("step", ["first", "second"])
@pytest.mark.parametrize("how", ["raises", "exits"])
def test_a_child_that_fails_has_its_chunk_redone_here(step: str, how: str) -> None:
    parent = os.getpid()

    def fail_in_children() -> None:
        if os.getpid() != parent:
            if how == "raises":
                raise RuntimeError("boom")
            os._exit(3)

    def first(chunk: Sequence[int]) -> tuple[list[int], list[tuple[int, int]]]:
        if step == "first":
            fail_in_children()
        return _first(chunk)

    def second(kept: list[int], decision: tuple[int, set[int]]) -> list[int]:
        if step == "second":
            fail_in_children()
        return _second(kept, decision)

    steps = parallel.TwoSteps(first=first, decide=_decide, second=second)
    _, results = parallel.run_two_steps(steps, ITEMS, jobs=3)
    assert results == EXPECTED


def test_an_error_in_the_work_itself_is_raised_and_no_child_is_left() -> None:
    def second(kept: list[int], decision: tuple[int, set[int]]) -> list[int]:
        if (
            0 not in kept
        ):  # every chunk but the first: run in children, then redone here
            raise ValueError("bad item")
        return _second(kept, decision)

    steps = parallel.TwoSteps(first=_first, decide=_decide, second=second)
    with pytest.raises(ValueError, match="bad item"):
        parallel.run_two_steps(steps, ITEMS, jobs=3)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


@pytest.mark.parametrize("extra", [0, 30, 10_000])
def test_the_last_chunk_is_lighter_by_its_extra_work(extra: int) -> None:
    chunks = parallel._chunks(ITEMS, 3, extra)
    sizes = [len(chunk) for chunk in chunks]
    assert [n for chunk in chunks for n in chunk] == ITEMS
    assert all(sizes) and max(sizes[:-1]) - min(sizes[:-1]) <= 1
    expected = min(extra, len(ITEMS) // 3)  # never more than a chunk's share
    assert sizes[0] - sizes[-1] in (expected - 1, expected, expected + 1)

    (_, pids), results = parallel.run_two_steps(
        STEPS, ITEMS, jobs=3, last_chunk_extra=extra
    )
    assert results == EXPECTED and len(pids) == 3
