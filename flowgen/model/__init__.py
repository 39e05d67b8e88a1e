"""The normalized description of an org's flows, whatever source it came from.

Sources produce these values; generation and change detection consume them.
Standard library only: nothing here knows about HTTP, files or templates.
"""

from flowgen.model.actions import ActionKind, ActionSelection
from flowgen.model.apex_names import apex_type_candidates
from flowgen.model.spec import (
    INVOCABLE_PROCESS_TYPES,
    ApexMember,
    ApexType,
    FlowOutline,
    FlowSpec,
    Param,
    RecordField,
    RecordType,
    is_invocable,
    usable_field_name,
)
from flowgen.model.types import FieldKind, FieldType, parse_type

__all__ = [
    "INVOCABLE_PROCESS_TYPES",
    "ActionKind",
    "ActionSelection",
    "ApexMember",
    "ApexType",
    "FieldKind",
    "FieldType",
    "FlowOutline",
    "FlowSpec",
    "Param",
    "RecordField",
    "RecordType",
    "apex_type_candidates",
    "is_invocable",
    "parse_type",
    "usable_field_name",
]
