"""sObject describes (``GET .../sobjects/{Type}/describe``) to RecordTypes.

A full describe runs to hundreds of kilobytes per object; a snapshot keeps
only what typing records needs, so that its diffs stay readable:

    <snapshot>/sobjects/<Type>.json   {"name", "label", "fields": [{"name", "type",
                                      "label", "nillable", "picklistValues",
                                      "referenceTo", "relationshipName",
                                      "length", "precision", "scale"}]}

Reading is lenient, as for flow describes: a field without a usable name is
left out with a warning, a file that is not a describe is a problem named
with its path, and the flows that use that object fall back to a generic
record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flowgen.errors import SourceError
from flowgen.model import RecordField, RecordType, usable_field_name

# The keys of a field that generation reads, in the describe's own spelling.
_FIELD_KEYS = (
    "name",
    "type",
    "label",
    "nillable",
    "picklistValues",
    "referenceTo",
    "relationshipName",
    "length",
    "precision",
    "scale",
)


def trim_describe(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a full sObject describe that a snapshot keeps.

    Fields are sorted by name and picklists reduced to their active values,
    so that a snapshot diff shows what changed for the generated types only.
    """
    fields = []
    for field in raw.get("fields") or ():
        if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
            continue
        kept = {key: field.get(key) for key in _FIELD_KEYS}
        kept["picklistValues"] = _active_values(field.get("picklistValues"))
        kept["referenceTo"] = [
            str(target) for target in field.get("referenceTo") or () if target
        ]
        fields.append(kept)
    fields.sort(key=lambda field: str(field["name"]))
    return {"name": raw.get("name"), "label": raw.get("label"), "fields": fields}


def parse_sobject(
    data: Any, *, origin: str, warn: Callable[[str], None] | None = None
) -> RecordType:
    """A (trimmed or full) sObject describe to a :class:`RecordType`.

    Raises :class:`SourceError` when ``data`` is not a describe at all.
    """
    if not isinstance(data, Mapping):
        raise SourceError(origin, "expected a JSON object (an sObject describe)")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceError(origin, "the describe has no object name (key 'name')")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list):
        raise SourceError(origin, "'fields' must be a list")
    fields: dict[str, RecordField] = {}
    for index, field in enumerate(raw_fields):
        field_name = field.get("name") if isinstance(field, Mapping) else None
        if not usable_field_name(field_name):
            if warn is not None:
                warn(f"{origin}: fields[{index}] has no usable name; left out")
            continue
        fields.setdefault(field_name, _field(field_name, field))
    return RecordType(
        name=name,
        label=_text(data.get("label")),
        fields=tuple(fields[key] for key in sorted(fields)),
    )


def _field(name: str, field: Mapping[str, Any]) -> RecordField:
    field_type = field.get("type")
    return RecordField(
        name=name,
        type=field_type.lower() if isinstance(field_type, str) else "anytype",
        label=_text(field.get("label")),
        nillable=field.get("nillable") is not False,
        picklist_values=tuple(_active_values(field.get("picklistValues"))),
        reference_to=tuple(
            target
            for target in field.get("referenceTo") or ()
            if isinstance(target, str) and target
        ),
        relationship_name=_text(field.get("relationshipName")),
        length=_number(field.get("length")),
        precision=_number(field.get("precision")),
        scale=_number(field.get("scale")),
    )


def _active_values(raw: Any) -> list[str]:
    # Full describes list {"active", "value", "label"...}; trimmed ones, strings.
    values = []
    for entry in raw if isinstance(raw, list) else ():
        if isinstance(entry, str):
            values.append(entry)
        elif isinstance(entry, Mapping) and entry.get("active") is not False:
            value = entry.get("value")
            if isinstance(value, str):
                values.append(value)
    return values


def _text(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw else None


def _number(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
