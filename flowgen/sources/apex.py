"""Apex-defined types: the public members of the Apex classes flows pass.

A flow variable with ``apexClass`` set (``Shipping$Quote`` for inner class
``Quote`` of ``Shipping``, ``LeadSummary`` for a top-level class) holds an
object of that class. Its members come from the Tooling API's
``ApexClass.SymbolTable`` (fetched by :mod:`flowgen.sources.org.apex`). A
snapshot keeps one small file per type:

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
from collections.abc import Iterable, Mapping
from typing import Any

from flowgen.errors import SourceError
from flowgen.model import ApexMember, ApexType, apex_type_candidates
from flowgen.sources.snapshot_files import json_files_by_name, read_type_file

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
