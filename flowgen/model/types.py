"""What a flow variable holds: its kind, and a source's type spelling read as one.

The describe ``type`` is not an official enum: it is parsed case-insensitively
and anything unknown becomes ``Any`` rather than an error.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from typing import NamedTuple


class FieldKind(enum.Enum):
    """What a flow variable holds, as far as Python is concerned."""

    STRING = "string"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    RECORD = "record"
    APEX = "apex"
    ANY = "any"


class FieldType(NamedTuple):
    """A variable's type: its kind plus what the kind needs.

    ``source_type`` is the type as the source spelled it (``"CURRENCY"``,
    ``"Currency"``), kept for messages and docstrings.
    """

    kind: FieldKind
    source_type: str | None = None
    sobject_type: str | None = None
    apex_class: str | None = None


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
