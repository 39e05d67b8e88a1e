"""Apex-defined types from an org's Tooling API, a few references deep.

One query per 100 outer classes reads their ``ApexClass.SymbolTable``; the
classes those members refer to (``List<Shipping.Parcel>``) are fetched too,
a few rounds deep. Nothing here fails a pull: a class the org lacks, one it
will not show (managed packages give a null SymbolTable) or a user without
Tooling API access is a warning, and the flows keep such values as dicts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flowgen.errors import OrgError
from flowgen.model import ApexType, apex_type_candidates
from flowgen.sources.apex import apex_types_from_symbol_table
from flowgen.sources.org.http import OrgSession, query_records

QUERY_CHUNK = 100  # class names per Tooling API query
FOLLOW_ROUNDS = 3  # further query rounds for the classes members refer to
APEX_QUERY = "SELECT Id, Name, NamespacePrefix, SymbolTable FROM ApexClass"


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
