"""Apex-defined types: the public members of the Apex classes flows pass.

A flow variable with ``apexClass`` set (``Shipping$Quote`` for inner class
``Quote`` of ``Shipping``, ``LeadSummary`` for a top-level class) holds an
object of that class. Its members come from the Tooling API's
``ApexClass.SymbolTable``, one query per 100 outer classes; the classes
those members refer to (``List<Shipping.Parcel>``) are fetched too, a few
rounds deep. A snapshot keeps one small file per type:

    <snapshot>/apex/<Name>.json   {"name": "Shipping$Quote",
                                   "members": [{"name": "carrier", "type": "String"}]}

Nothing here fails a pull: a class the org lacks, one it will not show
(managed packages give a null SymbolTable) or a user without Tooling API
access is a warning, and the flows keep such values as plain dicts.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowgen.errors import OrgError, SourceError
from flowgen.model import ApexMember, ApexType
from flowgen.model.apex_names import apex_type_candidates
from flowgen.sources.snapshot import json_files_by_name, read_type_file

if TYPE_CHECKING:  # generate reads apex/ files: it must not import httpx for that
    from flowgen.sources.org.http import OrgSession

QUERY_CHUNK = 100  # class names per Tooling API query
FOLLOW_ROUNDS = 3  # further query rounds for the classes members refer to
APEX_QUERY = "SELECT Id, Name, NamespacePrefix, SymbolTable FROM ApexClass"

_FILE_NAME = re.compile(r"[A-Za-z0-9_$]+")


# --- SymbolTables --------------------------------------------------------------------


def apex_types_from_symbol_table(
    symbol_table: Mapping[str, Any],
) -> dict[str, ApexType]:
    """Every class a SymbolTable describes, by name: the outer class under its
    own name, each inner class as ``Outer$Inner``.

    Members are the public or global, non-static entries of ``properties``
    (member variables and properties alike), in declared order, each type
    as Apex spells it. Malformed entries are left out.
    """
    outer = symbol_table.get("name")
    if not isinstance(outer, str) or not outer:
        return {}
    types = {outer: ApexType(outer, _members(symbol_table.get("properties")))}
    inner_classes = symbol_table.get("innerClasses")
    for inner in inner_classes if isinstance(inner_classes, list) else ():
        inner_name = inner.get("name") if isinstance(inner, Mapping) else None
        if not isinstance(inner_name, str) or not inner_name:
            continue
        name = f"{outer}${inner_name}"
        # Inner classes cannot nest in Apex: deeper levels are not looked at.
        types.setdefault(name, ApexType(name, _members(inner.get("properties"))))
    return types


def _members(properties: Any) -> tuple[ApexMember, ...]:
    members: dict[str, ApexMember] = {}  # lowercased name -> member
    for entry in properties if isinstance(properties, list) else ():
        if not isinstance(entry, Mapping):
            continue
        name, apex_type = entry.get("name"), entry.get("type")
        if not isinstance(name, str) or not name or not isinstance(apex_type, str):
            continue
        raw = entry.get("modifiers")
        listed = raw if isinstance(raw, list) else ()
        modifiers = {m.lower() for m in listed if isinstance(m, str)}
        if "static" in modifiers or not modifiers & {"public", "global"}:
            continue
        members.setdefault(name.lower(), ApexMember(name, apex_type))
    return tuple(members.values())


# --- the Tooling API -------------------------------------------------------------------


@dataclass(frozen=True)
class _Outer:
    """A queried outer class: the org's spelling (None: not in the org) and its
    types by lowercased name (None: its SymbolTable cannot be read)."""

    name: str | None
    types: Mapping[str, ApexType] | None = None


@dataclass(frozen=True)
class _Want:
    """A type to find: asked for by name (``key``), or referred to by a member."""

    candidates: tuple[str, ...]
    key: str | None = None  # the requested spelling; None for a reference
    used_by: str | None = None  # the type whose member refers to it


class _ToolingFailed(Exception):
    """The Tooling API cannot be used (no access, a refused query)."""


async def fetch_apex_types(
    org: OrgSession, names: Sequence[str]
) -> tuple[dict[str, ApexType], list[str]]:
    """The Apex-defined types ``names`` (``Shipping$Quote``, ``LeadSummary``)
    from the org's Tooling API, plus the types their members refer to, and
    warnings.

    Requested types are keyed as requested, the others by their Apex
    spelling; each type's ``name`` is spelled as the org spells it. A class
    that is not found or cannot be read, or a Tooling API the user cannot
    query, is a warning; what was found is returned. Only a used-up API
    request limit raises (:class:`OrgError`): nothing else would work either.
    """
    warnings: list[str] = []

    def warn(message: str) -> None:
        if message not in warnings:  # two members referring to one unreadable class
            warnings.append(message)

    pending: list[_Want] = []
    for name in dict.fromkeys(names):
        if _is_requestable(name):
            pending.append(_Want((name,), key=name))
        else:
            warn(f"Apex class {name!r}: not a valid class name; typed as a dict")
    outers: dict[str, _Outer] = {}  # by lowercased Name (ns__Name if namespaced)
    found: dict[str, ApexType] = {}
    taken: set[str] = set()  # lowercased names of the types in found
    for _ in range(1 + FOLLOW_ROUNDS):
        needed: dict[str, str] = {}  # lowercased -> as spelled where first seen
        for want in pending:
            outer = _waiting_on(want.candidates, outers)
            if outer is not None:
                needed.setdefault(outer.lower(), outer)
        problem = None
        if needed:
            try:
                await _query_outers(org, sorted(needed.values()), outers)
            except _ToolingFailed as exc:
                problem = str(exc)
        pending = _settle(pending, outers, found, taken, warn)
        if problem is not None:
            untyped = sorted({_shown(want) for want in pending})
            warn(
                f"Apex classes: the Tooling API cannot be queried ({problem}); "
                f"{len(untyped)} Apex-defined type(s) are typed as dicts: "
                + ", ".join(untyped[:10])
                + (" ..." if len(untyped) > 10 else "")
                + ". Does the user have access to the Tooling API?"
            )
            return found, warnings
        if not pending:
            return found, warnings
    for want in pending:  # references deeper than the rounds allowed
        warn(
            f"Apex class {_shown(want)}: more than {FOLLOW_ROUNDS} classes "
            "away from the flows' own; typed as a dict"
        )
    return found, warnings


def _settle(
    pending: Sequence[_Want],
    outers: Mapping[str, _Outer],
    found: dict[str, ApexType],
    taken: set[str],
    warn: Callable[[str], None],
) -> list[_Want]:
    """Find what the queried classes hold; the wants still waiting on a query."""
    waiting: list[_Want] = []
    queue = deque(pending)
    while queue:
        want = queue.popleft()
        if _waiting_on(want.candidates, outers) is not None:
            waiting.append(want)
            continue
        located = _locate(want.candidates, outers)
        if located is None:
            if want.key is not None:
                warn(f"Apex class {want.key}: not found in the org; typed as a dict")
            continue
        if isinstance(located, str):
            warn(
                f"Apex class {_shown(want)}: the org's class {located} cannot be "
                "read (managed package? its SymbolTable is null); typed as a dict"
            )
            continue
        if want.key is None and located.name.lower() in taken:
            continue
        found[want.key or located.name] = located
        if located.name.lower() in taken:
            continue  # asked for again in another spelling: members followed
        taken.add(located.name.lower())
        for member in located.members:
            candidates = apex_type_candidates(member.apex_type, located.name)
            if candidates:
                queue.append(_Want(candidates, used_by=located.name))
    return waiting


def _waiting_on(candidates: Sequence[str], outers: Mapping[str, _Outer]) -> str | None:
    """The outer class (as spelled) to query before ``candidates`` can be
    decided, if any."""
    for candidate in candidates:
        outer_name = candidate.partition("$")[0]
        outer = outers.get(outer_name.lower())
        if outer is None:
            return outer_name
        if outer.name is not None and (
            outer.types is None or candidate.lower() in outer.types
        ):
            return None  # decided by this candidate
    return None


def _locate(
    candidates: Sequence[str], outers: Mapping[str, _Outer]
) -> ApexType | str | None:
    """The first candidate type found; the class's name when its SymbolTable
    cannot be read; None when none is in the org."""
    for candidate in candidates:
        outer = outers.get(_outer_key(candidate))
        if outer is None or outer.name is None:
            continue
        if outer.types is None:
            return outer.name
        located = outer.types.get(candidate.lower())
        if located is not None:
            return located
    return None


async def _query_outers(
    org: OrgSession, names: Sequence[str], outers: dict[str, _Outer]
) -> None:
    """Query outer classes (``Name``, or ``ns__Name``) into ``outers``, by
    lowercased name; those the org does not have are recorded as absent."""
    by_bare: dict[str, list[str]] = {}  # the Name queried -> the names asked
    for name in names:
        by_bare.setdefault(name.rpartition("__")[2], []).append(name)
    bare = sorted(by_bare, key=str.lower)
    for start in range(0, len(bare), QUERY_CHUNK):
        chunk = bare[start : start + QUERY_CHUNK]
        for record in await _query(org, chunk):
            row_name = record.get("Name")
            if not isinstance(row_name, str) or not _is_safe(row_name):
                continue
            namespace = record.get("NamespacePrefix")
            if isinstance(namespace, str) and _is_safe(namespace):
                row_name = f"{namespace}__{row_name}"
            outer = _outer(row_name, record.get("SymbolTable"))
            outers.setdefault(row_name.lower(), outer)
        for asked in chunk:
            for name in by_bare[asked]:
                outers.setdefault(name.lower(), _Outer(None))


def _outer(name: str, symbol_table: Any) -> _Outer:
    if not isinstance(symbol_table, Mapping):
        return _Outer(name, None)
    # Named as the org's row names it, namespace and all: ns__Outer$Inner.
    table = {**symbol_table, "name": name}
    types = apex_types_from_symbol_table(table)
    return _Outer(name, {key.lower(): value for key, value in types.items()})


async def _query(org: OrgSession, names: Sequence[str]) -> list[Mapping[str, Any]]:
    """The ApexClass rows of ``names`` (every page)."""
    listed = ", ".join(f"'{name}'" for name in names)  # safe names: no quoting
    soql = f"{APEX_QUERY} WHERE Name IN ({listed})"
    from flowgen.sources.org.http import query_records  # pulls only: httpx

    try:
        return await query_records(org, org.data_path("tooling/query"), soql)
    except OrgError as exc:
        if "REQUEST_LIMIT_EXCEEDED" in str(exc):
            raise  # every later request would fail the same way
        raise _ToolingFailed(str(exc)) from None


def _outer_key(type_name: str) -> str:
    return type_name.partition("$")[0].lower()


def _shown(want: _Want) -> str:
    if want.key is not None:
        return want.key
    return f"{want.candidates[-1]} (used by {want.used_by})"


def _is_safe(name: str) -> bool:
    """Letters, digits and underscores only: safe in SOQL and in file names."""
    return bool(name) and name.isascii() and name.replace("_", "a").isalnum()


def _is_requestable(name: str) -> bool:
    parts = name.split("$")
    return len(parts) <= 2 and all(_is_safe(part) for part in parts)


# --- snapshot files ----------------------------------------------------------------------


def apex_type_json(apex_type: ApexType) -> dict[str, Any]:
    """An Apex-defined type as its snapshot file holds it."""
    return {
        "name": apex_type.name,
        "members": [
            {"name": member.name, "type": member.apex_type}
            for member in apex_type.members
        ],
    }


def parse_apex_type(data: Any, *, origin: str) -> ApexType:
    """A snapshot file's content (see :func:`apex_type_json`) to an :class:`ApexType`.

    Raises :class:`SourceError` naming ``origin`` for any other shape.
    """
    if not isinstance(data, Mapping):
        raise SourceError(origin, "expected a JSON object (an Apex-defined type)")
    name = data.get("name")
    if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
        raise SourceError(
            origin, "'name' must be an Apex class name like \"Outer$Inner\""
        )
    raw_members = data.get("members")
    if not isinstance(raw_members, list):
        raise SourceError(origin, "'members' must be a list")
    members = []
    for index, member in enumerate(raw_members):
        if not isinstance(member, Mapping):
            raise SourceError(origin, f"members[{index}] must be a JSON object")
        member_name, member_type = member.get("name"), member.get("type")
        if not isinstance(member_name, str) or not member_name:
            raise SourceError(origin, f"members[{index}] has no 'name' string")
        if not isinstance(member_type, str) or not member_type:
            raise SourceError(origin, f"members[{index}] has no 'type' string")
        members.append(ApexMember(member_name, member_type))
    return ApexType(name, tuple(members))


def apex_file_name(name: str) -> str:
    """The snapshot file name of Apex-defined type ``name`` (``Shipping$Quote.json``).

    Names come from the org: anything but letters, digits, ``_`` and ``$``
    raises ValueError rather than reach a path.
    """
    if not name.isascii() or not _FILE_NAME.fullmatch(name):
        raise ValueError(f"Apex type name {name!r} cannot be a file name")
    return f"{name}.json"


def read_apex_types(
    directory: str, names: Iterable[str]
) -> tuple[dict[str, ApexType], list[str]]:
    """The Apex-defined types of ``names`` kept under ``directory`` (a
    snapshot's ``apex/``), plus those their members refer to that have
    files too, and warnings: for each file that could not be used, then for
    each requested type that has no file (the values of both stay dicts).

    Requested types are keyed as requested, the others by their name.
    """
    wanted = sorted(set(names))
    files = json_files_by_name(directory) or {}
    cache: dict[str, ApexType | None] = {}  # by lowercased name; None: unusable
    warnings: list[str] = []

    def load(name: str) -> ApexType | None:
        if name.lower() in cache:
            return cache[name.lower()]
        file_name = files.get(name.lower())
        apex_type = None
        if file_name is not None:
            path = os.path.join(directory, file_name)

            def parse(data: Any) -> ApexType:
                parsed = parse_apex_type(data, origin=path)
                if parsed.name.lower() != name.lower():
                    raise SourceError(
                        path, f"holds type {parsed.name!r}, not {file_name[:-5]!r}"
                    )
                return parsed

            apex_type = read_type_file(
                path, parse, warnings, f"{name} values stay dicts"
            )
        cache[name.lower()] = apex_type
        return apex_type

    found: dict[str, ApexType] = {}
    present: set[str] = set()  # lowercased names of the types in found
    queue: deque[ApexType] = deque()
    for name in wanted:
        apex_type = load(name)
        if apex_type is not None:
            found[name] = apex_type
            present.add(apex_type.name.lower())
            queue.append(apex_type)
    followed: set[str] = set()  # lowercased names whose members were followed
    while queue:
        owner = queue.popleft()
        if owner.name.lower() in followed:
            continue
        followed.add(owner.name.lower())
        for member in owner.members:
            for candidate in apex_type_candidates(member.apex_type, owner.name):
                if candidate.lower() not in files:
                    continue
                referred = load(candidate)
                if referred is not None and referred.name.lower() not in present:
                    found[referred.name] = referred
                    present.add(referred.name.lower())
                    queue.append(referred)
                break
    warnings += [
        f"Apex class {name}: its members are not in the snapshot; typed as a dict"
        for name in wanted
        if name.lower() not in files
    ]
    return found, warnings
