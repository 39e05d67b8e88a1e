"""Skipping work when nothing changed since the last ``flowgen generate``.

The last run leaves a record in the package's ``__pycache__`` (a cache that
every ``.gitignore`` already ignores): a fingerprint of everything the output
depends on (the snapshot's bytes, flowgen's own code and templates, the
settings) and the size and modification time of each file it wrote. When the
fingerprint matches and no file was touched since, the package is already
what a full run would write, so the run ends there, replaying the warnings it
had. An edit to a generated file changes its modification time, so it is
caught and undone as before.
``flowgen check`` never uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flowgen.resources import generator_files

_CACHE_FILE = Path("__pycache__") / "flowgen-cache.json"


@dataclass(frozen=True)
class RunRecord:
    """What a generate run depended on and produced."""

    fingerprint: str
    files: Mapping[str, list[int]]  # relative path -> [size, mtime_ns]
    # What the run said, replayed on a cache hit: warnings (hidden by --quiet)
    # and errors (always shown), and how it exited.
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    exit_status: int = 0


def fingerprint(inputs: Iterable[Path], settings: Iterable[str]) -> str:
    """A digest of the input files (by path and bytes), the settings and flowgen itself."""
    digest = hashlib.sha256()
    for text in settings:
        digest.update(b"setting\0" + text.encode("utf-8", "surrogatepass") + b"\0")
    for path in [*generator_files(), *inputs]:  # sorted by the callers
        digest.update(b"file\0" + str(path).encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stamps(out_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of each file of the package on disk."""
    found: dict[str, list[int]] = {}
    for parent, dirs, names in os.walk(out_dir):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in names:
            stat = os.stat(os.path.join(parent, name))
            relative = os.path.relpath(os.path.join(parent, name), out_dir)
            found[relative.replace(os.sep, "/")] = [stat.st_size, stat.st_mtime_ns]
    return found


def load(out_dir: Path) -> RunRecord | None:
    """The record of the last run, or None when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / _CACHE_FILE).read_text(encoding="utf-8"))
        return RunRecord(
            fingerprint=str(data["fingerprint"]),
            files={str(k): [int(n) for n in v] for k, v in data["files"].items()},
            warnings=tuple(str(m) for m in data["warnings"]),
            errors=tuple(str(m) for m in data["errors"]),
            exit_status=int(data["exit_status"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(out_dir: Path, record: RunRecord) -> None:
    """Best effort: a cache that cannot be written only costs the next run time."""
    try:
        path = out_dir / _CACHE_FILE
        path.parent.mkdir(exist_ok=True)
        body = {
            "fingerprint": record.fingerprint,
            "files": dict(record.files),
            "warnings": list(record.warnings),
            "errors": list(record.errors),
            "exit_status": record.exit_status,
        }
        path.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    except OSError:
        pass


def is_current(
    out_dir: Path, record: RunRecord | None, expected_fingerprint: str
) -> bool:
    """Whether the package on disk is untouched since the recorded run wrote it."""
    if record is None or record.fingerprint != expected_fingerprint:
        return False
    return stamps(out_dir) == record.files
