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

from flowgen import literals
from flowgen.generate import naming, typemap
from flowgen.generate.typemap import PythonType
from flowgen.model import ApexMember, ApexType, FieldKind, apex_names

_ANY = typemap.scalar(FieldKind.ANY)
_RECORD_DICT = "dict[str, _typing.Any]"
# Each generated class's own methods: no member may take their names.
_METHODS = frozenset({"to_wire", "from_wire"})


class MemberView(NamedTuple):
    attr: str
    wire_literal: str
    key_literal: str  # the name as _rt.apex_members keys it: lower case
    wire_doc: str
    annotation: str
    to_wire: str
    from_wire: str
    to_args: tuple[str, ...]
    from_args: tuple[str, ...]
    apex_type_doc: str
    imports: frozenset[str]  # module aliases the annotation needs ("_dt"...)


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
                [m.name for m in apex_type.members],
                fallback="member",
                taken=_METHODS,
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
    spelt = _member_type(member.apex_type, owner, aliases, records_lower)
    return MemberView(
        attr=attr,
        wire_literal=literals.python_string(member.name),
        key_literal=literals.python_string(member.name.lower()),
        wire_doc=literals.docstring_line(member.name),
        annotation=spelt.annotation,
        to_wire=spelt.to_wire,
        from_wire=spelt.from_wire,
        to_args=spelt.to_args,
        from_args=spelt.from_args,
        apex_type_doc=literals.docstring_line(member.apex_type),
        imports=spelt.imports,
    )


def _member_type(
    apex_type: str,
    owner: str,
    aliases: Mapping[str, str],
    records_lower: Mapping[str, str],
) -> PythonType:
    """How a member of ``owner`` declared as ``apex_type`` is spelt."""
    depth, element = apex_names.unwrap(apex_type)
    spelt = _ANY
    if element is not None:
        lowered = element.lower()
        kind = apex_names.VALUE_KINDS.get(lowered)
        apex_name = (
            None
            if kind is not None
            else apex_names.resolve_apex_type(apex_type, owner, aliases)
        )
        if kind is not None:
            spelt = typemap.scalar(kind)
        elif apex_name is not None:
            spelt = typemap.apex_class(aliases[apex_name])
        elif lowered in records_lower:
            spelt = typemap.record(_RECORD_DICT, records_lower[lowered], *_ANY.imports)
        elif lowered == "sobject":
            spelt = typemap.record(_RECORD_DICT, None, *_ANY.imports)
    for _ in range(depth):
        spelt = spelt.listed()
    return spelt
