"""What changed between two snapshots of an org's flows, for the package.

Pure functions over :mod:`flowgen.model`. Only flows the generated package
contains (:func:`~flowgen.model.is_invocable`) matter, and a change is
breaking when code written against the old package may fail against the new
one. Text from the org (labels, descriptions, type names) is untrusted: it is
kept as data, and a detail quotes it only through ``repr()``, shortened, so a
detail never holds a raw control character.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from flowgen.generate.typemap import scalar
from flowgen.model import FieldKind, FieldType, FlowSpec, Param, is_invocable


class Severity(enum.Enum):
    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots.

    ``detail`` is one sentence without a trailing period. For a variable it
    reads after the variable's name ("type changed from str to Decimal");
    for the flow itself it names the flow as its subject ("flow removed").
    """

    severity: Severity
    kind: str  # stable machine code, e.g. "input-removed"
    flow: str  # flow API name; another kind of action as <kind>/<Name>
    direction: str | None  # "input", "output", or None for the flow itself
    param: str | None  # variable wire name, or None
    detail: str


_BREAKING = Severity.BREAKING
_NON_BREAKING = Severity.NON_BREAKING

# The quoted excerpt of a label or description stays short: a detail is one line.
_MAX_QUOTED = 60
# Picklists can hold hundreds of values; a detail names only the first few.
_MAX_VALUES = 10

# The Python type a kind becomes, as the generated annotation spells it
# without its module alias (RECORD and APEX are named by their type). STRING
# and PICKLIST share one, so a switch between them breaks no caller.
_PYTHON_TYPES: dict[FieldKind, str] = {
    kind: scalar(kind).annotation.rpartition(".")[2]
    for kind in FieldKind
    if kind not in (FieldKind.RECORD, FieldKind.APEX)
}

_DIRECTION_ORDER = {None: 0, "input": 1, "output": 2}


def _quote(text: str | None) -> str:
    """Untrusted text as a short, escaped quotation for a detail."""
    if text is None:
        return "(none)"
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 3] + "..."
    return repr(text)


def _python_type(ftype: FieldType) -> str:
    if ftype.kind is FieldKind.RECORD:
        return f"{_quote(ftype.sobject_type or 'SObject')} record"
    if ftype.kind is FieldKind.APEX:
        return f"Apex class {_quote(ftype.apex_class)}"
    return _PYTHON_TYPES[ftype.kind]


def _value_list(values: Iterable[str]) -> str:
    ordered = sorted(values)
    shown = ", ".join(_quote(value) for value in ordered[:_MAX_VALUES])
    more = len(ordered) - _MAX_VALUES
    return f"{shown} and {more} more" if more > 0 else shown


def _by_name(params: Iterable[Param]) -> dict[str, Param]:
    # A repeated wire name is a source error; the first one is the one the
    # generated code would have seen, so later ones are not compared.
    return {param.name: param for param in reversed(tuple(params))}


def _type_changes(old: Param, new: Param) -> Iterator[tuple[Severity, str, str]]:
    old_t, new_t = old.type, new.type
    if _PYTHON_TYPES.get(old_t.kind, old_t.kind) != _PYTHON_TYPES.get(
        new_t.kind, new_t.kind
    ) or (old_t.kind is FieldKind.APEX and old_t.apex_class != new_t.apex_class):
        detail = f"type changed from {_python_type(old_t)} to {_python_type(new_t)}"
        yield _BREAKING, "type-changed", detail
    elif old_t.kind is FieldKind.RECORD and old_t.sobject_type != new_t.sobject_type:
        detail = (
            f"record type changed from {_quote(old_t.sobject_type)}"
            f" to {_quote(new_t.sobject_type)}"
        )
        yield _BREAKING, "record-object-changed", detail
    elif old_t.kind is not new_t.kind or (
        # Sources spell types in different cases (CURRENCY, Currency), and a
        # source that does not say has nothing to compare.
        old_t.source_type is not None
        and new_t.source_type is not None
        and old_t.source_type.upper() != new_t.source_type.upper()
    ):
        detail = (
            f"Salesforce type changed from {_quote(old_t.source_type or old_t.kind.name)}"
            f" to {_quote(new_t.source_type or new_t.kind.name)}"
            f" (still {_python_type(new_t)})"
        )
        yield _NON_BREAKING, "source-type-changed", detail
    if old.is_collection != new.is_collection:
        shapes = ("a single value", "a list")
        detail = (
            f"changed from {shapes[old.is_collection]} to {shapes[new.is_collection]}"
        )
        yield _BREAKING, "collection-changed", detail


def _text_changes(
    subject: str, old: FlowSpec | Param, new: FlowSpec | Param
) -> Iterator[tuple[Severity, str, str]]:
    for field, before, after in (
        ("label", old.label, new.label),
        ("description", old.description, new.description),
    ):
        if before != after:
            detail = (
                f"{subject}{field} changed from {_quote(before)} to {_quote(after)}"
            )
            yield _NON_BREAKING, f"{field}-changed", detail


def _param_changes(
    direction: str, old: Param, new: Param
) -> Iterator[tuple[Severity, str, str]]:
    yield from _type_changes(old, new)
    # Outputs are read, never passed: only an input's requiredness binds callers.
    if direction == "input" and old.required != new.required:
        if new.required:
            yield _BREAKING, "input-became-required", "became required"
        else:
            yield _NON_BREAKING, "input-became-optional", "became optional"
    yield from _text_changes("", old, new)
    # Values are documentation, not a type: only additions and removals count.
    added = set(new.picklist_values) - set(old.picklist_values)
    removed = set(old.picklist_values) - set(new.picklist_values)
    if added or removed:
        parts = [f"added {_value_list(added)}"] if added else []
        parts += [f"removed {_value_list(removed)}"] if removed else []
        detail = "picklist values changed: " + "; ".join(parts)
        yield _NON_BREAKING, "picklist-values-changed", detail


def _side_changes(
    direction: str, old: Iterable[Param], new: Iterable[Param]
) -> Iterator[tuple[str, Severity, str, str]]:
    old_by_name, new_by_name = _by_name(old), _by_name(new)
    for name in old_by_name.keys() - new_by_name.keys():
        yield name, _BREAKING, f"{direction}-removed", "removed"
    for name, param in new_by_name.items():
        before = old_by_name.get(name)
        if before is not None:
            for change in _param_changes(direction, before, param):
                yield (name, *change)
        elif direction == "output":
            yield name, _NON_BREAKING, "output-added", "added"
        elif param.required:  # every existing call lacks it, so every call fails
            yield name, _BREAKING, "required-input-added", "added as required"
        else:
            yield name, _NON_BREAKING, "input-added", "added (optional)"


def _flow_changes(flow: str, old: FlowSpec, new: FlowSpec) -> Iterator[Change]:
    for severity, kind, detail in _text_changes(f"{new.kind.noun} ", old, new):
        yield Change(severity, kind, flow, None, None, detail)
    for direction, before, after in (
        ("input", old.inputs, new.inputs),
        ("output", old.outputs, new.outputs),
    ):
        for name, severity, kind, detail in _side_changes(direction, before, after):
            yield Change(severity, kind, flow, direction, name, detail)


def _membership(
    old: FlowSpec | None, new: FlowSpec | None
) -> Iterator[tuple[Severity, str, str]]:
    """A flow (or another action) joining or leaving the package."""
    was_in = old is not None and is_invocable(old)
    if was_in == (new is not None and is_invocable(new)):
        return
    if new is None:
        assert old is not None
        yield _BREAKING, "flow-removed", f"{old.kind.noun} removed"
    elif old is None:
        yield _NON_BREAKING, "flow-added", f"{new.kind.noun} added"
    elif was_in:
        detail = (
            f"flow is no longer invocable (process type {_quote(new.process_type)})"
        )
        yield _BREAKING, "flow-not-invocable", detail + " and leaves the package"
    else:
        detail = (
            f"flow became invocable (process type {_quote(old.process_type)}"
            f" to {_quote(new.process_type)}) and joins the package"
        )
        yield _NON_BREAKING, "flow-added", detail


def _changes(
    old: Mapping[str, FlowSpec], new: Mapping[str, FlowSpec]
) -> Iterator[Change]:
    for flow in old.keys() | new.keys():
        before, after = old.get(flow), new.get(flow)
        for severity, kind, detail in _membership(before, after):
            yield Change(severity, kind, flow, None, None, detail)
        if before is not None and after is not None:
            if is_invocable(before) and is_invocable(after):
                yield from _flow_changes(flow, before, after)


def sort_key(change: Change) -> tuple[str, int, str, str, str]:
    """Flow, then the flow itself before inputs before outputs, then variable,
    then kind (and detail, so that even equal keys have one order)."""
    return (
        change.flow,
        _DIRECTION_ORDER.get(change.direction, 3),
        change.param or "",
        change.kind,
        change.detail,
    )


def diff_flows(
    old: Mapping[str, FlowSpec], new: Mapping[str, FlowSpec]
) -> list[Change]:
    """The changes to the package between two snapshots keyed by flow API name.

    The order depends only on the changes, never on the mappings' order.
    """
    return sorted(_changes(old, new), key=sort_key)


def has_breaking(changes: Iterable[Change]) -> bool:
    return any(change.severity is Severity.BREAKING for change in changes)


def counts(changes: Iterable[Change]) -> dict[str, int]:
    """``{"breaking": n, "non-breaking": m}``, in that order."""
    result = {severity.value: 0 for severity in Severity}
    for change in changes:
        result[change.severity.value] += 1
    return result
