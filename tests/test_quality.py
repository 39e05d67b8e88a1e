"""flowgen's own code: typed (mypy --strict), linted and black-formatted."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_mypy_strict_on_flowgen() -> None:
    done = _tool(
        "mypy"
    )  # settings: [tool.mypy] in pyproject.toml (strict, files = flowgen)
    assert done.returncode == 0, done.stdout


def test_ruff_on_flowgen_bench_and_tests() -> None:
    done = _tool("ruff", "check", "flowgen", "bench", "tests")
    assert done.returncode == 0, done.stdout


def test_black_on_flowgen_bench_and_tests() -> None:
    done = _tool("black", "--check", "--quiet", "flowgen", "bench", "tests")
    assert done.returncode == 0, done.stderr
