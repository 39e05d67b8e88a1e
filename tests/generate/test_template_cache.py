"""Compiled templates are reused between runs, and a broken cache never breaks a run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowgen.generate import template_cache
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE


def _generate(tmp_path: Path, out: Path, cache_home: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "flowgen", "generate", "--snapshot",
         str(EXAMPLE_SNAPSHOT), "--out", str(out), "--package", "acme_flows", "-q"],
        check=True, cwd=tmp_path, env={"XDG_CACHE_HOME": str(cache_home), "PATH": ""},
    )  # fmt: skip


def _same_as_golden(out: Path) -> bool:
    golden = GENERATED_EXAMPLE / "acme_flows"
    return all(
        (out / path.relative_to(golden)).read_bytes() == path.read_bytes()
        for path in golden.rglob("*.py")
    )


def test_templates_are_compiled_once_and_a_corrupt_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_home = tmp_path / "cache"
    _generate(tmp_path, tmp_path / "one" / "acme_flows", cache_home)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    entries = sorted(template_cache.cache_dir().iterdir())
    assert len(entries) >= 5  # every template the run used
    for entry in entries:
        entry.write_bytes(b"\x00garbage")
    # Without a kept records.py, so that every template is rendered again.
    shutil.rmtree(cache_home / "flowgen" / "modules")
    _generate(tmp_path, tmp_path / "two" / "acme_flows", cache_home)
    assert _same_as_golden(tmp_path / "two" / "acme_flows")
    assert all(entry.read_bytes() != b"\x00garbage" for entry in entries)  # rewritten


def test_no_cache_when_the_directory_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert template_cache.bytecode_cache() is None
    _generate(tmp_path, tmp_path / "out" / "acme_flows", blocker)
    assert _same_as_golden(tmp_path / "out" / "acme_flows")
