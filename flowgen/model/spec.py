"""The normalized description of a flow, independent of where it was read from.

Sources (a describe snapshot, SFDX flow files) produce these; naming, typemap and
render consume them. Standard library only.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard

from flowgen.model.actions import ActionKind
from flowgen.model.types import FieldKind, FieldType


# Not frozen: a large org has tens of thousands of parameters, and a frozen
# dataclass takes three times as long to build. Nothing changes one once built.
@dataclass(slots=True)
class Param:
    """One input or output variable of a flow, not to be changed once built.

    ``name`` is the wire name and is never derived back from a Python name.
    """

    name: str
    type: FieldType
    is_collection: bool = False
    required: bool = False
    label: str | None = None
    description: str | None = None
    picklist_values: tuple[str, ...] = ()
    # Digits after the decimal point of a Number, where the source says
    # (flow XML does, describes do not); 0 means a whole number.
    scale: int | None = None
    # Keys the source carried that flowgen does not interpret, kept verbatim.
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FlowSpec:
    """One flow's callable interface."""

    api_name: str
    label: str | None = None
    description: str | None = None
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Param, ...] = ()
    # FlowDefinitionView.ProcessType when the source knows it ("AutoLaunchedFlow",
    # "Flow" for screen flows, ...); None when it does not.
    process_type: str | None = None
    # Flows, and the org's other invocable actions described the same way.
    kind: ActionKind = ActionKind.FLOW

    @property
    def namespace(self) -> str | None:
        """The namespace prefix of ``ns__Name`` flows."""
        head, sep, _ = self.api_name.partition("__")
        return head if sep else None


class FlowOutline(NamedTuple):
    """What package-wide decisions (names, skips) need of a flow: small
    enough to pass between processes, unlike the whole spec."""

    api_name: str
    process_type: str | None = None
    record_types: frozenset[str] = frozenset()
    apex_classes: frozenset[str] = frozenset()
    kind: ActionKind = ActionKind.FLOW

    @classmethod
    def of(cls, spec: FlowSpec) -> FlowOutline:
        params = (*spec.inputs, *spec.outputs)
        return cls(
            api_name=spec.api_name,
            process_type=spec.process_type,
            kind=spec.kind,
            record_types=frozenset(
                p.type.sobject_type
                for p in params
                if p.type.kind is FieldKind.RECORD and p.type.sobject_type
            ),
            apex_classes=frozenset(
                p.type.apex_class
                for p in params
                if p.type.kind is FieldKind.APEX and p.type.apex_class
            ),
        )


def usable_field_name(name: object) -> TypeGuard[str]:
    """Whether a field may key a record's TypedDict: an identifier, not a
    keyword, and not ``attributes`` (the key every record has already)."""
    return (
        isinstance(name, str)
        and name.isidentifier()
        and not keyword.iskeyword(name)
        and name != "attributes"
    )


# Not frozen, as Param: an org's objects have tens of thousands of fields.
# Every source builds them with a name that passes usable_field_name.
@dataclass(slots=True)
class RecordField:
    """One field of an sObject type, as its describe gives it; not to be
    changed once built.

    ``type`` is the describe's field type in Salesforce's lowercase spelling
    (``string``, ``reference``, ``currency``, ``multipicklist``...).
    """

    name: str  # the API name, exactly: Name, Invoice_Total__c, ns__Field__c
    type: str
    label: str | None = None
    nillable: bool = True
    picklist_values: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None  # Account for AccountId
    length: int | None = None
    precision: int | None = None
    scale: int | None = None


@dataclass(frozen=True)
class RecordType:
    """An sObject type's fields, for typing the records flows pass."""

    name: str  # the API name: Account, Invoice__c, ns__Thing__c
    label: str | None = None
    fields: tuple[RecordField, ...] = ()


@dataclass(frozen=True)
class ApexMember:
    """A public member of an Apex-defined type, as Apex declares it."""

    name: str
    apex_type: str  # as Apex spells it: String, Decimal, List<Outer.Item>, Id...


@dataclass(frozen=True)
class ApexType:
    """An Apex class used as a flow variable type (``Outer$Inner`` for inner classes)."""

    name: str
    members: tuple[ApexMember, ...] = ()


# Process types that the REST flow action can run. Everything else (screen flows,
# checkout, routing, orchestrations...) is skipped at generation time.
INVOCABLE_PROCESS_TYPES = frozenset({"AutoLaunchedFlow", "InvocableProcess"})


def is_invocable(flow: FlowSpec | FlowOutline) -> bool:
    """Whether REST can invoke the flow; unknown process types count as invocable."""
    return flow.process_type is None or flow.process_type in INVOCABLE_PROCESS_TYPES
