"""Reading a snapshot directory into the describes (and process types) to serve."""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._actions import KINDS

MANIFEST = "flowgen-snapshot.json"
SNAPSHOT_FORMAT = 1
DEFAULT_PROCESS_TYPE = "AutoLaunchedFlow"


@dataclass(frozen=True)
class SnapshotFlow:
    """One flow file: where it came from, its describe and its process type."""

    path: Path
    describe: dict[str, Any]
    process_type: str


def load(directory: Path) -> tuple[str | None, list[SnapshotFlow]]:
    """Read a snapshot's API version and flows (sorted by file name).

    A flow's process type comes from the manifest's ``flows.<FileStem>``
    entry when it has one, as flowgen's own snapshot reader takes it.
    """
    manifest = _read_json(directory / MANIFEST)
    if not isinstance(manifest, dict):
        raise ValueError(f"{directory / MANIFEST}: expected a JSON object")
    if manifest.get("format") != SNAPSHOT_FORMAT:
        found = manifest.get("format")
        raise ValueError(f"{directory / MANIFEST}: unsupported format {found!r}")
    version = manifest.get("api_version")
    if version is not None and not isinstance(version, str):
        raise ValueError(f"{directory / MANIFEST}: api_version must be a string")
    metadata = manifest.get("flows")
    if not isinstance(metadata, dict):
        metadata = {}
    flows_dir = directory / "flows"
    paths = sorted(flows_dir.glob("*.json")) if flows_dir.is_dir() else []
    flows: list[SnapshotFlow] = []
    for path in paths:
        describe = _read_json(path)
        if not isinstance(describe, dict):
            raise ValueError(f"{path}: expected a JSON object")
        meta = metadata.get(path.stem)
        process_type = meta.get("process_type") if isinstance(meta, dict) else None
        if not isinstance(process_type, str) or not process_type:
            process_type = DEFAULT_PROCESS_TYPE
        flows.append(SnapshotFlow(path, describe, process_type))
    return version, flows


@dataclass(frozen=True)
class SnapshotSObject:
    """One sObject describe file: where it came from and its describe."""

    path: Path
    describe: dict[str, Any]


def load_sobjects(directory: Path) -> list[SnapshotSObject]:
    """Read a snapshot's ``sobjects/<Name>.json`` describes (sorted by file name).

    A snapshot without a ``sobjects`` folder simply has none.
    """
    sobjects_dir = directory / "sobjects"
    paths = sorted(sobjects_dir.glob("*.json")) if sobjects_dir.is_dir() else []
    sobjects: list[SnapshotSObject] = []
    for path in paths:
        describe = _read_json(path)
        if not isinstance(describe, dict):
            raise ValueError(f"{path}: expected a JSON object")
        sobjects.append(SnapshotSObject(path, describe))
    return sobjects


@dataclass(frozen=True)
class SnapshotAction:
    """One action describe file: where it came from, its kind and its describe."""

    path: Path
    kind: str  # "apex", "prompt" or "standard"
    describe: dict[str, Any]


def load_actions(directory: Path) -> list[SnapshotAction]:
    """Read a snapshot's ``actions/<kind>/<Name>.json`` describes.

    Kinds come in the order apex, prompt, standard; each kind's files sorted
    by name. A missing ``actions`` folder, or a kind's folder, means none.
    """
    actions: list[SnapshotAction] = []
    for kind in KINDS:
        kind_dir = directory / "actions" / kind
        paths = sorted(kind_dir.glob("*.json")) if kind_dir.is_dir() else []
        for path in paths:
            describe = _read_json(path)
            if not isinstance(describe, dict):
                raise ValueError(f"{path}: expected a JSON object")
            actions.append(SnapshotAction(path, kind, describe))
    return actions


def _read_json(path: Path) -> Any:
    # Decimals keep describe numbers (e.g. default values) digit-exact when served back.
    with path.open("rb") as file:
        return json.load(file, parse_float=decimal.Decimal)
