"""Reading the org's other invocable actions: Apex, prompt templates, standard.

Each selected kind costs one list request. Which actions to describe again
is decided against the previous snapshot's manifest, with what the org
offers as a change signal: for Apex actions, their class's
``LastModifiedDate`` (one query for all of them); standard actions change
only with the API version; prompt templates offer none, so a template is
described when it is new, when its label moved, or with ``--full``. The
describes themselves ride in the flows' composite batches.
"""

from __future__ import annotations

import fnmatch
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowgen.errors import OrgError
from flowgen.model import ActionKind, ActionSelection
from flowgen.model.actions import (
    action_key,
    patterns_for,
    selected,
    split_action_key,
)
from flowgen.sources.org.batch import describe_all
from flowgen.sources.org.http import OrgSession, query_records
from flowgen.sources.snapshot import ACTION_KINDS, is_flow_file_name

APEX_QUERY = "SELECT Name, NamespacePrefix, LastModifiedDate FROM ApexClass"


@dataclass
class ActionPlan:
    """What a pull does about the other kinds of action.

    ``metas`` holds the new manifest entry of every action found (by kind
    value, then name); ``to_describe`` the keys (``apex/Name``) to describe.
    """

    metas: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    to_describe: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def describe_path(key: str) -> str:
    """Where an action's describe is read: ``actions/custom/apex/Name``."""
    kind, name = split_action_key(key)
    return f"actions/{kind.url_path}/{urllib.parse.quote(name)}"


async def plan_actions(
    org: OrgSession,
    selection: ActionSelection,
    *,
    previous: Mapping[str, Any] | None,
    have_file: Callable[[str], bool],
    full: bool,
    warn: Callable[[str], None],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> ActionPlan:
    """List each selected kind and decide, against ``previous`` (the old
    manifest), which actions to describe; ``have_file(key)`` says whether
    the snapshot still holds an action's describe. ``include``/``exclude``
    patterns with a kind's prefix (``apex:Acme_*``) narrow that kind."""
    plan = ActionPlan()
    old_actions = previous.get("actions") if isinstance(previous, Mapping) else None
    old_all: Mapping[str, Any] = old_actions if isinstance(old_actions, Mapping) else {}
    for kind in ACTION_KINDS:
        if kind not in selection:
            continue
        listed = {
            name: label
            for name, label in (await list_actions(org, kind, selection, warn)).items()
            if selected(name, patterns_for(kind, include), patterns_for(kind, exclude))
        }
        signals = (
            await _apex_dates(org, sorted(listed)) if kind is ActionKind.APEX else {}
        )
        old_kind = old_all.get(kind.value)
        old: Mapping[str, Any] = old_kind if isinstance(old_kind, Mapping) else {}
        metas = plan.metas.setdefault(kind.value, {})
        for name, label in sorted(listed.items()):
            meta: dict[str, Any] = {"label": label}
            if kind is ActionKind.APEX:
                meta["last_modified"] = signals.get(name)
            metas[name] = meta
            key = action_key(kind, name)
            before = old.get(name)
            if not isinstance(before, Mapping):
                plan.added.append(key)
            elif (
                full
                or not have_file(key)
                or any(before.get(k) != v for k, v in meta.items())
                or not all(isinstance(before.get(k), list) for k in _TYPE_KEYS)
            ):
                plan.changed.append(key)
            else:
                plan.unchanged.append(key)
                meta.update((k, list(before[k])) for k in _TYPE_KEYS)
                continue
            plan.to_describe.append(key)
    return plan


# Per action in the manifest: the sObject and Apex-defined types it passes.
_TYPE_KEYS = ("sobject_types", "apex_types")


def removed_actions(previous: Mapping[str, Any] | None, plan: ActionPlan) -> list[str]:
    """The keys of the previous snapshot's actions the org no longer lists
    (of the kinds selected now; an unselected kind's actions leave too)."""
    old_actions = previous.get("actions") if isinstance(previous, Mapping) else None
    if not isinstance(old_actions, Mapping):
        return []
    return sorted(
        action_key(ActionKind(kind), name)
        for kind, names in old_actions.items()
        if kind in {k.value for k in ACTION_KINDS} and isinstance(names, Mapping)
        for name in names
        if name not in plan.metas.get(kind, {})
    )


async def list_actions(
    org: OrgSession,
    kind: ActionKind,
    selection: ActionSelection,
    warn: Callable[[str], None],
) -> dict[str, str]:
    """Name -> label of the actions of ``kind`` the running user can see
    (of standard actions, those ``selection`` names; one it names that the
    org does not offer is a warning)."""
    listed = await _list(org, kind, warn)
    if kind is not ActionKind.STANDARD:
        return listed
    missing = [name for name in selection.standard_names if name not in listed]
    if missing:
        warn(_missing_standard(missing))
    return {name: listed[name] for name in selection.standard_names if name in listed}


async def _list(
    org: OrgSession, kind: ActionKind, warn: Callable[[str], None]
) -> dict[str, str]:
    path = f"actions/{kind.url_path}"
    hint = _PROMPT_HINT if kind is ActionKind.PROMPT else ""
    try:
        body = await org.get(org.data_path(path))
    except OrgError as exc:
        raise OrgError(f"{exc}{hint}") from exc
    actions = body.get("actions") if isinstance(body, Mapping) else None
    if not isinstance(actions, list):
        raise OrgError(f"the {kind.noun} list (GET {path}) has no 'actions' list{hint}")
    found: dict[str, str] = {}
    for action in actions:
        name = action.get("name") if isinstance(action, Mapping) else None
        if not isinstance(name, str):
            continue
        if not is_flow_file_name(name):
            warn(f"{kind.noun} name {name!r} is not a valid API name; left out")
            continue
        label = action.get("label")
        found[name] = label if isinstance(label, str) else name
    return found


_PROMPT_HINT = (
    "; prompt templates need API version 60.0 or later and the Prompt "
    "Template User permission set"
)


async def _apex_dates(org: OrgSession, names: Sequence[str]) -> dict[str, Any]:
    # One query for every Apex action's class: its LastModifiedDate moves
    # when the class (and so its invocable variables) is saved.
    if not names:
        return {}
    bare = sorted({name.rpartition("__")[2] for name in names})
    where = ", ".join(f"'{name}'" for name in bare)  # checked API names only
    dates: dict[str, Any] = {}
    query = f"{APEX_QUERY} WHERE Name IN ({where})"
    for record in await query_records(org, org.data_path("query"), query):
        namespace = record.get("NamespacePrefix") or None
        name = record.get("Name")
        if isinstance(name, str):
            dates[f"{namespace}__{name}" if namespace else name] = record.get(
                "LastModifiedDate"
            )
    return dates


def _missing_standard(missing: Sequence[str]) -> str:
    return (
        f"standard action(s) {', '.join(missing)} not offered by the org at this "
        "API version; left out (names are case-sensitive, as in emailSimple)"
    )


async def describe_actions(
    org: OrgSession,
    selection: ActionSelection,
    *,
    names: Sequence[str] = (),
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """``<kind>/<Name>`` -> describe of every action of the kinds selected
    (but flows), in composite batches; with ``names``, only the keys that
    match one of them (glob patterns, any case)."""
    keys = []
    for kind in ACTION_KINDS:
        if kind in selection:
            listed = await list_actions(org, kind, selection, warn)
            keys += [action_key(kind, name) for name in sorted(listed)]
    if names:
        patterns = [name.lower() for name in names]
        keys = [
            k for k in keys if any(fnmatch.fnmatchcase(k.lower(), p) for p in patterns)
        ]
    return await describe_all(org, keys, url_of=describe_path, noun="action")
