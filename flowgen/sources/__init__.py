"""Turning the outside world into the model: snapshots, describes, git revisions.

What this package's surface offers needs no network: reading and writing
snapshot directories (also as a git revision holds them) and parsing flow
describes. An org (httpx) is read by :mod:`flowgen.sources.org`, an SFDX
project's XML by :mod:`flowgen.sources.sfdx`.
"""

from flowgen.sources.describe import parse_describe
from flowgen.sources.git_snapshot import checked_out, is_git_spec
from flowgen.sources.snapshot import (
    FlowFile,
    Snapshot,
    SnapshotIndex,
    TypeFile,
    duplicate_flows,
    open_snapshot,
    read_manifest,
    read_snapshot,
    snapshot_files,
)
from flowgen.sources.snapshot_write import write_snapshot

__all__ = [
    "FlowFile",
    "Snapshot",
    "SnapshotIndex",
    "TypeFile",
    "checked_out",
    "duplicate_flows",
    "is_git_spec",
    "open_snapshot",
    "parse_describe",
    "read_manifest",
    "read_snapshot",
    "snapshot_files",
    "write_snapshot",
]
