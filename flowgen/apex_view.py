"""Apex-defined types to what ``apex_types.py`` shows of them.

A type flowgen could read (its members are in the snapshot) becomes a
dataclass whose fields are the class's public members, snake_cased, each
typed from its Apex declaration; one it could not read stays a dict alias.
Members refer to other Apex types (``List<Shipping.Parcel>``), to sObjects
and to Apex's own types; whatever cannot be typed is ``Any``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from flowgen import literals, naming
from flowgen.model import ApexMember, ApexType

# Apex's own value types: (annotation, codec), case-insensitive names.
_PRIMITIVES: Mapping[str, tuple[str, str]] = {
    "string": ("str", "_rt.STRING"),
    "id": ("str", "_rt.STRING"),
    "integer": ("int", "_rt.INTEGER"),
    "long": ("int", "_rt.INTEGER"),
    "decimal": ("_decimal.Decimal", "_rt.DECIMAL"),
    "double": ("float", "_rt.FLOAT"),
    "boolean": ("bool", "_rt.BOOLEAN"),
    "date": ("_dt.date", "_rt.DATE"),
    "datetime": ("_dt.datetime", "_rt.DATETIME"),
    "time": ("_dt.time", "_rt.TIME"),
}
_COLLECTION = re.compile(r"^\s*(?:list|set)\s*<(.+)>\s*$", re.IGNORECASE)
_ARRAY = re.compile(r"^(.+)\[\]$")
_ANY = ("_typing.Any", "_rt.ANY")
# The attributes every generated dataclass has besides its members.
_TAKEN = frozenset({"from_dict"})


class MemberView(NamedTuple):
    attr: str
    wire_literal: str
    wire_doc: str
    annotation: str
    codec: str
    apex_type_doc: str


class ApexView(NamedTuple):
    name: str  # the class's name in apex_types.py
    wire_doc: str
    wire_literal: str
    members: tuple[MemberView, ...]  # empty: a dict alias


def apex_views(
    aliases: Mapping[str, str],
    described: Mapping[str, ApexType],
    *,
    record_aliases: Mapping[str, str],
) -> list[ApexView]:
    """One view per alias, in alias order; ``aliases`` maps Apex names to class names."""
    by_lower = {name.lower(): alias for name, alias in aliases.items()}
    records_lower = {name.lower(): name for name in record_aliases}
    views = []
    for wire, alias in sorted(aliases.items(), key=lambda item: item[1]):
        apex_type = described.get(wire)
        members: tuple[MemberView, ...] = ()
        if apex_type is not None and apex_type.members:
            attrs = naming.unique_names(
                [m.name for m in apex_type.members], fallback="member", taken=_TAKEN
            )
            outer = wire.split("$", 1)[0]
            members = tuple(
                _member_view(member, attrs[member.name], outer, by_lower, records_lower)
                for member in apex_type.members
            )
        views.append(
            ApexView(
                name=alias,
                wire_doc=literals.docstring_line(wire),
                wire_literal=literals.python_string(wire),
                members=members,
            )
        )
    return views


def _member_view(
    member: ApexMember,
    attr: str,
    outer: str,
    apex_by_lower: Mapping[str, str],
    records_lower: Mapping[str, str],
) -> MemberView:
    annotation, codec = _member_type(
        member.apex_type, outer, apex_by_lower, records_lower
    )
    return MemberView(
        attr=attr,
        wire_literal=literals.python_string(member.name),
        wire_doc=literals.docstring_line(member.name),
        annotation=annotation,
        codec=codec,
        apex_type_doc=literals.docstring_line(member.apex_type),
    )


def _member_type(
    apex_type: str,
    outer: str,
    apex_by_lower: Mapping[str, str],
    records_lower: Mapping[str, str],
) -> tuple[str, str]:
    """(annotation, codec) of a member declared as ``apex_type``."""
    spelled = apex_type.strip()
    inner = _COLLECTION.match(spelled) or _ARRAY.match(spelled)
    if inner:
        annotation, codec = _member_type(
            inner.group(1), outer, apex_by_lower, records_lower
        )
        return f"list[{annotation}]", f"_rt.list_of({codec})"
    lowered = spelled.lower()
    if lowered in _PRIMITIVES:
        return _PRIMITIVES[lowered]
    for candidate in (
        lowered.replace(".", "$"),
        f"{outer.lower()}${lowered}",
    ):
        alias = apex_by_lower.get(candidate)
        if alias is not None:
            return alias, f"_rt.apex({alias})"
    record = records_lower.get(lowered)
    if record is not None:
        return "dict[str, _typing.Any]", f"_rt.record({literals.python_string(record)})"
    if lowered == "sobject":
        return "dict[str, _typing.Any]", "_rt.record(None)"
    return _ANY
