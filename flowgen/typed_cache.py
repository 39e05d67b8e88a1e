"""``records.py`` kept between runs, keyed by everything it is made of.

An org's objects can hold tens of thousands of fields: reading their
describes and laying out a TypedDict per object costs a cold run more than
its flows do, and the describes rarely change. So the rendered module is
kept in the user's cache (beside the compiled templates, and as trusted as
they are), under a digest of flowgen's own files, the class name chosen for
each object and the bytes of each object's describe, with the warnings its
making gave. Any change to one of those is a new key. A cache that cannot be
read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path


def key(aliases: Mapping[str, str], digests: Mapping[str, bytes]) -> str:
    """The cache key of a records.py: class names and describe digests, by object."""
    from flowgen.cache import generator_digest

    digest = hashlib.sha256(generator_digest())
    for name in sorted(aliases):
        digest.update(f"\0{name}\0{aliases[name]}\0".encode("utf-8", "surrogatepass"))
        digest.update(digests.get(name, b"-"))
    return digest.hexdigest()


def load(cache_key: str) -> tuple[bytes, list[str]] | None:
    """The module and warnings kept under ``cache_key``, if any."""
    path = _path(cache_key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["module"].encode("utf-8"), [str(w) for w in data["warnings"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(cache_key: str, module: bytes, warnings: Sequence[str]) -> None:
    """Keep a module and its warnings; best effort."""
    path = _path(cache_key)
    if path is None:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    body = {"module": module.decode("utf-8"), "warnings": list(warnings)}
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.write_text(json.dumps(body), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # nothing was written there either


def _path(cache_key: str) -> Path | None:
    from flowgen import template_cache

    return template_cache.cache_dir().parent.parent / "modules" / f"{cache_key}.json"
