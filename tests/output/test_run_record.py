"""The run record: kept in flowgen's cache, never in the package the user commits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import EXAMPLE_SNAPSHOT, run_flowgen


def _generate(cwd: Path, out: Path, cache: Path) -> tuple[int, str]:
    done = run_flowgen(
        "generate", "--snapshot", str(EXAMPLE_SNAPSHOT), "--out", str(out),
        "--package", "acme_flows",
        cwd=cwd, env={"XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    return done.returncode, done.stderr


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(root).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in root.rglob("*")
    }


def test_the_package_holds_only_generated_files(tmp_path: Path) -> None:
    out, cache = tmp_path / "acme_flows", tmp_path / "cache"
    status, said = _generate(tmp_path, out, cache)
    assert status == 0, said
    names = _files(out)
    assert not [name for name in names if "__pycache__" in name or "cache" in name]
    assert all(name.endswith((".py", ".pyi", "py.typed")) or (out / name).is_dir()
               for name in names), sorted(names)  # fmt: skip
    (record,) = (cache / "flowgen" / "runs").glob("*.json")
    assert str(out.resolve()) in record.read_text(encoding="utf-8")

    status, said = _generate(tmp_path, out, cache)
    assert status == 0 and "is up to date" in said, said
    assert _files(out) == names  # nothing rewritten, nothing added


def test_the_record_is_per_output_directory(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for name in ("one", "two"):
        assert _generate(tmp_path, tmp_path / name / "acme_flows", cache)[0] == 0
    assert len(list((cache / "flowgen" / "runs").glob("*.json"))) == 2
    # The first package is still current: its own record says so.
    status, said = _generate(tmp_path, tmp_path / "one" / "acme_flows", cache)
    assert status == 0 and "is up to date" in said, said


def test_a_record_left_in_the_package_by_an_older_flowgen_goes(tmp_path: Path) -> None:
    out, cache = tmp_path / "acme_flows", tmp_path / "cache"
    assert _generate(tmp_path, out, cache)[0] == 0
    old = out / "__pycache__" / "flowgen-cache.json"
    old.parent.mkdir()
    old.write_text("{}", encoding="utf-8")
    edited = out / "flows" / "log_audit_event.py"
    os.utime(edited, ns=(1, 1))  # looks hand-edited: the run does its work
    status, said = _generate(tmp_path, out, cache)
    assert status == 0 and "up to date" not in said, said
    assert not old.parent.exists()

    # A __pycache__ holding anything else (Python's own) is left alone.
    old.parent.mkdir()
    old.write_text("{}", encoding="utf-8")
    mine = out / "__pycache__" / "__init__.cpython-311.pyc"
    mine.write_bytes(b"")
    os.utime(edited, ns=(2, 2))
    assert _generate(tmp_path, out, cache)[0] == 0
    assert not old.exists() and mine.exists()


def test_a_deleted_package_is_generated_again(tmp_path: Path) -> None:
    # The record outlives the package it describes: deleting the package (or
    # its parent folder) and generating again must rebuild it, not crash.
    out, cache = tmp_path / "gen" / "acme_flows", tmp_path / "cache"
    assert _generate(tmp_path, out, cache)[0] == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for gone in (out, out.parent):
        shutil.rmtree(gone)
        status, said = _generate(tmp_path, out, cache)
        assert status == 0 and "up to date" not in said, said
        after = {
            p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
        assert after == before
