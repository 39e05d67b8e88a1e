"""A flow action describe (``GET .../actions/custom/flow/{Name}``) to a FlowSpec.

Lenient, as the wire is: keys in any case (``sobjectType``/``sObjectType``),
``required`` may be missing, ``type`` may be null beside an ``apexClass``,
unknown keys are kept and unknown types become ``Any`` with a warning. Only a
shape that cannot be a describe at all is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flowgen.errors import SourceError
from flowgen.model import ActionKind, FieldKind, FlowSpec, Param, parse_type

Warn = Callable[[str], None]


class _Keys:
    """The keys flowgen reads from one kind of JSON object, in Salesforce's
    spelling. The wire is lenient about case; nearly every object comes in
    that spelling and is read as it is, the rest are folded to it first."""

    def __init__(self, *names: str) -> None:
        self.names = frozenset(names)
        self._by_lower = {name.lower(): name for name in names}
        # Other keys met so far that are no spelling of these (byteLength...).
        self._unrelated: set[str] = set()

    def fold(self, data: Mapping[str, Any]) -> tuple[Mapping[str, Any], set[str]]:
        """``data`` with every key flowgen reads in its canonical spelling,
        and the keys of it that flowgen does not read."""
        odd = data.keys() - self.names
        if odd <= self._unrelated:
            return data, odd
        if not any(key.lower() in self._by_lower for key in odd):
            self._unrelated |= odd
            return data, odd
        # When a key appears in two spellings the first wins.
        folded: dict[str, Any] = {}
        for key, value in data.items():
            folded.setdefault(self._by_lower.get(key.lower(), key), value)
        return folded, folded.keys() - self.names


_FLOW_KEYS = _Keys("name", "label", "description", "inputs", "outputs")
_PARAM_KEYS = _Keys(
    "name",
    "type",
    "sobjectType",
    "apexClass",
    "maxOccurs",
    "required",
    "label",
    "description",
    "picklistValues",
)
_PICKLIST_KEYS = _Keys("active", "value")


def parse_describe(
    data: Any,
    *,
    origin: str,
    fallback_name: str | None = None,
    process_type: str | None = None,
    kind: ActionKind = ActionKind.FLOW,
    warn: Warn,
) -> FlowSpec:
    """Build a :class:`FlowSpec` from a decoded describe body (of a flow, or
    of another ``kind`` of invocable action: the same shape).

    ``origin`` names the file in errors. ``fallback_name`` is used when the body
    carries no ``name``. Raises :class:`SourceError` for a shape that is not a
    describe.
    """
    if not isinstance(data, Mapping):
        raise SourceError(
            origin,
            f"expected a JSON object (a flow describe), found {_json_kind(data)}",
        )
    body, _ = _FLOW_KEYS.fold(data)
    name = body.get("name")
    if name is None:
        name = fallback_name
    if not isinstance(name, str) or not name.strip():
        raise SourceError(origin, "the describe has no flow name (key 'name')")
    if fallback_name and fallback_name != name:
        warn(
            f"{origin}: file is named {fallback_name!r} but describes flow {name!r}; using {name!r}"
        )

    inputs = _params(
        body.get("inputs"), flow=name, direction="input", origin=origin, warn=warn
    )
    outputs = _params(
        body.get("outputs"), flow=name, direction="output", origin=origin, warn=warn
    )
    return FlowSpec(
        api_name=name,
        label=_text(body.get("label")),
        description=_text(body.get("description")),
        inputs=inputs,
        outputs=outputs,
        process_type=process_type,
        kind=kind,
    )


def _params(
    raw: Any, *, flow: str, direction: str, origin: str, warn: Warn
) -> tuple[Param, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SourceError(
            origin, f"'{direction}s' must be a list, found {_json_kind(raw)}"
        )
    params: list[Param] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if type(item) is not dict and not isinstance(item, Mapping):
            raise SourceError(
                origin,
                f"{direction}s[{index}] must be a JSON object, found {_json_kind(item)}",
            )
        param = _param(*_PARAM_KEYS.fold(item), where=(direction, index), origin=origin)
        if param.name.lower() in seen:
            # Flow variable names are case-insensitive in Salesforce.
            warn(f"{flow}: {direction} {param.name!r} appears twice; keeping the first")
            continue
        seen.add(param.name.lower())
        if param.type.kind is FieldKind.ANY:
            warn(
                f"{flow}: {direction} {param.name!r} has type {param.type.source_type!r}, "
                "which flowgen does not know; it is typed as Any"
            )
        params.append(param)
    return tuple(params)


def _param(
    item: Mapping[str, Any], odd: set[str], *, where: tuple[str, int], origin: str
) -> Param:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        direction, index = where
        raise SourceError(
            origin, f"{direction}s[{index}] has no variable name (key 'name')"
        )
    type_name = item.get("type")
    ftype = parse_type(
        type_name if isinstance(type_name, str) else None,
        sobject_type=_text(item.get("sobjectType")),
        apex_class=_text(item.get("apexClass")),
    )
    picklist = item.get("picklistValues")
    return Param(
        name=name,
        type=ftype,
        is_collection=_max_occurs(item.get("maxOccurs")) > 1,
        required=item.get("required") is True,
        label=_text(item.get("label")),
        description=_text(item.get("description")),
        picklist_values=_picklist(picklist) if picklist else (),
        extra=_extra(item, odd) if odd else {},
    )


def _extra(item: Mapping[str, Any], odd: set[str]) -> dict[str, Any]:
    # Keys flowgen does not read, lowercased (the first spelling wins).
    if len(odd) == 1:  # the usual case: byteLength
        (key,) = odd
        return {key.lower(): item[key]}
    extra: dict[str, Any] = {}
    for key in [key for key in item if key in odd]:
        extra.setdefault(key.lower(), item[key])
    return extra


def _max_occurs(raw: Any) -> int:
    if type(raw) is int:  # as describes send it
        return raw
    if isinstance(raw, bool):
        return 1
    if isinstance(raw, (int, float)):
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    return 1


def _picklist(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    values: list[str] = []
    for entry in raw:
        if isinstance(entry, Mapping):
            folded, _ = _PICKLIST_KEYS.fold(entry)
            if folded.get("active") is False:
                continue
            value = folded.get("value")
        else:
            value = entry
        if isinstance(value, str):
            values.append(value)
    return tuple(values)


def _text(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw != "" else None


def _json_kind(value: Any) -> str:
    kinds = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
    }
    for cls, kind in kinds.items():
        if isinstance(value, cls):
            return kind
    return "a number"
