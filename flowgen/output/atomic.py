"""Replacing a whole directory in one step.

A new tree is built in a sibling directory (same file system, so renames
are atomic) and swapped in: readers see the old tree or the new one, and a
run that fails before the swap leaves the old one exactly as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path


def staging_path(target: Path) -> Path:
    """A fresh name beside ``target`` for building its replacement (not created)."""
    return target.parent / f".{target.name}.new-{secrets.token_hex(6)}"


def replace_directory(staging: Path, target: Path) -> None:
    """Make ``staging`` the new ``target``; the old tree is removed afterwards."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(retired)
    os.replace(target, retired)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(retired, target)  # put the previous tree back
        raise
    shutil.rmtree(retired, ignore_errors=True)
