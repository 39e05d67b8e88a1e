"""Writing a snapshot directory in one step, and what in it is flowgen's.

A pull replaces the directory as a whole: staged beside it, then swapped in
(:mod:`flowgen.output.atomic`). Files flowgen did not write stop it first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flowgen.errors import SourceError
from flowgen.model.actions import ActionKind, split_action_key
from flowgen.output import atomic
from flowgen.output.write import files_below, name_some
from flowgen.sources.apex import apex_file_name
from flowgen.sources.snapshot import (
    ACTION_KINDS,
    ACTIONS_DIR,
    APEX_DIR,
    FLOWS_DIR,
    MANIFEST_NAME,
    SOBJECTS_DIR,
    is_flow_file_name,
)


def write_snapshot(
    directory: str | Path,
    *,
    manifest: Mapping[str, Any],
    changed: Mapping[str, bytes],
    unchanged: Sequence[str] = (),
    sobjects: Mapping[str, bytes] | None = None,
    apex_types: Mapping[str, bytes] | None = None,
) -> None:
    """Replace the snapshot in ``directory`` in one step.

    ``changed`` maps flow names to new describe files; flows in ``unchanged``
    keep their file from the snapshot there now (linked, so untouched). The
    other kinds of action are named ``<kind>/<Name>`` in both (their files
    go to ``actions/<kind>/``).
    ``sobjects`` maps sObject names to their trimmed describes, the whole set;
    ``apex_types`` the Apex-defined types to their members, likewise.
    Any failure leaves the previous snapshot exactly as it was.
    """
    root = Path(directory)
    refuse_foreign(root)
    for name in [*changed, *unchanged, *(sobjects or {})]:
        if not _is_file_name(name):
            raise SourceError(
                str(root), f"flow name {name!r} cannot be a file name; not written"
            )
    root.parent.mkdir(parents=True, exist_ok=True)
    atomic.sweep(root)
    staging = atomic.staging_path(root)
    try:
        (staging / FLOWS_DIR).mkdir(parents=True)
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
        (staging / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")
        for name, data in changed.items():
            path = staging / describe_file(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if sobjects:
            (staging / SOBJECTS_DIR).mkdir()
            for name, data in sobjects.items():
                (staging / SOBJECTS_DIR / f"{name}.json").write_bytes(data)
        if apex_types:
            (staging / APEX_DIR).mkdir()
            for name, data in apex_types.items():
                (staging / APEX_DIR / apex_file_name(name)).write_bytes(data)
        for name in unchanged:
            old, new = root / describe_file(name), staging / describe_file(name)
            new.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old, new)
            except OSError:
                new.write_bytes(old.read_bytes())
        atomic.replace_directory(staging, root)
    except BaseException:
        atomic.remove_tree(staging)
        raise


def describe_file(key: str) -> str:
    """Where a snapshot keeps a describe, relative to it: ``flows/<Name>.json``
    for a flow, ``actions/<kind>/<Name>.json`` for ``<kind>/<Name>``."""
    kind, name = split_action_key(key)
    if kind is ActionKind.FLOW:
        return f"{FLOWS_DIR}/{key}.json"
    return f"{ACTIONS_DIR}/{kind.value}/{name}.json"


def _is_file_name(key: str) -> bool:
    # A flow's or other action's key (apex/Name) whose name may reach a path.
    try:
        return is_flow_file_name(split_action_key(key)[1])
    except ValueError:  # a prefix that is no kind of action
        return False


def foreign_files(directory: str | Path) -> list[str]:
    """The files in a snapshot directory that flowgen did not write, by
    relative path: all but the manifest and the ``.json`` files directly in
    ``flows/``, ``sobjects/``, ``apex/`` and ``actions/<kind>/`` (links are
    never flowgen's)."""
    return sorted(
        relative
        for relative, entry in files_below(directory)
        if not (entry.is_file(follow_symlinks=False) and _is_flowgens(relative))
    )


def _is_flowgens(relative: str) -> bool:
    folder, _, name = relative.rpartition("/")
    if not folder:
        return name == MANIFEST_NAME
    return folder in _OWN_DIRS and name.endswith(".json")


_OWN_DIRS = (
    FLOWS_DIR,
    SOBJECTS_DIR,
    APEX_DIR,
    *(f"{ACTIONS_DIR}/{kind.value}" for kind in ACTION_KINDS),
)


def refuse_foreign(directory: str | Path) -> None:
    """Raise :class:`SourceError` naming the files in a snapshot directory
    flowgen did not write, if any: a pull replaces the directory as a whole.
    A directory that holds no manifest is no snapshot at all, and says so."""
    root = Path(directory)
    if root.exists() and not (root / MANIFEST_NAME).is_file():
        if not root.is_dir() or any(root.iterdir()):
            raise SourceError(
                str(root),
                f"exists and is not a snapshot directory (no {MANIFEST_NAME}); "
                "choose another --snapshot or remove it first",
            )
    foreign = foreign_files(root)
    if foreign:
        raise SourceError(
            str(directory),
            f"holds {len(foreign)} file(s) flowgen did not write: "
            f"{name_some(foreign)}; a pull "
            "replaces the snapshot directory as a whole and never deletes those: "
            "move them out of it (nothing was written)",
        )
