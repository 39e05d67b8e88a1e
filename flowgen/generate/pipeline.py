"""From a source of flow files to the files of a package.

Three steps: read and parse each flow file; decide the package-wide names
(which needs every flow's outline); render each flow module and the
package-level files. What happens to each rendered file is the caller's
``emit``: stage it on disk, or keep its bytes. One process does it all: a
pool of forked processes rendered no faster on two CPUs (bench/generate.py).

A flow file that cannot be read or parsed stops the run before anything is
rendered: a package without that flow would delete its module and its
re-exports, and break the imports of the code that calls it. A file that
describes a flow another file already did is only left out: the flow is
still generated, from the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, Protocol, TypeVar, cast

from flowgen.generate import typed_cache
from flowgen.generate.plan import PackagePlan
from flowgen.model import ApexType, FlowOutline, RecordType
from flowgen.model.actions import action_key
from flowgen.sources.snapshot import FlowFile, TypeFile, duplicate_flows

R = TypeVar("R")


@dataclass(frozen=True)
class Generated(Generic[R]):
    """What generation produced and had to say.

    ``results`` holds ``emit``'s answer for every file of the package.
    ``warnings`` are for a user who wants to know; ``problems`` are flow files
    that could not be used (path -> why). ``unreadable`` are those of them
    that could not be read or parsed: when there is any, nothing was rendered
    (``results`` is empty) and nothing should be written.
    """

    results: list[R]
    flow_count: int
    warnings: tuple[str, ...]
    problems: Mapping[str, str]
    # SHA-256 and (size, st_mtime_ns) of each flow and type file read, by path.
    file_digests: Mapping[str, bytes]
    file_stamps: Mapping[str, tuple[int, int]]
    unreadable: Mapping[str, str] = field(default_factory=dict)
    other_count: int = 0  # actions of other kinds than flows


class _Summary(NamedTuple):
    shown: str
    outline: FlowOutline | None
    problem: str | None
    warnings: tuple[str, ...]
    sha256: bytes | None
    stamp: tuple[int, int] | None
    skipped: tuple[str, str] | None


@dataclass(frozen=True)
class _Emitted(Generic[R]):
    """What the second step hands back: ``emit``'s answer, a warning, or a
    type file it read (so the run's record need not read it again)."""

    result: R | None
    warning: str | None = None
    read: TypeFile | None = None


class _Decision(NamedTuple):
    plan: PackagePlan
    problems: Mapping[str, str]  # unreadable and duplicate flow files
    unreadable: Mapping[str, str]  # files that could not be read or parsed
    warnings: tuple[str, ...]
    file_digests: Mapping[str, bytes]
    file_stamps: Mapping[str, tuple[int, int]]


class FlowSource(Protocol):
    """Flow files that can be read one by one: a snapshot
    (:class:`~flowgen.sources.snapshot.SnapshotIndex`) or an SFDX project
    (:class:`~flowgen.sources.sfdx.flows.SfdxProject`)."""

    @property
    def api_version(self) -> str: ...

    @property
    def flow_files(self) -> tuple[str, ...]: ...

    def flow_path(self, file_name: str) -> str: ...

    def read_flow(self, file_name: str) -> FlowFile: ...

    def record_types(
        self, names: Iterable[str]
    ) -> tuple[Mapping[str, RecordType], Sequence[str]]: ...

    def apex_types(
        self, names: Iterable[str]
    ) -> tuple[Mapping[str, ApexType], Sequence[str]]: ...

    def described_bytes(self) -> int:
        """The size of the sObject describes the source holds (a measure of
        the work of typing records)."""

    def record_type_files(self, names: Iterable[str]) -> Mapping[str, TypeFile] | None:
        """Each described type's source file as read (with its digest), or
        None when the source cannot say (its records.py is then made every run)."""


def generate(
    index: FlowSource,
    *,
    package: str,
    emit: Callable[[str, bytes], R],
) -> Generated[R]:
    """Render the package for the flows of ``index``, handing every file to
    ``emit(relative_path, data)``."""

    def read(names: Sequence[str]) -> tuple[list[FlowFile], list[_Summary]]:
        files = [index.read_flow(name) for name in names]
        return files, [
            _Summary(
                shown=f.shown,
                outline=FlowOutline.of(f.spec) if f.spec else None,
                problem=f.problem,
                warnings=f.warnings,
                sha256=f.sha256,
                stamp=f.stamp,
                skipped=f.skipped,
            )
            for f in files
        ]

    def decide(summaries: list[_Summary]) -> _Decision:
        unreadable = {s.shown: s.problem for s in summaries if s.problem is not None}
        problems = dict(unreadable)
        problems.update(
            duplicate_flows(
                [
                    (
                        (s.shown, action_key(s.outline.kind, s.outline.api_name))
                        if s.outline
                        else (s.shown, None)
                    )
                    for s in summaries
                ]
            )
        )
        plan = PackagePlan(
            [s.outline for s in summaries if s.outline and s.shown not in problems],
            package=package,
            api_version=index.api_version,
        )
        warnings = [f"warning: {warning}" for s in summaries for warning in s.warnings]
        skipped = dict(s.skipped for s in summaries if s.skipped is not None)
        skipped.update(plan.skipped_flows)
        warnings += [
            f"skipped flow {name}: {reason}" for name, reason in sorted(skipped.items())
        ]
        return _Decision(
            plan=plan,
            problems=problems,
            unreadable=unreadable,
            warnings=tuple(warnings),
            file_digests={s.shown: s.sha256 for s in summaries if s.sha256},
            file_stamps={s.shown: s.stamp for s in summaries if s.stamp},
        )

    def _records(
        plan: PackagePlan,
    ) -> tuple[bytes, Sequence[str], Iterable[TypeFile]]:
        # records.py, from the cache when its describes are as they were.
        names = plan.record_type_names
        files = index.record_type_files(names) or {}
        digests = {name: file.sha256 for name, file in files.items()}
        key = typed_cache.key(plan.record_aliases, digests) if digests else None
        kept = typed_cache.load(key) if key else None
        if kept is not None:
            return (*kept, files.values())
        record_types, warnings = index.record_types(names)
        module = plan.records_module(record_types)
        if key:
            typed_cache.store(key, module, warnings)
        return module, warnings, files.values()

    def render(files: list[FlowFile], decision: _Decision) -> list[_Emitted[R]]:
        plan = decision.plan
        results = [
            _Emitted(emit(*plan.flow_module(f.spec)))
            for f in files
            if f.spec is not None
            and f.shown not in decision.problems
            and plan.includes(f.spec)
        ]
        # The package-level files, and the sObject and Apex types they need.
        records, record_warnings, type_files = _records(plan)
        apex_types, apex_warnings = index.apex_types(plan.apex_type_names)
        shared = plan.shared_files(apex_types=apex_types, records=records)
        results.extend(_Emitted(emit(*item)) for item in shared.items())
        results.extend(
            _Emitted(None, f"warning: {warning}")
            for warning in [*record_warnings, *apex_warnings]
        )
        results.extend(_Emitted(None, read=file) for file in type_files)
        return results

    files, summaries = read(index.flow_files)
    decision = decide(summaries)
    if decision.unreadable:
        return Generated(
            results=[],
            flow_count=decision.plan.flow_count,
            warnings=decision.warnings,
            problems=dict(sorted(decision.problems.items())),
            file_digests=decision.file_digests,
            file_stamps=decision.file_stamps,
            unreadable=dict(sorted(decision.unreadable.items())),
        )
    emitted = render(files, decision)
    results = [
        cast(R, item.result)
        for item in emitted
        if item.warning is None and item.read is None
    ]
    late_warnings = [item.warning for item in emitted if item.warning is not None]
    type_files = [item.read for item in emitted if item.read is not None]
    return Generated(
        results=results,
        flow_count=decision.plan.flow_count,
        other_count=decision.plan.other_count,
        warnings=(*decision.warnings, *late_warnings),
        problems=dict(sorted(decision.problems.items())),
        file_digests={
            **decision.file_digests,
            **{file.path: file.sha256 for file in type_files},
        },
        file_stamps={
            **decision.file_stamps,
            **{file.path: file.stamp for file in type_files},
        },
    )
