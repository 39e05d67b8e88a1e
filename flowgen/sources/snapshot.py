"""The snapshot directory (format 1): the committed record of an org's flows.

    <dir>/flowgen-snapshot.json   {"format": 1, "api_version": "62.0", "org_id": ..., "flows": {...}}
    <dir>/flows/<ApiName>.json    the raw describe body of each flow

Per-flow metadata in the manifest is optional; where it gives a flow's
``process_type`` generation can skip flows REST cannot run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowgen.errors import SourceError

if TYPE_CHECKING:
    from flowgen.model import FlowSpec

MANIFEST_NAME = "flowgen-snapshot.json"
FLOWS_DIR = "flows"
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    """What a snapshot directory holds, read leniently.

    ``skipped`` maps each flow file that could not be read to why; those flows
    are missing from ``flows`` and the caller decides how loud to be.
    """

    api_version: str
    flows: tuple[FlowSpec, ...]
    org_id: str | None = None
    warnings: tuple[str, ...] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)


def snapshot_files(directory: str | Path) -> list[Path]:
    """The files a snapshot's content lives in (whatever of them exists)."""
    root = Path(directory)
    manifest = root / MANIFEST_NAME
    try:
        names = sorted(
            name for name in os.listdir(root / FLOWS_DIR) if name.endswith(".json")
        )
    except OSError:
        names = []
    flows = [root / FLOWS_DIR / name for name in names]
    return ([manifest] if manifest.is_file() else []) + flows


def read_snapshot(directory: str | Path) -> Snapshot:
    """Read a snapshot directory; a bad manifest is fatal, a bad flow file is not."""
    # Imported here: a no-op `flowgen generate` needs only snapshot_files().
    from flowgen.sources.describe import parse_describe

    root = Path(directory)
    manifest = _read_manifest(root)
    flows_dir = root / FLOWS_DIR
    if not flows_dir.is_dir():
        raise SourceError(
            str(flows_dir), "missing: a snapshot keeps one <ApiName>.json per flow here"
        )

    per_flow = manifest.get("flows")
    metadata: Mapping[str, Any] = per_flow if isinstance(per_flow, Mapping) else {}
    warnings: list[str] = []
    skipped: dict[str, str] = {}
    specs: dict[str, FlowSpec] = {}
    for path in sorted(flows_dir.glob("*.json")):
        shown = _shown(root, path)
        try:
            data = json.loads(path.read_bytes())
            meta = metadata.get(path.stem)
            process_type = (
                meta.get("process_type") if isinstance(meta, Mapping) else None
            )
            spec = parse_describe(
                data,
                origin=shown,
                fallback_name=path.stem,
                process_type=process_type if isinstance(process_type, str) else None,
                warn=warnings.append,
            )
        except json.JSONDecodeError as exc:
            skipped[shown] = (
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            )
            continue
        except UnicodeDecodeError as exc:
            skipped[shown] = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            continue
        except SourceError as exc:
            skipped[shown] = exc.problem
            continue
        if spec.api_name in specs:
            skipped[shown] = f"describes flow {spec.api_name!r} again"
            continue
        specs[spec.api_name] = spec
    org_id = manifest.get("org_id")
    return Snapshot(
        api_version=manifest["api_version"],
        flows=tuple(specs[name] for name in sorted(specs)),
        org_id=org_id if isinstance(org_id, str) else None,
        warnings=tuple(warnings),
        skipped=skipped,
    )


def _read_manifest(root: Path) -> Mapping[str, Any]:
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise SourceError(str(root), "no such snapshot directory")
    if not path.is_file():
        raise SourceError(
            str(path),
            "missing: a snapshot directory needs this manifest, at least "
            '{"format": 1, "api_version": "62.0"}',
        )
    try:
        manifest = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"not valid JSON: {exc}") from None
    if not isinstance(manifest, Mapping):
        raise SourceError(str(path), "the manifest must be a JSON object")
    fmt = manifest.get("format")
    if fmt != SNAPSHOT_FORMAT or isinstance(fmt, bool):
        raise SourceError(
            str(path),
            f"snapshot format {fmt!r} is not one this flowgen reads (it reads {SNAPSHOT_FORMAT}); "
            "re-pull the snapshot or upgrade flowgen",
        )
    version = manifest.get("api_version")
    if not isinstance(version, str) or not _is_api_version(version):
        raise SourceError(
            str(path),
            f"'api_version' must be a string like \"62.0\", found {version!r}",
        )
    return manifest


def _is_api_version(text: str) -> bool:
    major, dot, minor = text.partition(".")
    return bool(dot) and major.isdigit() and minor.isdigit()


def _shown(root: Path, path: Path) -> str:
    return str(root / path.relative_to(root))
