"""The snapshot directory (format 1): the committed record of an org's flows.

    <dir>/flowgen-snapshot.json   {"format": 1, "api_version": "62.0", "org_id": ..., "flows": {...}}
    <dir>/flows/<ApiName>.json    the raw describe body of each flow
    <dir>/actions/<kind>/<Name>.json   the same for the org's other invocable
                                  actions (kind: apex, prompt, standard)

Per-flow metadata in the manifest is optional; where it gives a flow's
``process_type`` generation can skip flows REST cannot run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from flowgen.errors import SourceError
from flowgen.model.actions import (
    FLOWS_ONLY,
    ActionKind,
    ActionSelection,
    action_key,
    split_action_key,
)
from flowgen.sources.apex import read_apex_types
from flowgen.sources.describe import parse_describe
from flowgen.sources.snapshot_files import (
    json_files_by_name,
    read_bytes,
    read_record_types,
)

if TYPE_CHECKING:
    from flowgen.model import ApexType, FlowSpec, RecordType


MANIFEST_NAME = "flowgen-snapshot.json"
FLOWS_DIR = "flows"
SOBJECTS_DIR = "sobjects"  # trimmed sObject describes (flowgen.sources.sobjects)
APEX_DIR = "apex"  # members of Apex-defined types (flowgen.sources.apex)
ACTIONS_DIR = "actions"  # actions/<kind>/: describes of other invocable actions
ACTION_KINDS = (ActionKind.APEX, ActionKind.PROMPT, ActionKind.STANDARD)
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
    flows_dir = root / FLOWS_DIR
    flows = [flows_dir / name for name in names]
    # The other kinds of action, records.py and apex_types.py depend on
    # these folders too.
    typed = []
    kind_folders = [root / ACTIONS_DIR / kind.value for kind in ACTION_KINDS]
    for folder in (*kind_folders, root / SOBJECTS_DIR, root / APEX_DIR):
        try:
            typed += [
                folder / name
                for name in sorted(os.listdir(folder))
                if name.endswith(".json")
            ]
        except OSError:
            pass
    return ([manifest] if manifest.is_file() else []) + flows + typed


class TypeFile(NamedTuple):
    """A type's describe file as it was read, for the caches."""

    path: str
    sha256: bytes
    stamp: tuple[int, int]  # (size, st_mtime_ns)


@dataclass(frozen=True)
class FlowFile:
    """One flow file, read: its spec, or why it could not be read (``problem``,
    an error) or is deliberately left out (``skipped``, with the flow's name)."""

    shown: str  # the path as messages show it
    spec: FlowSpec | None
    problem: str | None = None
    warnings: tuple[str, ...] = ()
    sha256: bytes | None = None  # of the file's bytes, when it could be read
    skipped: tuple[str, str] | None = None  # (flow name, why)
    stamp: tuple[int, int] | None = None  # (size, st_mtime_ns) as read


@dataclass(frozen=True)
class SnapshotIndex:
    """A snapshot's manifest, read, and its flow files, not yet read.

    Each flow file can be read on its own (:meth:`read_flow`), in any process;
    :func:`assemble` puts the results together.
    """

    root: str
    api_version: str
    org_id: str | None
    # File names under flows/, sorted; then those of the other kinds of
    # action selected, as <kind>/<file name> (under actions/).
    flow_files: tuple[str, ...]
    process_types: Mapping[str, str]  # file stem -> process type, when known

    def flow_path(self, file_name: str) -> str:
        """The path of a flow (or other action's) file, as messages show it."""
        kind, name = split_action_key(file_name)
        if kind is ActionKind.FLOW:
            return os.path.join(self.root, FLOWS_DIR, file_name)
        return os.path.join(self.root, ACTIONS_DIR, kind.value, name)

    def record_types(
        self, names: Iterable[str]
    ) -> tuple[dict[str, RecordType], list[str]]:
        """The described sObject types among ``names`` (see :func:`read_record_types`)."""
        return read_record_types(os.path.join(self.root, SOBJECTS_DIR), names)

    def described_bytes(self) -> int:
        """The size of the snapshot's sObject describes."""
        directory = os.path.join(self.root, SOBJECTS_DIR)
        try:
            with os.scandir(directory) as entries:
                return sum(
                    e.stat().st_size for e in entries if e.name.endswith(".json")
                )
        except OSError:
            return 0

    def record_type_files(self, names: Iterable[str]) -> dict[str, TypeFile]:
        """The describe file of each of ``names`` that has one: its path, its
        SHA-256 and its (size, st_mtime_ns) as read."""
        directory = os.path.join(self.root, SOBJECTS_DIR)
        files = json_files_by_name(directory) or {}
        found = {}
        for name in names:
            file_name = files.get(name.lower())
            if file_name is not None:
                path = os.path.join(directory, file_name)
                try:
                    data, stamp = read_bytes(path)
                except OSError:
                    continue
                found[name] = TypeFile(path, hashlib.sha256(data).digest(), stamp)
        return found

    def apex_types(self, names: Iterable[str]) -> tuple[dict[str, ApexType], list[str]]:
        """The Apex-defined types among ``names`` whose members the snapshot
        holds (``apex/``), with the types those refer to; a warning for each
        that it does not hold, or holds in a file that cannot be used (those
        stay dicts)."""
        return read_apex_types(os.path.join(self.root, APEX_DIR), names)

    def read_flow(self, file_name: str) -> FlowFile:
        """Read and parse one flow file; a bad file is a problem, not an error."""
        path = self.flow_path(file_name)
        kind, stem = split_action_key(file_name[: -len(".json")])
        warnings: list[str] = []
        sha256 = stamp = None
        try:
            raw, stamp = read_bytes(path)
            sha256 = hashlib.sha256(raw).digest()
            data = json.loads(raw)
            spec = parse_describe(
                data,
                origin=path,
                fallback_name=stem,
                process_type=(
                    self.process_types.get(stem) if kind is ActionKind.FLOW else None
                ),
                kind=kind,
                warn=warnings.append,
            )
        except json.JSONDecodeError as exc:
            problem = (
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            )
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        except SourceError as exc:
            problem = exc.problem
        except OSError as exc:
            problem = f"cannot be read ({exc.strerror or exc})"
        else:
            return FlowFile(path, spec, None, tuple(warnings), sha256, stamp=stamp)
        return FlowFile(path, None, problem, tuple(warnings), sha256, stamp=stamp)


def open_snapshot(
    directory: str | Path, *, actions: ActionSelection = FLOWS_ONLY
) -> SnapshotIndex:
    """Read a snapshot's manifest and list the files of the kinds of action
    ``actions`` selects (flows alone by default); a bad manifest is fatal."""
    root = Path(directory)
    manifest = _read_manifest(root)
    flows_dir = root / FLOWS_DIR
    if not flows_dir.is_dir():
        raise SourceError(
            str(flows_dir), "missing: a snapshot keeps one <ApiName>.json per flow here"
        )
    per_flow = manifest.get("flows")
    metadata: Mapping[str, Any] = per_flow if isinstance(per_flow, Mapping) else {}
    process_types = {}
    for stem, meta in metadata.items():
        process_type = meta.get("process_type") if isinstance(meta, Mapping) else None
        if isinstance(process_type, str):
            process_types[stem] = process_type
    org_id = manifest.get("org_id")
    return SnapshotIndex(
        root=str(root),
        api_version=manifest["api_version"],
        org_id=org_id if isinstance(org_id, str) else None,
        flow_files=(
            *(
                sorted(name for name in os.listdir(flows_dir) if name.endswith(".json"))
                if ActionKind.FLOW in actions
                else ()
            ),
            *_action_files(root, actions),
        ),
        process_types=process_types,
    )


def _action_files(root: Path, actions: ActionSelection) -> list[str]:
    # <kind>/<file> of each selected kind's folder; standard actions only
    # those named in the selection (an org has hundreds).
    found: list[str] = []
    for kind in ACTION_KINDS:
        if kind not in actions:
            continue
        try:
            names = sorted(os.listdir(root / ACTIONS_DIR / kind.value))
        except OSError:
            continue
        wanted = set(actions.standard_names)
        found += [
            f"{kind.value}/{name}"
            for name in names
            if name.endswith(".json")
            and (kind is not ActionKind.STANDARD or name[: -len(".json")] in wanted)
        ]
    return found


def duplicate_flows(read: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """Files that describe a flow an earlier file (in the order given) already
    did, each with the problem to report; ``read`` is (shown path, flow name)."""
    seen: set[str] = set()
    duplicates: dict[str, str] = {}
    for shown, name in read:
        if name is None:
            continue
        if name in seen:
            duplicates[shown] = f"describes flow {name!r} again"
        seen.add(name)
    return duplicates


def assemble(index: SnapshotIndex, files: Sequence[FlowFile]) -> Snapshot:
    """The snapshot from its index and every flow file read, in file order."""
    duplicates = duplicate_flows(
        [
            (f.shown, action_key(f.spec.kind, f.spec.api_name) if f.spec else None)
            for f in files
        ]
    )
    skipped = {f.shown: f.problem for f in files if f.problem is not None}
    skipped.update(duplicates)
    specs = [f.spec for f in files if f.spec is not None and f.shown not in duplicates]
    return Snapshot(
        api_version=index.api_version,
        flows=tuple(sorted(specs, key=lambda spec: spec.api_name)),
        org_id=index.org_id,
        warnings=tuple(warning for f in files for warning in f.warnings),
        skipped=skipped,
    )


def read_snapshot(
    directory: str | Path, *, actions: ActionSelection = FLOWS_ONLY
) -> Snapshot:
    """Read a snapshot directory (the kinds of action ``actions`` selects);
    a bad manifest is fatal, a bad flow file is not."""
    index = open_snapshot(directory, actions=actions)
    return assemble(index, [index.read_flow(name) for name in index.flow_files])


def _read_manifest(root: Path) -> Mapping[str, Any]:
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise SourceError(
            str(root),
            "no such snapshot directory; run flowgen pull to write it (or, to "
            "generate from an SFDX project instead, set project in [tool.flowgen])",
        )
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


def describe_bytes(describe: Mapping[str, Any]) -> bytes:
    """A describe as a snapshot stores it: pretty, keys sorted, UTF-8, final newline.

    Stable formatting makes the diff of a pull the review of what changed.
    """
    try:
        text = json.dumps(describe, indent=2, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (an escape in the org's JSON) has no UTF-8 form:
        # such a describe is kept with every non-ASCII character escaped.
        text = json.dumps(describe, indent=2, sort_keys=True)
        return (text + "\n").encode("ascii")


def read_manifest(directory: str | Path) -> Mapping[str, Any] | None:
    """The manifest of an existing snapshot, or None when there is none yet."""
    root = Path(directory)
    if not (root / MANIFEST_NAME).is_file():
        return None
    return _read_manifest(root)


def is_flow_file_name(name: str) -> bool:
    """Whether a flow API name is safe as a file name (``Name``, ``ns__Name``).

    Names come from the org, which is untrusted: nothing but letters, digits
    and underscores may reach a path.
    """
    return bool(name) and name.isascii() and name.replace("_", "a").isalnum()
