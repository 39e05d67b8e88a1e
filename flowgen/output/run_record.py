"""Skipping work when nothing changed since the last ``flowgen generate``.

The last run leaves a record in flowgen's cache directory (see
:func:`flowgen.resources.cache_root`), one per output directory, so the
package holds only files meant to be committed: digests of everything the
output depends on (the snapshot's bytes, flowgen's own code and templates, the
settings) and the size and modification time of each file it wrote. When
nothing it depends on changed and no generated file was touched since, the
package is already what a full run would write, so the run ends there,
replaying the warnings it had. An edit to a generated file changes its
modification time, so it is caught and undone as before. ``flowgen check``
never uses the cache.

Like git's index, snapshot files whose size and modification time are as
recorded are not read again, unless they were modified too close to the
last run for their time stamp to tell.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowgen.resources import cache_root, generator_files

# Where versions before 0.1.0 kept the record: removed when found.
_OLD_RECORD = Path("__pycache__") / "flowgen-cache.json"
_FORMAT = 3
# A file modified this close to the last run may have changed within one tick
# of the file system's clock: its time stamp proves nothing, so it is read.
_RACY_NS = 2_000_000_000

Stamps = Mapping[str, list[int]]  # path -> [size, mtime_ns]


@dataclass(frozen=True)
class RunRecord:
    """What a generate run depended on and produced."""

    setup_digest: str  # flowgen's own files and the settings
    inputs_digest: str  # the snapshot files, by path and content
    inputs: Stamps
    files: Stamps  # the package as written, relative paths
    saved_at_ns: int
    # What the run said, replayed on a cache hit: warnings (hidden by --quiet)
    # and errors (always shown), and how it exited.
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    exit_status: int = 0


def last_run_if_current(
    out_dir: Path, inputs: Sequence[Path], settings: Iterable[str]
) -> RunRecord | None:
    """The last run's record when the package on disk is exactly what it wrote
    and nothing the output depends on changed since; otherwise None."""
    record = _load(out_dir)
    if record is None or record.setup_digest != _setup_digest(settings):
        return None
    current = _stamps_of(inputs)
    trusted = current == record.inputs and all(
        mtime < record.saved_at_ns - _RACY_NS for _, mtime in current.values()
    )
    if not trusted and _inputs_digest(inputs) != record.inputs_digest:
        return None
    return record if package_stamps(out_dir) == record.files else None


def remember(
    out_dir: Path,
    inputs: Sequence[Path],
    settings: Iterable[str],
    *,
    warnings: tuple[str, ...],
    errors: tuple[str, ...],
    exit_status: int,
    file_digests: Mapping[str, bytes] | None = None,
    file_stamps: Mapping[str, tuple[int, int]] | None = None,
) -> None:
    """Record a finished run. Best effort: without a record the next run just works.

    ``file_digests`` and ``file_stamps`` may give the SHA-256 and the (size,
    st_mtime_ns) of input files as they were read (by path as in
    ``inputs``), so they are neither read nor looked at again.
    """
    record = RunRecord(
        setup_digest=_setup_digest(settings),
        inputs_digest=_inputs_digest(inputs, file_digests or {}),
        inputs=_stamps_of(inputs, file_stamps or {}),
        files=package_stamps(out_dir),
        saved_at_ns=time.time_ns(),
        warnings=warnings,
        errors=errors,
        exit_status=exit_status,
    )
    body = {"format": _FORMAT, "out": str(out_dir.resolve()), **record.__dict__}
    try:
        path = _record_path(out_dir)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    except OSError:
        pass
    _remove_old_record(out_dir)


def _record_path(out_dir: Path) -> Path:
    # One record per output directory, named by a digest of its full path.
    key = hashlib.sha256(str(out_dir.resolve()).encode("utf-8", "surrogatepass"))
    return cache_root() / "runs" / f"{key.hexdigest()[:32]}.json"


def _remove_old_record(out_dir: Path) -> None:
    # flowgen wrote it there once; an empty __pycache__ goes with it.
    try:
        (out_dir / _OLD_RECORD).unlink()
        (out_dir / _OLD_RECORD).parent.rmdir()
    except OSError:
        pass


def package_stamps(out_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of each file of the package on disk."""
    found: dict[str, list[int]] = {}
    pending = [(str(out_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue  # deleted since: the stamps then match no record
        with entries:
            for entry in entries:
                if entry.is_dir():  # as os.walk: a link to a folder is not entered
                    if entry.name != "__pycache__" and not entry.is_symlink():
                        pending.append((entry.path, f"{prefix}{entry.name}/"))
                    continue
                stat = entry.stat()
                found[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def _stamps_of(
    paths: Iterable[Path], known: Mapping[str, tuple[int, int]] | None = None
) -> dict[str, list[int]]:
    stamps: dict[str, list[int]] = {}
    known = known or {}
    for path in paths:
        name = str(path)
        stamp = known.get(name)
        if stamp is None:
            stat = os.stat(path)
            stamp = (stat.st_size, stat.st_mtime_ns)
        stamps[name] = list(stamp)
    return stamps


def _setup_digest(settings: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for text in settings:
        digest.update(b"setting\0" + text.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(generator_digest())
    return digest.hexdigest()


@functools.cache  # flowgen's own files do not change while it runs
def generator_digest() -> bytes:
    """A digest of every file of flowgen's that shapes generated output."""
    digest = hashlib.sha256()
    _add_files(digest, generator_files(), {})
    return digest.digest()


def _inputs_digest(
    paths: Iterable[Path], known: Mapping[str, bytes] | None = None
) -> str:
    digest = hashlib.sha256()
    _add_files(digest, paths, known or {})
    return digest.hexdigest()


def _add_files(
    digest: hashlib._Hash, paths: Iterable[Path], known: Mapping[str, bytes]
) -> None:
    for path in paths:
        name = str(path)
        digest.update(b"file\0" + name.encode("utf-8", "surrogatepass") + b"\0")
        file_digest = known.get(name)
        if file_digest is None:
            file_digest = hashlib.sha256(path.read_bytes()).digest()
        digest.update(file_digest)


def _load(out_dir: Path) -> RunRecord | None:
    try:
        data = json.loads(_record_path(out_dir).read_text(encoding="utf-8"))
        if data.pop("format") != _FORMAT:
            return None
        return RunRecord(
            setup_digest=str(data["setup_digest"]),
            inputs_digest=str(data["inputs_digest"]),
            inputs={str(k): [int(n) for n in v] for k, v in data["inputs"].items()},
            files={str(k): [int(n) for n in v] for k, v in data["files"].items()},
            saved_at_ns=int(data["saved_at_ns"]),
            warnings=tuple(str(m) for m in data["warnings"]),
            errors=tuple(str(m) for m in data["errors"]),
            exit_status=int(data["exit_status"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
