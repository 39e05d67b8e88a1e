"""The peer of ``bench/generate.py``: openapi-python-client on the OpenAPI
document that says what a flowgen snapshot says.

Two parts: :func:`openapi_document` translates a snapshot's describes into an
OpenAPI 3.0 document (one operation per flow, as the REST API's
``actions/custom/flow`` endpoint takes and answers it), and :func:`peer_venv`
installs the pinned openapi-python-client into a venv of its own, since it
pins dependency versions that need not agree with the dev venv's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PEER = "openapi-python-client"
PEER_VERSION = "0.29.1"  # the latest release when the figures were taken

Schema = dict[str, Any]

_STRING: Schema = {"type": "string"}
_NUMBER: Schema = {"type": "number", "format": "double"}
# A flow describe's ``type`` -> its JSON schema. Currency and decimal are
# numbers on the wire; TIME has no format in the OpenAPI registry, but
# ``format: time`` says what it is as well as any other spelling would.
_PARAM_TYPES: dict[str, Schema] = {
    **dict.fromkeys(["STRING", "ID", "TEXTAREA"], _STRING),
    "EMAIL": {"type": "string", "format": "email"},
    "BOOLEAN": {"type": "boolean"},
    "INTEGER": {"type": "integer", "format": "int32"},
    "LONG": {"type": "integer", "format": "int64"},
    **dict.fromkeys(["DOUBLE", "PERCENT", "CURRENCY", "DECIMAL"], _NUMBER),
    "DATE": {"type": "string", "format": "date"},
    "DATETIME": {"type": "string", "format": "date-time"},
    "TIME": {"type": "string", "format": "time"},
}
# A described sObject field's ``type`` -> its JSON schema (strings otherwise:
# ids, picklists, multi-select picklists and references are text on the wire).
_FIELD_TYPES: dict[str, Schema] = {
    "boolean": {"type": "boolean"},
    "int": {"type": "integer"},
    **dict.fromkeys(["double", "percent", "currency"], _NUMBER),
    "date": _PARAM_TYPES["DATE"],
    "datetime": _PARAM_TYPES["DATETIME"],
    "time": _PARAM_TYPES["TIME"],
    "address": {"type": "object", "additionalProperties": True},
}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    # In OpenAPI 3.0 a $ref's siblings are ignored, so a nullable reference
    # is a one-member allOf.
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    if "enum" in schema:  # an enum's null must be among its values too
        return {**schema, "enum": [*schema["enum"], None], "nullable": True}
    return {**schema, "nullable": True}


def _apex_name(apex_class: str) -> str:
    # Component names allow [A-Za-z0-9._-]; flowgen spells them the same way.
    return apex_class.replace("$", "_")


def _param_schema(param: dict[str, Any]) -> Schema:
    picklist = [p["value"] for p in param.get("picklistValues") or ()]
    kind = (param.get("type") or "").upper()
    if param.get("apexClass"):
        schema = _ref(_apex_name(param["apexClass"]))
    elif kind == "SOBJECT":
        schema = _ref(param["sobjectType"])
    elif kind == "PICKLIST":
        schema = {"type": "string", "enum": picklist}
    elif kind == "MULTIPICKLIST":
        schema = {"type": "array", "items": {"type": "string", "enum": picklist}}
    else:
        schema = dict(_PARAM_TYPES.get(kind, {}))
    if (param.get("maxOccurs") or 1) > 1:
        schema = {"type": "array", "items": schema}
    schema["description"] = f"{param['label']}. {param['description']}"
    return schema


def _params_schema(description: str, params: list[dict[str, Any]]) -> Schema:
    """An object of the params; those not required may be null, as in flowgen."""
    properties = {}
    for param in params:
        schema = _param_schema(param)
        properties[param["name"]] = schema if param["required"] else _nullable(schema)
    required = [p["name"] for p in params if p["required"]]
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        **({"required": required} if required else {}),
    }


def _record_schema(name: str, describe: dict[str, Any] | None) -> Schema:
    """An sObject record: its described fields, else any fields."""
    properties: dict[str, Schema] = {"attributes": _ref("RecordAttributes")}
    for field in (describe or {}).get("fields", ()):
        schema = dict(_FIELD_TYPES.get(field["type"], _STRING))
        schema["description"] = field["label"]
        properties[field["name"]] = _nullable(schema) if field["nillable"] else schema
    return {
        "type": "object",
        "description": f"A record of the sObject type {name}.",
        "properties": properties,
        "additionalProperties": describe is None,
    }


_SHARED: dict[str, Schema] = {
    "RecordAttributes": {
        "type": "object",
        "properties": {"type": _STRING, "url": _STRING},
    },
    "FlowError": {
        "type": "object",
        "properties": {
            "statusCode": _STRING,
            "message": _STRING,
            "fields": {"type": "array", "items": _STRING},
        },
    },
}


def _operation(flow: dict[str, Any], schemas: dict[str, Schema]) -> Schema:
    """The POST of one flow; adds its Input, Output and Result to ``schemas``."""
    name = flow["name"]
    schemas[f"{name}Input"] = _params_schema(f"Inputs of {name}", flow["inputs"])
    schemas[f"{name}Output"] = _params_schema(f"Outputs of {name}", flow["outputs"])
    schemas[f"{name}Result"] = {
        "type": "object",
        "properties": {
            "actionName": _STRING,
            "isSuccess": {"type": "boolean"},
            "errors": _nullable({"type": "array", "items": _ref("FlowError")}),
            "outputValues": _nullable(_ref(f"{name}Output")),
        },
    }
    body = {
        "type": "object",
        "required": ["inputs"],
        "properties": {"inputs": {"type": "array", "items": _ref(f"{name}Input")}},
    }
    results = {"type": "array", "items": _ref(f"{name}Result")}
    return {
        "operationId": name,
        "summary": flow["label"],
        "description": flow["description"],
        "tags": ["flows"],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body}},
        },
        "responses": {
            "200": {
                "description": "One result per input",
                "content": {"application/json": {"schema": results}},
            }
        },
    }


def openapi_document(snapshot: Path) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the flows of a format-1 snapshot."""
    manifest = json.loads((snapshot / "flowgen-snapshot.json").read_text("utf-8"))
    version = manifest["api_version"]
    schemas: dict[str, Schema] = dict(_SHARED)
    paths: dict[str, Any] = {}
    sobjects: set[str] = set()
    for name in sorted(manifest["flows"]):
        flow = json.loads((snapshot / "flows" / f"{name}.json").read_text("utf-8"))
        path = f"/services/data/v{version}/actions/custom/flow/{name}"
        paths[path] = {"post": _operation(flow, schemas)}
        for param in flow["inputs"] + flow["outputs"]:
            if param.get("apexClass"):
                schemas.setdefault(
                    _apex_name(param["apexClass"]),
                    {"type": "object", "additionalProperties": True},
                )
            elif param.get("sobjectType"):
                sobjects.add(param["sobjectType"])
    for sobject in sorted(sobjects):
        described = snapshot / "sobjects" / f"{sobject}.json"
        describe = (
            json.loads(described.read_text("utf-8")) if described.exists() else None
        )
        schemas[sobject] = _record_schema(sobject, describe)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bench Flows", "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def peer_venv(root: Path) -> Path | None:
    """The ``bin`` directory of a venv under ``root`` holding the pinned peer,
    made on first use; None (with the reason on stderr) if it cannot be."""
    venv = root / f"{PEER}-{PEER_VERSION}"
    bin_dir = venv / "bin"
    # Written last, so a half-made venv (an interrupted install) is made anew.
    marker = venv / ".installed"
    if marker.exists():
        return bin_dir
    print(f"installing {PEER}=={PEER_VERSION} into {venv} ...", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            f"{PEER}=={PEER_VERSION}",
        ],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-5:])
            print(
                f"could not install {PEER} (no network?): {' '.join(step)} exited "
                f"{result.returncode}\n{tail}",
                file=sys.stderr,
            )
            return None
    marker.write_text(PEER_VERSION + "\n", "utf-8")
    return bin_dir


def peer_env(bin_dir: Path) -> dict[str, str]:
    """The environment of an activated peer venv: its post hooks run ``ruff``
    from ``PATH``, and skip it (with a warning) when there is none."""
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "VIRTUAL_ENV": str(bin_dir.parent)}
