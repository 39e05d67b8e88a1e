"""The sdist holds the whole test suite and every file it reads, so the tests
run from an unpacked sdist (.ci/run does); and nothing from a working checkout."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import flowgen
from tests.conftest import REPO

# What the suite reads besides flowgen/ and tests/: the example org and its
# golden package, the docs test_layout checks, bench/ which test_quality lints.
SUITE_DIRS = [
    "flowgen", "templates", "tests", "examples", "generated_example", "bench",
    "scripts", "docs",
]  # fmt: skip
TOP_FILES = [
    ".gitignore", ".pre-commit-hooks.yaml", "CHANGELOG.md", "CONTRIBUTING.md",
    "LICENSE", "PKG-INFO", "README.md", "mkdocs.yml", "pyproject.toml",
]  # fmt: skip


def _on_disk(folder: Path) -> set[str]:
    # Less what .gitignore keeps out of the build: the bytecode and tool caches
    # (.mypy_cache and the like) that runs leave; no source file is hidden.
    found = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(REPO)
        if path.is_file() and not any(
            part == "__pycache__" or part.startswith(".") for part in relative.parts
        ):
            found.add(relative.as_posix())
    return found


def test_the_sdist_carries_the_suite_and_what_it_reads(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", tmp_path],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = tmp_path.glob("salesforce_flowgen-*.tar.gz")
    root = f"salesforce_flowgen-{flowgen.__version__}"
    with tarfile.open(sdist) as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
    assert all(name.startswith(root + "/") for name in members)
    names = {name.removeprefix(root + "/") for name in members}

    assert {name.split("/")[0] for name in names} == {*SUITE_DIRS, *TOP_FILES}
    for folder in SUITE_DIRS:
        assert _on_disk(REPO / folder) <= names, folder
    assert "flowgen/py.typed" in names
    assert members[f"{root}/scripts/update-golden"].mode & 0o111  # still runnable
