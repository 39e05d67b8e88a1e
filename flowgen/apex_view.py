"""Apex-defined types to what ``apex_types.py`` shows of them.

A type flowgen could read (its members are in the snapshot) becomes a
dataclass whose fields are the class's public members, snake_cased, each
typed from its Apex declaration; one it could not read stays a dict alias.
Members refer to other Apex types (``List<Shipping.Parcel>``), to sObjects
and to Apex's own types; whatever cannot be typed is ``Any``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flowgen import apex_names, literals, naming
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
    records_lower = {name.lower(): name for name in record_aliases}
    views = []
    for wire, alias in sorted(aliases.items(), key=lambda item: item[1]):
        apex_type = described.get(wire)
        members: tuple[MemberView, ...] = ()
        if apex_type is not None and apex_type.members:
            attrs = naming.unique_names(
                [m.name for m in apex_type.members], fallback="member", taken=_TAKEN
            )
            members = tuple(
                _member_view(member, attrs[member.name], wire, aliases, records_lower)
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
    owner: str,
    aliases: Mapping[str, str],
    records_lower: Mapping[str, str],
) -> MemberView:
    annotation, codec = _member_type(member.apex_type, owner, aliases, records_lower)
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
    owner: str,
    aliases: Mapping[str, str],
    records_lower: Mapping[str, str],
) -> tuple[str, str]:
    """(annotation, codec) of a member of ``owner`` declared as ``apex_type``."""
    depth, element = apex_names.unwrap(apex_type)
    annotation, codec = _ANY
    if element is not None:
        lowered = element.lower()
        apex_name = apex_names.resolve_apex_type(apex_type, owner, aliases)
        if lowered in _PRIMITIVES:
            annotation, codec = _PRIMITIVES[lowered]
        elif apex_name is not None:
            alias = aliases[apex_name]
            annotation, codec = alias, f"_rt.apex({alias})"
        elif lowered in records_lower:
            record = literals.python_string(records_lower[lowered])
            annotation, codec = "dict[str, _typing.Any]", f"_rt.record({record})"
        elif lowered == "sobject":
            annotation, codec = "dict[str, _typing.Any]", "_rt.record(None)"
    for _ in range(depth):
        annotation, codec = f"list[{annotation}]", f"_rt.list_of({codec})"
    return annotation, codec
