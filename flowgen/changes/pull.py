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
from flowgen.model import FlowSpec
from flowgen.sources.describe import parse_describe


def pull_changes(
    root: Path,
    *,
    previous: Mapping[str, Any] | None,
    flows: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, bytes],
    touched: Iterable[str],
) -> list[Change]:
    """The changes between the snapshot at ``root`` (before it is replaced)
    and a pull's result.

    ``previous`` is the old manifest, ``flows`` the new manifest's entries,
    ``files`` the new describe files by flow name, and ``touched`` the flows
    added, changed or removed.
    """
    old_meta: Mapping[str, Any] = (previous or {}).get("flows") or {}
    old: dict[str, FlowSpec] = {}
    new: dict[str, FlowSpec] = {}
    for name in sorted(set(touched)):
        if name in old_meta:
            try:
                raw = (root / "flows" / f"{name}.json").read_bytes()
            except OSError:
                raw = None
            spec = _spec(name, raw, old_meta[name])
            if spec is not None:
                old[name] = spec
        if name in flows:
            spec = _spec(name, files.get(name), flows[name])
            if spec is not None:
                new[name] = spec
    return diff_flows(old, new)


def _spec(name: str, raw: bytes | None, meta: Any) -> FlowSpec | None:
    # A file that cannot be read here was reported (or replaced) by the pull.
    if raw is None:
        return None
    process_type = meta.get("process_type") if isinstance(meta, Mapping) else None
    try:
        return parse_describe(
            json.loads(raw),
            origin=name,
            fallback_name=name,
            process_type=process_type if isinstance(process_type, str) else None,
            warn=lambda _: None,
        )
    except (ValueError, SourceError):
        return None
