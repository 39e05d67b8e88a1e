"""Compiled templates kept between runs, so a run does not compile them again.

Compiling the templates costs a cold run more than rendering a hundred
flows. Jinja's bytecode cache keys each entry by the template's name and
source checksum; the directory is per user (like ``__pycache__``, it holds
code that will be run) and per Jinja and Python version. A cache that cannot
be read or written is simply not used.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2

from flowgen.resources import cache_root


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # read-only home, full disk: the next run compiles again


def cache_dir() -> Path:
    """Where compiled templates go, under :func:`cache_root`."""
    version = f"jinja{jinja2.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_root() / "templates" / version


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """A bytecode cache in :func:`cache_dir`, or None when it cannot be made."""
    directory = cache_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(directory, os.R_OK | os.W_OK | os.X_OK):
        return None
    return _BestEffortCache(str(directory))
