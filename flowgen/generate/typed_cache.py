"""Typing work kept between runs, keyed by everything it is made of.

An org's objects can hold tens of thousands of fields: reading their
describes and laying out a TypedDict per object costs a cold run more than
its flows do, and the describes rarely change. So the rendered ``records.py``
is kept in the user's cache (beside the compiled templates, and as trusted
as they are), under a digest of flowgen's own files, the installed datamodel-code-
generator, the class name chosen for each object and the bytes of
each object's describe, with the warnings its making gave. Any change to one of those is a new key. The annotations
datamodel-code-generator gives are kept the same way (see
:mod:`flowgen.generate.records`). A cache that cannot be read or written is
simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flowgen.output.run_record import generator_digest
from flowgen.resources import cache_root


@functools.cache
def made_by() -> bytes:
    """What makes the typing work besides its input: flowgen's own files and
    the installed datamodel-code-generator."""
    # The tool's installed package file, by path, size and time: any install
    # or upgrade rewrites it. Found without importing the tool (seconds) or
    # importlib.metadata (a tenth of a second, on every run with records).
    spec = importlib.util.find_spec("datamodel_code_generator")
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        stat = os.stat(origin)
        tool = f"{origin}\0{stat.st_size}\0{stat.st_mtime_ns}"
    except OSError:
        tool = "-"
    return hashlib.sha256(generator_digest() + b"\0" + tool.encode()).digest()


def key(aliases: Mapping[str, str], digests: Mapping[str, bytes]) -> str:
    """The cache key of a records.py: class names and describe digests, by object."""
    digest = hashlib.sha256(made_by())
    for name in sorted(aliases):
        digest.update(f"\0{name}\0{aliases[name]}\0".encode("utf-8", "surrogatepass"))
        digest.update(digests.get(name, b"-"))
    return digest.hexdigest()


def load(cache_key: str) -> tuple[bytes, list[str]] | None:
    """The module and warnings kept under ``cache_key``, if any."""
    data = read_json(cache_file("modules", cache_key))
    try:
        return data["module"].encode("utf-8"), [str(w) for w in data["warnings"]]
    except (KeyError, TypeError, AttributeError):
        return None


def store(cache_key: str, module: bytes, warnings: Sequence[str]) -> None:
    """Keep a module and its warnings; best effort."""
    body = {"module": module.decode("utf-8"), "warnings": list(warnings)}
    write_json(cache_file("modules", cache_key), body)


def cache_file(kind: str, cache_key: str) -> Path:
    """Where an entry of one kind (``modules``, ``records``) is kept."""
    return cache_root() / kind / f"{cache_key}.json"


def read_json(path: Path) -> Any:
    """A kept entry, or None when there is none that can be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Keep an entry, whole or not at all (readers may be running); best effort."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
        _prune(path.parent)
    except OSError:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # nothing was written there either


# Entries kept per kind: every change to a describe makes a new records.py
# (up to a megabyte for a large org), and older ones are seldom asked again.
KEPT_PER_KIND = 32


def _prune(folder: Path) -> None:
    # Oldest first out; a reader that loses an entry to this types again.
    entries = sorted(
        (entry.stat().st_mtime_ns, entry.path)
        for entry in os.scandir(folder)
        if entry.name.endswith(".json")
    )
    for _, stale in entries[:-KEPT_PER_KIND]:
        try:
            os.unlink(stale)
        except OSError:
            pass  # another process got there first
