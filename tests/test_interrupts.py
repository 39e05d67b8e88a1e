"""SIGINT or SIGTERM at any moment of ``flowgen pull`` and ``flowgen generate``.

Each run is a whole flowgen process, stopped at one of a spread of moments
from just after it starts to past its end. Every time: exit status 130 or 143
(0 if it had finished), the snapshot or package is byte for byte the old
one or the new one, one quiet line says which, and nothing is left beside it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flowgen.testing import FakeOrg
from tests.conftest import describe, param, run_flowgen, write_snapshot

TOKEN = "00Dinterrupt!token"
MOMENTS = 16  # per command: 32 in all
SIGNALS = (signal.SIGINT, signal.SIGTERM)
OUTCOMES: list[tuple[str, int, bool]] = []  # (moment, exit status, new state?)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _flows(count: int, *, edited: bool = False) -> list[dict[str, object]]:
    return [
        describe(
            f"Flow_{index:03d}",
            inputs=[param(f"in_{n}", "STRING") for n in range(6)],
            outputs=[param(f"out_{n}", "NUMBER") for n in range(3)],
            description=f"edited {index}" if edited and index % 3 == 0 else None,
        )
        for index in range(count)
    ]


def _moments(finished_after: float) -> list[tuple[float, signal.Signals]]:
    """Delays from 0.01 s to a little past a whole run, alternating signals;
    the last one well past it, so that a run slowed by a busy machine still
    finishes once."""
    last = max(finished_after * 1.1, 0.3)
    step = (last - 0.01) / (MOMENTS - 2)
    spread = [(0.01 + i * step, SIGNALS[i % 2]) for i in range(MOMENTS - 1)]
    return [*spread, (finished_after * 4 + 0.5, SIGNALS[(MOMENTS - 1) % 2])]


def _wait_until_flowgen_runs(pid: int) -> None:
    # The interpreter's own start (before flowgen's first line) is no moment
    # of flowgen's: wait until flowgen catches SIGTERM (Linux tells; elsewhere
    # a pause does).
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            text = status.read_text()
        except OSError:
            time.sleep(0.05)
            return
        caught = next(line for line in text.splitlines() if line.startswith("SigCgt"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.002)


def _interrupt(
    args: list[str], cwd: Path, env: Mapping[str, str], delay: float, signum: int
) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SF_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "flowgen", *args],
        cwd=cwd,
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_flowgen_runs(process.pid)
    time.sleep(delay)
    if process.poll() is None:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


def _check_one(
    moment: str,
    status: int,
    stderr: str,
    signum: int,
    target: Path,
    old: dict[str, bytes],
    new: dict[str, bytes],
    what: str,
) -> None:
    where = f"{moment}: exit {status}, stderr {stderr!r}"
    assert status in (0, 128 + signum), where
    now = _tree(target)
    assert now in (old, new), f"{where}: a mix of the old and new {what}"
    assert sorted(os.listdir(target.parent)) == sorted(
        _expected_entries(target)
    ), f"{where}: left beside the {what}: {os.listdir(target.parent)}"
    OUTCOMES.append((moment, status, now == new))
    if status == 0:
        assert now == new and stderr == "", where
        return
    assert stderr.count("\n") == 1 and stderr.startswith("flowgen: interrupted"), where
    if now == new:
        assert f"the new {what} is in place" in stderr, where
    else:
        assert f"the {what} is as it was" in stderr or "nothing was written" in stderr
    for noise in ("Traceback", "Aborted", "Exception ignored"):
        assert noise not in stderr, where


def _expected_entries(target: Path) -> list[str]:
    return [target.name, *(["snapshot"] if target.name == "pkg" else [])]


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    fake = FakeOrg(access_token=TOKEN)
    for body in _flows(150):
        fake.add_flow(body)
    with fake:
        yield fake


def test_interrupting_pull_at_any_moment_leaves_the_old_or_the_new_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    args = ["pull", "--snapshot", "snap", "--instance-url", org.instance_url]
    base = tmp_path / "base"
    base.mkdir()
    assert run_flowgen(*args, cwd=base, env=env).returncode == 0
    old = _tree(base / "snap")
    # The org moves on: flows edited, added and removed; describes take time.
    for body in _flows(150, edited=True):
        org.add_flow(body)
    org.add_flow(describe("Brand_New"))
    org.remove_flow("Flow_001")
    org.latency = 0.08
    expected = tmp_path / "expected"
    shutil.copytree(base, expected)
    start = time.perf_counter()
    done = run_flowgen(*args, "--quiet", cwd=expected, env=env)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    new = _tree(expected / "snap")
    assert new != old

    def trial(index: int, delay: float, signum: int) -> None:
        cwd = tmp_path / f"run{index:02d}"
        shutil.copytree(base, cwd)
        status, stderr = _interrupt([*args, "--quiet"], cwd, env, delay, signum)
        moment = f"pull, {signal.Signals(signum).name} after {delay:.2f} s"
        _check_one(moment, status, stderr, signum, cwd / "snap", old, new, "snapshot")

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [
            pool.submit(trial, index, delay, signum)
            for index, (delay, signum) in enumerate(_moments(took))
        ]
        for run in runs:
            run.result()
    _spread_covers_both_states()


def test_interrupting_generate_at_any_moment_leaves_the_old_or_the_new_package(
    tmp_path: Path,
) -> None:
    old_snapshot = write_snapshot(tmp_path / "old-snapshot", _flows(250))
    new_flows = [
        body for body in _flows(260, edited=True) if body["name"] != "Flow_001"
    ]
    base = tmp_path / "base"
    write_snapshot(base / "snapshot", new_flows)
    args = ["generate", "--snapshot", "snapshot", "--out", "pkg", "--package", "pkg"]
    made = run_flowgen(
        "generate", "--snapshot", str(old_snapshot), "--out", "pkg", "--package", "pkg",
        cwd=base,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    old = _tree(base / "pkg")
    expected = tmp_path / "expected"
    shutil.copytree(base, expected)
    start = time.perf_counter()
    done = run_flowgen(*args, "--quiet", cwd=expected)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    new = _tree(expected / "pkg")
    assert new != old

    def trial(index: int, delay: float, signum: int) -> None:
        cwd = tmp_path / f"run{index:02d}"
        shutil.copytree(base, cwd)
        status, stderr = _interrupt([*args, "--quiet"], cwd, {}, delay, signum)
        moment = f"generate, {signal.Signals(signum).name} after {delay:.2f} s"
        _check_one(moment, status, stderr, signum, cwd / "pkg", old, new, "package")

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [
            pool.submit(trial, index, delay, signum)
            for index, (delay, signum) in enumerate(_moments(took))
        ]
        for run in runs:
            run.result()
    _spread_covers_both_states()


def _spread_covers_both_states() -> None:
    # The moments are spread well: some stop the run before its swap, some
    # find it done (or stop it just after).
    print(*OUTCOMES, sep="\n")
    assert any(status != 0 and not new for _, status, new in OUTCOMES)
    assert any(new for _, _, new in OUTCOMES)
    OUTCOMES.clear()
