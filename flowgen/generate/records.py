"""sObject types to the TypedDict fields of ``records.py``, through
datamodel-code-generator.

Each described object becomes a JSON Schema definition; the project's
schema-to-model tool turns the schema into TypedDicts; and only the
annotations it chose are taken back (read with ``ast``, checked against the
names they may use), so that the module around them keeps flowgen's own
header, layout and escaping. The tool takes close to a millisecond per field,
so its answer is kept in the user's cache, keyed by the schema: an org's
objects are typed once per change to them, not once per run.

Values are typed as the REST API sends them and the runtime passes them on:
text for ids, picklists, dates and times; ``Decimal`` for currency; ``float``
or ``Decimal`` for other numbers with a fraction.
"""

from __future__ import annotations

import ast
import hashlib
import json
import keyword
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowgen.generate import typed_cache
from flowgen.model import RecordField, RecordType

# The class every record's ``attributes`` key holds (declared in records.py).
ATTRIBUTES_CLASS = "RecordAttributes"

_TEXT = {"type": "string"}
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "number", "format": "decimal"}]}
_SCHEMA_BY_TYPE: Mapping[str, Mapping[str, Any]] = {
    **dict.fromkeys(
        "id reference string textarea picklist multipicklist combobox email phone "
        "url encryptedstring base64 date datetime time".split(),
        _TEXT,
    ),
    "boolean": {"type": "boolean"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "double": _NUMBER,
    "percent": _NUMBER,
    # Currency never passes through float.
    "currency": {
        "anyOf": [{"type": "number", "format": "decimal"}, {"type": "integer"}]
    },
    "address": {"type": "object"},
    "location": {"type": "object"},
}

# Names an annotation may use, and how records.py spells them.
_SPELLING = {"Decimal": "_decimal.Decimal", "Any": "_typing.Any"}
_BUILTINS = frozenset({"str", "int", "bool", "float", "dict", "list", "None"})


def field_annotations(
    types: Mapping[str, RecordType],
) -> dict[str, list[tuple[str, str]]]:
    """Class name -> [(API field name, annotation)] for each described type.

    ``types`` maps the class name chosen for each object to its type. Keys
    come in code-point order of their names, ``attributes`` among them (the
    schema is written with sorted keys, so the same types give the same text).
    """
    if not types:
        return {}
    cached = _cache_path(_key(types))
    found = _read_cache(cached)
    if found is None:
        text = json.dumps(_schema(types), sort_keys=True, ensure_ascii=True)
        found = _from_tool(text, types)
        typed_cache.write_json(cached, found)
    return found


def _key(types: Mapping[str, RecordType]) -> str:
    # Everything the schema is made of, spelled out quicker than the schema.
    parts = []
    for name, record in sorted(types.items()):
        parts.append(f"\0{name}\0{record.name}")
        parts.extend(
            f"{f.name}|{f.type}|{f.nillable}|{','.join(f.reference_to)}|"
            f"{f.relationship_name}"
            for f in record.fields
        )
    return "\n".join(parts)


def _schema(types: Mapping[str, RecordType]) -> dict[str, Any]:
    by_object = {record.name: name for name, record in types.items()}
    definitions: dict[str, Any] = {
        ATTRIBUTES_CLASS: {
            "type": "object",
            "title": ATTRIBUTES_CLASS,
            "properties": {"type": _TEXT, "url": _TEXT},
        }
    }
    for name, record in sorted(types.items()):
        properties: dict[str, Any] = {
            "attributes": {"$ref": f"#/$defs/{ATTRIBUTES_CLASS}"}
        }
        for field in record.fields:  # names are identifiers (usable_field_name)
            properties[field.name] = _nillable(field, _field_schema(field))
            related = _relationship(field, by_object)
            if related and related[0] not in properties:
                properties[related[0]] = related[1]
        definitions[name] = {"type": "object", "title": name, "properties": properties}
    return {
        "$defs": definitions,
        "type": "object",
        "title": "Records",
        "properties": {},
    }


def _field_schema(field: RecordField) -> Mapping[str, Any]:
    return _SCHEMA_BY_TYPE.get(field.type, {})


def _nillable(field: RecordField, schema: Mapping[str, Any]) -> Mapping[str, Any]:
    if not field.nillable or not schema:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _relationship(
    field: RecordField, by_object: Mapping[str, str]
) -> tuple[str, Mapping[str, Any]] | None:
    # AccountId also reads as Account, the related record, in query results.
    name = field.relationship_name
    if field.type != "reference" or not name or not name.isidentifier():
        return None
    if keyword.iskeyword(name):
        return None
    targets = [by_object[t] for t in field.reference_to if t in by_object]
    if len(targets) == 1 and len(field.reference_to) == 1:
        related: Mapping[str, Any] = {"$ref": f"#/$defs/{targets[0]}"}
    else:
        related = {"type": "object"}
    return name, {"anyOf": [related, {"type": "null"}]}


def _from_tool(
    text: str, types: Mapping[str, RecordType]
) -> dict[str, list[tuple[str, str]]]:
    # Imported here: only a run with new or changed objects needs it.
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notices about its future defaults
        source = generate(
            text,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.TypingTypedDict,
            target_python_version=PythonVersion.PY_310,
            formatters=[],
            disable_timestamp=True,
            use_total_false_for_typed_dict=True,
            use_closed_typed_dict=False,
            use_title_as_name=True,
            use_standard_collections=True,
            use_union_operator=True,
            custom_class_name_generator=lambda title: title,
        )
    if not isinstance(source, str):
        raise RuntimeError("datamodel-code-generator returned no module")
    allowed = {*types, ATTRIBUTES_CLASS}
    found: dict[str, list[tuple[str, str]]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name in types:
            found[node.name] = [
                (item.target.id, _spelled(item.annotation, allowed))
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            ]
    missing = set(types) - set(found)
    if missing:
        raise RuntimeError(
            f"datamodel-code-generator made no class for {sorted(missing)}"
        )
    return found


def _spelled(annotation: ast.expr, allowed: set[str]) -> str:
    """An annotation in records.py's spelling; names it may not use make it Any."""

    class Respell(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            if node.id in _SPELLING:
                return ast.parse(_SPELLING[node.id], mode="eval").body
            if node.id not in allowed and node.id not in _BUILTINS:
                raise ValueError(node.id)
            return node

    try:
        return ast.unparse(Respell().visit(annotation))
    except ValueError:
        return "_typing.Any"


def _cache_path(key: str) -> Path:
    digest = hashlib.sha256(typed_cache.made_by())
    digest.update(key.encode("utf-8"))
    return typed_cache.cache_file("records", digest.hexdigest())


def _read_cache(path: Path) -> dict[str, list[tuple[str, str]]] | None:
    data = typed_cache.read_json(path)
    try:
        found = {
            str(name): [(str(key), str(annotation)) for key, annotation in fields]
            for name, fields in data.items()
        }
    except (ValueError, TypeError, AttributeError):
        return None
    # The cache is the user's, like __pycache__; still, what it holds reaches
    # generated code, so it is held to what the tool's answer may contain.
    allowed = {*found, ATTRIBUTES_CLASS, "_decimal", "_typing"} | _BUILTINS
    keys = {key for fields in found.values() for key, _ in fields}
    if not all(key.isidentifier() and not keyword.iskeyword(key) for key in keys):
        return None
    # A few dozen distinct annotations serve thousands of fields.
    for annotation in {
        annotation for fields in found.values() for _, annotation in fields
    }:
        try:
            tree = ast.parse(annotation, mode="eval")
        except SyntaxError:
            return None
        if not all(
            node.id in allowed for node in ast.walk(tree) if isinstance(node, ast.Name)
        ):
            return None
    return found
