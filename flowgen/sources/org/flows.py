"""Reading an org's flows: list, change detection, batched describes.

A pull costs few requests whatever the org's size: one list, one query per
2,000 flows for their versions (``FlowDefinitionView``), and one composite
batch per 25 describes, several batches in flight. Against the previous
snapshot's manifest only flows whose version or modification date moved are
described again; the rest keep their files. The sObject types the flows pass
records of are described (and trimmed) on every pull, 25 to a batch.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowgen.errors import ConfigError, OrgError, SourceError
from flowgen.model import ActionKind, ActionSelection, FlowOutline
from flowgen.model.actions import (
    FLOWS_ONLY,
    patterns_for,
    selected,
    split_action_key,
)
from flowgen.sources.apex import apex_type_json
from flowgen.sources.describe import parse_describe
from flowgen.sources.org.actions import (
    describe_path,
    plan_actions,
    removed_actions,
)
from flowgen.sources.org.apex import fetch_apex_types
from flowgen.sources.org.batch import (
    BATCHES_IN_FLIGHT,
    Progress,
    describe_all,
)
from flowgen.sources.org.http import OrgSession, query_records
from flowgen.sources.snapshot import describe_bytes, is_flow_file_name
from flowgen.sources.sobjects import trim_describe

VERSION_QUERY = (
    "SELECT ApiName, NamespacePrefix, ProcessType, ActiveVersionId, "
    "LatestVersionId, LastModifiedDate FROM FlowDefinitionView"
)
# Per-flow manifest keys that say whether a flow changed since the last pull.
VERSION_KEYS = ("active_version_id", "latest_version_id", "last_modified")


@dataclass(frozen=True)
class Pulled:
    """What a pull found, relative to the previous snapshot's manifest."""

    # The big fields stay out of repr: Python 3.11's asyncio formats the
    # finished main task (result included) while restoring signal handlers.
    api_version: str
    flows: Mapping[str, Mapping[str, Any]] = field(repr=False)  # every flow's entry
    described: Mapping[str, Any] = field(repr=False)  # new and changed flows' bodies
    files: Mapping[str, bytes] = field(repr=False)  # the same, as snapshot files
    # Trimmed describes of the sObject types the flows pass records of.
    sobjects: Mapping[str, bytes] = field(repr=False)
    # The members of the Apex-defined types they pass, by Apex name.
    apex: Mapping[str, bytes] = field(repr=False)
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    requests: int
    warnings: tuple[str, ...] = field(default=())
    # Flows outside the command line's --include/--exclude: not refreshed,
    # their files and manifest entries kept as they were (also in unchanged).
    kept: tuple[str, ...] = field(default=())
    # The other kinds of action selected: kind -> name -> manifest entry.
    # Their keys in added, changed, removed, unchanged and files are
    # <kind>/<Name> (flow names have no slash).
    actions: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(
        default_factory=dict, repr=False
    )

    def manifest(self) -> dict[str, Any]:
        """The snapshot manifest (format 1) for this pull."""
        manifest = {
            "format": 1,
            "api_version": self.api_version,
            "flows": {name: dict(meta) for name, meta in sorted(self.flows.items())},
        }
        if any(self.actions.values()):  # a flows-only snapshot stays as it was
            manifest["actions"] = {
                kind: {name: dict(meta) for name, meta in sorted(names.items())}
                for kind, names in sorted(self.actions.items())
            }
        return manifest


async def pull(
    org: OrgSession,
    *,
    previous: Mapping[str, Any] | None,
    have_file: Callable[[str], bool] = lambda name: True,
    old_describe: Callable[[str], Any] = lambda name: None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    refresh_include: Sequence[str] = (),
    refresh_exclude: Sequence[str] = (),
    full: bool = False,
    progress: Progress | None = None,
    batches_in_flight: int = BATCHES_IN_FLIGHT,
    actions: ActionSelection = FLOWS_ONLY,
) -> Pulled:
    """List, compare with ``previous`` (a manifest), describe what moved.

    ``have_file(name)`` says whether the previous snapshot still holds that
    flow's describe file; a flow without one is described again.
    ``old_describe(name)`` reads it, for a previous manifest that does not
    say which sObject types the flow uses. The describes of every such type
    are fetched on every pull (a few batches at most): objects change
    without their flows changing.

    ``include`` and ``exclude`` (the settings) are the snapshot's scope: a
    flow outside them leaves it. ``refresh_include`` and ``refresh_exclude``
    (the command line) narrow only what this pull refreshes: a flow of the
    previous snapshot outside them keeps its file and manifest entry as they
    were (``kept``, counted as unchanged), even one the org no longer has.
    """
    warnings: list[str] = []
    kinds_include, kinds_exclude = include, exclude  # apex:..., prompt:...
    include = patterns_for(ActionKind.FLOW, include)
    exclude = patterns_for(ActionKind.FLOW, exclude)
    # The command line's filters narrow the flows' refresh only.
    refresh_include = patterns_for(ActionKind.FLOW, refresh_include)
    refresh_exclude = patterns_for(ActionKind.FLOW, refresh_exclude)
    in_scope: list[str] = []
    versions: dict[str, dict[str, Any]] = {}
    if ActionKind.FLOW in actions:  # "actions" may leave flows out of the snapshot
        in_scope = await list_flows(
            org, include=include, exclude=exclude, warn=warnings.append
        )
        versions = await flow_versions(org)
    old_flows = previous.get("flows") if isinstance(previous, Mapping) else None
    old: Mapping[str, Any] = old_flows if isinstance(old_flows, Mapping) else {}
    narrowed = bool(refresh_include or refresh_exclude)
    if previous is not None and previous.get("api_version") != org.api_version:
        if narrowed and old:
            raise ConfigError(
                f"the snapshot holds API version {previous.get('api_version')} "
                f"describes and this pull reads {org.api_version}: every flow must "
                "be described again, so --include/--exclude cannot narrow it; "
                "pull without them (or with --api-version "
                f"{previous.get('api_version')})"
            )
        full = True  # describes may differ between API versions
    names = [n for n in in_scope if selected(n, refresh_include, refresh_exclude)]
    plan = await plan_actions(
        org,
        actions,
        previous=previous,
        have_file=have_file,
        full=full,
        warn=warnings.append,
        include=kinds_include,
        exclude=kinds_exclude,
    )
    kept = _kept(old, names, include, exclude, refresh_include, refresh_exclude)
    listed = set(in_scope)
    warnings += [
        f"flow {name} is no longer in the org; kept, since --include/--exclude "
        "leave it out of this pull (a pull without them removes it)"
        for name in kept
        if name not in listed
    ]
    kept_files = [name for name in kept if have_file(name)]
    if kept:
        warnings.append(
            f"{len(kept)} flow(s) outside --include/--exclude were not refreshed; "
            "they keep their files as they were"
        )

    flows: dict[str, dict[str, Any]] = {}
    to_describe: list[str] = []
    added, changed, unchanged = [], [], []
    for name in names:
        meta = versions.get(name, {})
        flows[name] = meta
        before = old.get(name)
        if not isinstance(before, Mapping):
            added.append(name)
            to_describe.append(name)
        elif (
            full
            or not meta
            or not have_file(name)
            or any(before.get(key) != meta.get(key) for key in VERSION_KEYS)
        ):
            changed.append(name)
            to_describe.append(name)
        else:
            unchanged.append(name)
    # The types of the flows that keep their files are known already: their
    # describes ride in the same batches as the flows', a request saved.
    for name in unchanged:
        _note_types(
            flows[name], old.get(name, {}), functools.partial(old_describe, name)
        )
    # Kept flows' entries stay as they were; their types are still wanted.
    typed: dict[str, dict[str, Any]] = {}
    for name in kept_files:
        typed[name] = {}
        _note_types(typed[name], old[name], functools.partial(old_describe, name))
    # Unchanged actions' entries carry their types from the old manifest.
    for key in plan.unchanged:
        kind, name = split_action_key(key)
        typed[key] = plan.metas[kind.value][name]
    known = sorted(
        {t for n in unchanged for t in flows[n]["sobject_types"]}
        | {t for meta in typed.values() for t in meta["sobject_types"]}
    )
    files: dict[str, bytes] = {}

    def arrived(key: str, body: Mapping[str, Any]) -> None:
        if not key.startswith(_SOBJECT):  # formatted while others are on the wire
            files[key] = describe_bytes(body)

    bodies = await describe_all(
        org,
        [
            *to_describe,
            *plan.to_describe,
            *(_SOBJECT + t for t in known if is_flow_file_name(t)),
        ],
        url_of=_path_of,
        noun="flow, action or sObject type",
        progress=progress,
        batches_in_flight=batches_in_flight,
        on_arrival=arrived,
    )
    described = {k: v for k, v in bodies.items() if not k.startswith(_SOBJECT)}
    objects = {
        k[len(_SOBJECT) :]: v for k, v in bodies.items() if k.startswith(_SOBJECT)
    }
    for name in to_describe:
        if name not in described:  # deleted between the list and its describe
            warnings.append(f"flow {name} disappeared during the pull; left out")
            flows.pop(name)
    for key in plan.to_describe:
        kind, name = split_action_key(key)
        meta = plan.metas[kind.value][name]
        if key not in described:
            warnings.append(f"{kind.noun} {name} disappeared during the pull; left out")
            del plan.metas[kind.value][name]
            continue
        meta["sobject_types"], meta["apex_types"] = types_used(described[key])
        typed[key] = meta
    for name in described:
        if name in flows:
            flows[name]["sobject_types"], flows[name]["apex_types"] = types_used(
                described[name]
            )
    typed.update(flows)
    wanted = sorted({t for meta in typed.values() for t in meta["sobject_types"]})
    newly = [t for t in wanted if t not in known]  # only new flows use these
    objects.update(
        await describe_sobjects(org, newly, batches_in_flight=batches_in_flight)
    )
    objects = {name: body for name, body in objects.items() if name in wanted}
    warnings += [
        f"sObject {name}: the org gave no describe; its records stay untyped"
        for name in wanted
        if name not in objects
    ]
    apex_wanted = sorted({t for meta in typed.values() for t in meta["apex_types"]})
    flows.update((name, dict(old[name])) for name in kept)
    apex_types, apex_warnings = await fetch_apex_types(org, apex_wanted)
    warnings += apex_warnings
    return Pulled(
        api_version=org.api_version,
        flows=flows,
        described=described,
        files=files,
        sobjects={
            name: describe_bytes(trim_describe(body)) for name, body in objects.items()
        },
        apex={
            name: describe_bytes(apex_type_json(value))
            for name, value in apex_types.items()
        },
        added=tuple(n for n in [*added, *plan.added] if n in described),
        changed=tuple(n for n in [*changed, *plan.changed] if n in described),
        removed=tuple(
            sorted([*(set(old) - set(flows)), *removed_actions(previous, plan)])
        ),
        unchanged=tuple(sorted([*unchanged, *kept_files, *plan.unchanged])),
        requests=org.requests,
        warnings=tuple(warnings),
        kept=tuple(kept_files),
        actions=plan.metas,
    )


def _kept(
    old: Mapping[str, Any],
    refreshed: Sequence[str],
    include: Sequence[str],
    exclude: Sequence[str],
    refresh_include: Sequence[str],
    refresh_exclude: Sequence[str],
) -> list[str]:
    # The previous snapshot's flows that this pull leaves as they are: inside
    # the settings' scope, outside the command line's filter.
    if not (refresh_include or refresh_exclude):
        return []
    refreshing = set(refreshed)
    return sorted(
        name
        for name, meta in old.items()
        if isinstance(meta, Mapping)
        and name not in refreshing
        and is_flow_file_name(name)
        and selected(name, include, exclude)
        and not selected(name, refresh_include, refresh_exclude)
    )


async def list_flows(
    org: OrgSession,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    warn: Callable[[str], None],
) -> list[str]:
    """Names of the flows the REST API offers, filtered by glob patterns."""
    body = await org.get(org.data_path("actions/custom/flow"))
    actions = body.get("actions") if isinstance(body, Mapping) else None
    if not isinstance(actions, list):
        raise OrgError("the flow list (GET actions/custom/flow) has no 'actions' list")
    names: set[str] = set()
    for action in actions:
        name = action.get("name") if isinstance(action, Mapping) else None
        if not isinstance(name, str):
            continue
        if not is_flow_file_name(name):
            warn(f"flow name {name!r} is not a valid API name; left out")
            continue
        if selected(name, include, exclude):
            names.add(name)
    return sorted(names)


async def flow_versions(org: OrgSession) -> dict[str, dict[str, Any]]:
    """Per flow (``ns__Name`` for namespaced ones): process type, version ids and
    modification date, from ``FlowDefinitionView`` (every page)."""
    found: dict[str, dict[str, Any]] = {}
    for record in await query_records(org, org.data_path("query"), VERSION_QUERY):
        if not record.get("ApiName"):
            continue
        namespace = record.get("NamespacePrefix") or None
        name = f"{namespace}__{record['ApiName']}" if namespace else record["ApiName"]
        found[str(name)] = {
            "process_type": record.get("ProcessType"),
            "namespace": namespace,
            "active_version_id": record.get("ActiveVersionId"),
            "latest_version_id": record.get("LatestVersionId"),
            "last_modified": record.get("LastModifiedDate"),
        }
    return found


_SOBJECT = "sObject "  # keys of sObject describes among flow names (no spaces)


def _path_of(key: str) -> str:
    if key.startswith(_SOBJECT):
        return f"sobjects/{key[len(_SOBJECT):]}/describe"
    if "/" in key:  # another kind of action: apex/Name
        return describe_path(key)
    return f"actions/custom/flow/{urllib.parse.quote(key)}"


def _note_types(
    meta: dict[str, Any], before: Mapping[str, Any], read_old: Callable[[], Any]
) -> None:
    # A flow's types from the previous manifest, or (an older one) its file.
    if all(isinstance(before.get(k), list) for k in ("sobject_types", "apex_types")):
        meta["sobject_types"] = sorted(map(str, before["sobject_types"]))
        meta["apex_types"] = sorted(map(str, before["apex_types"]))
    else:
        meta["sobject_types"], meta["apex_types"] = types_used(read_old())


async def describe_flows(
    org: OrgSession,
    names: Sequence[str],
    *,
    progress: Progress | None = None,
    batches_in_flight: int = BATCHES_IN_FLIGHT,
    on_arrival: Callable[[str, Mapping[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """name -> describe body, through composite batches of up to 25.

    A flow whose subrequest fails is tried again in a later round; one the org
    says does not exist (404) is left out; one that keeps failing stops the
    pull with its name and what the org said.
    """
    return await describe_all(
        org,
        names,
        url_of=lambda name: f"actions/custom/flow/{urllib.parse.quote(name)}",
        noun="flow",
        progress=progress,
        batches_in_flight=batches_in_flight,
        on_arrival=on_arrival,
    )


async def describe_sobjects(
    org: OrgSession,
    names: Sequence[str],
    *,
    batches_in_flight: int = BATCHES_IN_FLIGHT,
) -> dict[str, Any]:
    """sObject name -> its full describe (``sobjects/{name}/describe``), batched
    and retried as flow describes are; a type the org does not know is left out."""
    usable = [name for name in names if is_flow_file_name(name)]
    return await describe_all(
        org,
        usable,
        url_of=lambda name: f"sobjects/{name}/describe",
        noun="sObject",
        batches_in_flight=batches_in_flight,
    )


def types_used(body: Any) -> tuple[list[str], list[str]]:
    """The sObject and Apex-defined types a flow describe passes, each sorted."""
    try:
        spec = parse_describe(body, origin="describe", warn=lambda message: None)
    except SourceError:
        return [], []
    outline = FlowOutline.of(spec)
    return sorted(outline.record_types), sorted(outline.apex_classes)
