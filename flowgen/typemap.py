"""Salesforce types to Python annotations and runtime codecs.

The describe ``type`` is not an official enum: it is parsed case-insensitively
and anything unknown becomes ``Any`` rather than an error. The names used in
annotations (``_dt``, ``_decimal``, ``_records``...) are the underscore aliases
that every generated flow module imports, so no field name can shadow them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NamedTuple

from flowgen.model import FieldKind, FieldType, Param

_STRING_TYPES = (
    "STRING ID REFERENCE TEXTAREA EMAIL PHONE URL ENCRYPTEDSTRING COMBOBOX BASE64 "
    "ADDRESS LOCATION"
)
_BY_SALESFORCE_TYPE: Mapping[str, FieldKind] = {
    **dict.fromkeys(_STRING_TYPES.split(), FieldKind.STRING),
    "PICKLIST": FieldKind.PICKLIST,
    "MULTIPICKLIST": FieldKind.MULTIPICKLIST,
    "BOOLEAN": FieldKind.BOOLEAN,
    **dict.fromkeys(["INT", "INTEGER", "LONG"], FieldKind.INTEGER),
    **dict.fromkeys(["NUMBER", "DOUBLE", "PERCENT"], FieldKind.FLOAT),
    **dict.fromkeys(["CURRENCY", "DECIMAL"], FieldKind.DECIMAL),
    "DATE": FieldKind.DATE,
    "DATETIME": FieldKind.DATETIME,
    "TIME": FieldKind.TIME,
    "SOBJECT": FieldKind.RECORD,
    "APEX": FieldKind.APEX,
}


@functools.lru_cache(maxsize=4096)  # FieldType is immutable: instances can be shared
def parse_type(
    type_name: str | None,
    *,
    sobject_type: str | None = None,
    apex_class: str | None = None,
) -> FieldType:
    """A source's type spelling to a :class:`FieldType`; never raises.

    An ``apexClass`` wins over the type (describes send ``type: null`` with it).
    """
    if apex_class:
        return FieldType(FieldKind.APEX, source_type=type_name, apex_class=apex_class)
    kind = _BY_SALESFORCE_TYPE.get((type_name or "").strip().upper(), FieldKind.ANY)
    if kind is FieldKind.APEX:  # "Apex" with no class named: nothing to type it by
        kind = FieldKind.ANY
    return FieldType(
        kind,
        source_type=type_name,
        sobject_type=(sobject_type or None) if kind is FieldKind.RECORD else None,
    )


class PythonType(NamedTuple):
    """How generated code spells a parameter's type and its codec."""

    annotation: str
    codec: str
    # Module aliases the spelling needs ("_dt", "_decimal", "_records"...).
    imports: frozenset[str]


# kind -> (annotation, codec, imports); RECORD and APEX are built per type name.
_SCALARS: Mapping[FieldKind, tuple[str, str, frozenset[str]]] = {
    FieldKind.STRING: ("str", "_rt.STRING", frozenset()),
    FieldKind.PICKLIST: ("str", "_rt.STRING", frozenset()),
    FieldKind.MULTIPICKLIST: ("list[str]", "_rt.MULTIPICKLIST", frozenset()),
    FieldKind.BOOLEAN: ("bool", "_rt.BOOLEAN", frozenset()),
    FieldKind.INTEGER: ("int", "_rt.INTEGER", frozenset()),
    FieldKind.FLOAT: ("float", "_rt.FLOAT", frozenset()),
    FieldKind.DECIMAL: ("_decimal.Decimal", "_rt.DECIMAL", frozenset({"_decimal"})),
    FieldKind.DATE: ("_dt.date", "_rt.DATE", frozenset({"_dt"})),
    FieldKind.DATETIME: ("_dt.datetime", "_rt.DATETIME", frozenset({"_dt"})),
    FieldKind.TIME: ("_dt.time", "_rt.TIME", frozenset({"_dt"})),
    FieldKind.ANY: ("_typing.Any", "_rt.ANY", frozenset({"_typing"})),
}


def scalar(kind: FieldKind) -> PythonType:
    """How generated code spells a kind that is not RECORD or APEX."""
    return PythonType(*_SCALARS[kind])


# The alias generated for records whose object type nobody named.
GENERIC_RECORD = "SObjectRecord"


def python_type(
    param: Param,
    *,
    record_aliases: Mapping[str, str],
    apex_aliases: Mapping[str, str],
) -> PythonType:
    """The annotation and codec for ``param`` (collections become ``list[T]``).

    ``record_aliases`` / ``apex_aliases`` map sObject and Apex type names to the
    class names generated for them in ``records.py`` / ``apex_types.py``.
    """
    ftype = param.type
    if ftype.kind is FieldKind.RECORD:
        sobject = ftype.sobject_type
        alias = record_aliases[sobject] if sobject else GENERIC_RECORD
    elif ftype.kind is FieldKind.APEX:
        assert ftype.apex_class is not None
        alias = apex_aliases[ftype.apex_class]
    else:
        alias = None
    return _spelling(ftype, alias, param.is_collection)


@functools.lru_cache(maxsize=4096)  # a few dozen distinct types serve every flow
def _spelling(ftype: FieldType, alias: str | None, is_collection: bool) -> PythonType:
    if ftype.kind is FieldKind.RECORD:
        sobject = ftype.sobject_type
        codec = (
            f"_rt.record({python_string(sobject)})" if sobject else "_rt.record(None)"
        )
        scalar = (f"_records.{alias}", codec, frozenset({"_records"}))
    elif ftype.kind is FieldKind.APEX:
        scalar = (
            f"_apex_types.{alias}",
            f"_rt.apex(_apex_types.{alias})",
            frozenset({"_apex_types"}),
        )
    else:
        scalar = _SCALARS[ftype.kind]
    annotation, codec, imports = scalar
    if is_collection:
        return PythonType(f"list[{annotation}]", f"_rt.list_of({codec})", imports)
    return PythonType(annotation, codec, imports)


def python_string(text: str) -> str:
    """A Python string literal for arbitrary text, in black's preferred quotes."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal
