"""What a pull changed in the flows' interfaces, for ``flowgen pull`` to say.

Only the flows the pull added, changed or removed are read: an unchanged
flow cannot change an interface, and reading a thousand files twice would
cost more than the pull's own work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flowgen.changes.diff import Change, diff_flows
from flowgen.errors import SourceError
from flowgen.model import ActionKind, FlowSpec
from flowgen.model.actions import split_action_key
from flowgen.sources.describe import parse_describe
from flowgen.sources.snapshot_write import describe_file


def pull_changes(
    root: Path,
    *,
    previous: Mapping[str, Any] | None,
    flows: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, bytes],
    touched: Iterable[str],
    actions: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Change]:
    """The changes between the snapshot at ``root`` (before it is replaced)
    and a pull's result.

    ``previous`` is the old manifest, ``flows`` the new manifest's entries
    (``actions`` those of the other kinds of action), ``files`` the new
    describe files by flow name (``<kind>/<Name>`` for other actions), and
    ``touched`` the flows and actions added, changed or removed.
    """
    old_meta = _entries(previous or {})
    new_meta = {**flows, **_entries({"actions": actions or {}})}
    old: dict[str, FlowSpec] = {}
    new: dict[str, FlowSpec] = {}
    for name in sorted(set(touched)):
        if name in old_meta:
            try:
                raw = (root / describe_file(name)).read_bytes()
            except OSError:
                raw = None
            spec = _spec(name, raw, old_meta[name])
            if spec is not None:
                old[name] = spec
        if name in new_meta:
            spec = _spec(name, files.get(name), new_meta[name])
            if spec is not None:
                new[name] = spec
    return diff_flows(old, new)


def _entries(manifest: Mapping[str, Any]) -> dict[str, Any]:
    # Every flow's and other action's manifest entry, by key (apex/Name).
    found = dict(manifest.get("flows") or {})
    for kind, names in (manifest.get("actions") or {}).items():
        if kind in {k.value for k in ActionKind} and isinstance(names, Mapping):
            found.update((f"{kind}/{name}", meta) for name, meta in names.items())
    return found


def _spec(name: str, raw: bytes | None, meta: Any) -> FlowSpec | None:
    # A file that cannot be read here was reported (or replaced) by the pull.
    if raw is None:
        return None
    process_type = meta.get("process_type") if isinstance(meta, Mapping) else None
    kind, bare = split_action_key(name)
    try:
        return parse_describe(
            json.loads(raw),
            origin=name,
            fallback_name=bare,
            process_type=process_type if isinstance(process_type, str) else None,
            kind=kind,
            warn=lambda _: None,
        )
    except (ValueError, SourceError):
        return None
