"""Salesforce types to Python annotations and runtime codecs.

The names used in
annotations (``_dt``, ``_decimal``, ``_records``...) are the underscore aliases
that every generated flow module imports, so no field name can shadow them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NamedTuple

from flowgen.model import FieldKind, FieldType, Param


class PythonType(NamedTuple):
    """How generated code spells a parameter's type and the runtime functions
    that carry its values to and from the wire.

    A flow input goes out as ``{to_json}(value, name{json_args})`` (its JSON
    text), an Apex member as ``{to_wire}(value, name{to_args})`` (a wire
    value), and both come back as ``{from_wire}(value, name{from_args})``:
    the ``*_args`` are the rest of the call's arguments, already spelt.
    """

    annotation: str
    to_wire: str
    from_wire: str
    # Module aliases the spelling needs ("_dt", "_decimal", "_records"...).
    imports: frozenset[str]
    to_args: tuple[str, ...] = ()
    from_args: tuple[str, ...] = ()
    # What an input of this type accepts, where wider than ``annotation``:
    # outputs are lists, inputs any sequence (a tuple too).
    accepts: str = ""
    to_json: str = ""
    json_args: tuple[str, ...] = ()

    @property
    def input_annotation(self) -> str:
        return self.accepts or self.annotation

    def listed(self) -> PythonType:
        """The type of a collection of this type."""
        return PythonType(
            f"list[{self.annotation}]",
            "_rt.list_to_wire",
            "_rt.list_from_wire",
            self.imports,
            (self.to_wire, *self.to_args),
            (self.from_wire, *self.from_args),
            f"_abc.Sequence[{self.input_annotation}]",
            "_rt.list_json",
            (self.to_json, *self.json_args),
        )


def _runtime_pair(kind: str, annotation: str, *imports: str) -> PythonType:
    return PythonType(
        annotation,
        f"_rt.{kind}_to_wire",
        f"_rt.{kind}_from_wire",
        frozenset(imports),
        to_json=f"_rt.{kind}_json",
    )


# kind -> its spelling; RECORD and APEX are built per type name.
_SCALARS: Mapping[FieldKind, PythonType] = {
    FieldKind.STRING: _runtime_pair("string", "str"),
    FieldKind.PICKLIST: _runtime_pair("string", "str"),
    FieldKind.MULTIPICKLIST: _runtime_pair("multipicklist", "list[str]")._replace(
        accepts="_abc.Sequence[str]"
    ),
    FieldKind.BOOLEAN: _runtime_pair("boolean", "bool"),
    FieldKind.INTEGER: _runtime_pair("integer", "int"),
    FieldKind.FLOAT: _runtime_pair("float", "float"),
    FieldKind.DECIMAL: _runtime_pair("decimal", "_decimal.Decimal", "_decimal"),
    FieldKind.DATE: _runtime_pair("date", "_dt.date", "_dt"),
    FieldKind.DATETIME: _runtime_pair("datetime", "_dt.datetime", "_dt"),
    FieldKind.TIME: _runtime_pair("time", "_dt.time", "_dt"),
    FieldKind.ANY: _runtime_pair("any", "_typing.Any", "_typing"),
}


def scalar(kind: FieldKind) -> PythonType:
    """How generated code spells a kind that is not RECORD or APEX."""
    return _SCALARS[kind]


def record(annotation: str, sobject: str | None, *imports: str) -> PythonType:
    """A record of ``sobject`` (None: any sObject, named in its attributes)."""
    return PythonType(
        annotation,
        "_rt.record_to_wire",
        "_rt.record_from_wire",
        frozenset(imports),
        (python_string(sobject) if sobject else "None",),
        to_json="_rt.record_json",
        json_args=(python_string(sobject) if sobject else "None",),
    )


def apex_class(alias: str, module: str = "") -> PythonType:
    """An Apex-defined type (``module`` the prefix its class is named by in
    the generated code, such as ``_apex_types.``)."""
    imports = frozenset({module.rstrip(".")}) if module else frozenset()
    cls = f"{module}{alias}"
    return PythonType(
        cls,
        "_rt.apex_to_wire",
        "_rt.apex_from_wire",
        imports,
        (cls,),
        (cls,),
        to_json="_rt.apex_json",
        json_args=(cls,),
    )


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
        spelt = record(f"_records.{alias}", ftype.sobject_type, "_records")
    elif ftype.kind is FieldKind.APEX:
        assert alias is not None
        spelt = apex_class(alias, "_apex_types.")
    else:
        spelt = _SCALARS[ftype.kind]
    return spelt.listed() if is_collection else spelt


def python_string(text: str) -> str:
    """A Python string literal for arbitrary text, in black's preferred quotes."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal
