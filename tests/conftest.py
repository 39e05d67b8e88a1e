"""Fixtures shared across the suite: snapshot builders and package importers."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed seed, so a red run is reproducible and
# never a roll of the dice; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # flowgen keeps compiled templates under $XDG_CACHE_HOME; the suite (and
    # every flowgen process it starts) uses its own, not the user's.
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved


REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SNAPSHOT = REPO / "examples" / "snapshot"
GENERATED_EXAMPLE = REPO / "generated_example"


def param(name: str, type_: str | None = "STRING", **extra: Any) -> dict[str, Any]:
    """A describe parameter in Salesforce's wire shape."""
    body: dict[str, Any] = {
        "apexClass": None,
        "byteLength": 0,
        "description": None,
        "label": name,
        "maxOccurs": 1,
        "name": name,
        "picklistValues": None,
        "required": False,
        "sobjectType": None,
        "type": type_,
    }
    body.update(extra)
    return body


def describe(
    name: str,
    inputs: Sequence[Mapping[str, Any]] = (),
    outputs: Sequence[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A flow describe body in Salesforce's wire shape."""
    body: dict[str, Any] = {
        "description": None,
        "inputs": list(inputs),
        "label": name,
        "name": name,
        "outputs": list(outputs),
        "type": "FLOW",
    }
    body.update(extra)
    return body


def write_snapshot(
    root: Path,
    describes: Sequence[Mapping[str, Any]],
    *,
    process_types: Mapping[str, str] | None = None,
    raw_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a snapshot directory; ``raw_files`` adds flows/<name> with exact bytes."""
    (root / "flows").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": 1, "api_version": "62.0"}
    if process_types:
        manifest["flows"] = {
            name: {"process_type": kind} for name, kind in process_types.items()
        }
    (root / "flowgen-snapshot.json").write_text(json.dumps(manifest))
    for body in describes:
        (root / "flows" / f"{body['name']}.json").write_text(
            json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    for filename, data in (raw_files or {}).items():
        (root / "flows" / filename).write_bytes(data)
    return root


@pytest.fixture
def import_package() -> Iterator[Any]:
    """Import a generated package from a directory; forgets it afterwards."""
    added: list[tuple[str, str]] = []

    def load(parent: Path, name: str) -> ModuleType:
        sys.path.insert(0, str(parent))
        added.append((str(parent), name))
        importlib.invalidate_caches()
        return importlib.import_module(name)

    yield load
    for parent, name in added:
        sys.path.remove(parent)
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


# Payloads that create CANARY in the working directory if anything runs them.
_CODE = "__import__('pathlib').Path('CANARY').touch()"
HOSTILE_TEXTS = [
    f'"""\n{_CODE}\n"""',
    f"'''\n{_CODE}\n'''",
    f"\\\n{_CODE}  # backslash-newline",
    f'"; {_CODE}; "',
    "{{ 7 * 7 }} {% for x in y %}{{ x }}{% endfor %} {# c #}",
    "nul \x00 byte, bell \x07, bidi \u202e, zero-width \u200b, lone \ud800",
    f"line one\r\nline two\rline three\n    indented\t{_CODE}\n\n\n",
    'ends with quote"',
    "ends with backslash\\",
    "\u00e9\u00fc\u00b7\u2014 \U0001f4e6 \u65e5\u672c\u8a9e",
]


def hostile_describes() -> list[dict[str, Any]]:
    """Flows whose every name, label and description is an attack on the generator."""
    flows = []
    for index, text in enumerate(HOSTILE_TEXTS):
        flows.append(
            describe(
                f"Hostile_{index}",
                inputs=[
                    param(text, "STRING", label=text, description=text, required=True),
                    param(
                        f"{text} 2",
                        "PICKLIST",
                        label=text,
                        picklistValues=[{"value": text}],
                    ),
                    param(
                        "rec",
                        "SOBJECT",
                        sobjectType=f"Obj{index}{text}",
                        description=text,
                    ),
                    param("apex", None, apexClass=f"Cls{index}${text}"),
                ],
                outputs=[
                    param(text, "CURRENCY", label=text, description=text),
                    param(text.upper(), "HOLOGRAM"),
                ],
                label=text,
                description=text,
            )
        )
    # API names are hostile too (the file name stays sane; the describe says otherwise).
    flows.append(
        describe(
            f'Evil"""{_CODE}#',
            inputs=[param("client", "STRING")],
            label=HOSTILE_TEXTS[0],
        )
    )
    flows.append(describe("class", outputs=[param("interview_status", "STRING")]))
    flows.append(describe("flows"))
    flows.append(describe("Create_Case"))
    flows.append(describe("Create_Case_Many"))
    return flows


def write_hostile_snapshot(root: Path) -> Path:
    """The hostile flows, each in a file with a plain name."""
    (root / "flows").mkdir(parents=True, exist_ok=True)
    (root / "flowgen-snapshot.json").write_text(
        json.dumps({"format": 1, "api_version": "62.0"})
    )
    for index, body in enumerate(hostile_describes()):
        (root / "flows" / f"F{index:02d}.json").write_text(
            json.dumps(body), encoding="utf-8"
        )
    return root


def run_flowgen(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A whole ``flowgen`` process, as a user runs it. The caller's ``SF_*``
    variables never leak into it: only ``env`` logs it in."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SF_")}
    return subprocess.run(
        [sys.executable, "-m", "flowgen", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _picklist(*values: str) -> list[dict[str, Any]]:
    return [
        {
            "active": True,
            "defaultValue": False,
            "label": v,
            "validFor": None,
            "value": v,
        }
        for v in values
    ]


def action_describes() -> dict[str, list[dict[str, Any]]]:
    """Describes of an org's other invocable actions, by snapshot folder.

    Every scalar type, records and Apex-defined types (those of the example
    snapshot: Account, Case, AcmeShipping$Parcel/$Quote), a prompt template
    with ``Input:``-style keys, and an Apex action named like an example
    flow (Create_Support_Case), whose names must not collide.
    """
    kinds = {
        "subject": "STRING", "amount": "CURRENCY", "rate": "DECIMAL",
        "ratio": "DOUBLE", "visits": "INTEGER", "bigCount": "LONG",
        "urgent": "BOOLEAN", "dueDate": "DATE", "dueAt": "DATETIME",
        "startTime": "TIME", "recordId": "ID",
    }  # fmt: skip
    scalars = [param(name, kind) for name, kind in kinds.items()]
    apex = [
        describe(
            "Create311Case",
            inputs=[
                param("subject", "STRING", required=True, label="Subject"),
                *scalars[1:],
                param("priority", "PICKLIST", picklistValues=_picklist("High", "Low")),
                param("tags", "MULTIPICKLIST", picklistValues=_picklist("A", "B")),
                param("notes", "STRING", maxOccurs=2000),
                param("account", "SOBJECT", sobjectType="Account"),
                param("parcel", None, apexClass="AcmeShipping$Parcel"),
            ],
            outputs=[
                param("caseId", "ID"),
                *[param(f"{p['name']}Out", p["type"]) for p in scalars],
                param("tags", "MULTIPICKLIST"),
                param("notes", "STRING", maxOccurs=2000),
                param("createdCase", "SOBJECT", sobjectType="Case"),
                param("quotes", None, apexClass="AcmeShipping$Quote", maxOccurs=2000),
            ],
            label="Create 311 Case",
            description="Opens a 311 service case (an @InvocableMethod).",
            type="APEX",
        ),
        describe(
            "Create_Support_Case",
            inputs=[param("caseSubject", "STRING", required=True)],
            outputs=[param("caseId", "ID")],
            label="Create Support Case (Apex)",
            type="APEX",
        ),
    ]
    prompt = [
        describe(
            "Summarize_Case",
            inputs=[
                param("Input:Case", "SOBJECT", sobjectType="Case", required=True),
                param("Input:Query", "STRING", required=True),
            ],
            outputs=[param("promptResponse", "STRING")],
            label="Summarize Case",
            type="GENERATEPROMPTRESPONSE",
        )
    ]
    standard = [
        describe(
            "emailSimple",
            inputs=[
                param("emailBody", "TEXTAREA", required=True),
                param("emailAddresses", "STRING"),
                param("emailSubject", "STRING", required=True),
                param(
                    "senderType", "PICKLIST", picklistValues=_picklist("CurrentUser")
                ),
            ],
            label="Send Email",
            type="STANDARD",
        ),
        describe(
            "chatterPost",
            inputs=[param("text", "STRING", required=True)],
            outputs=[param("feedItemId", "ID")],
            label="Post to Chatter",
            type="STANDARD",
        ),
    ]
    return {"apex": apex, "prompt": prompt, "standard": standard}


def write_actions_snapshot(root: Path) -> Path:
    """The example snapshot plus ``actions/<kind>/`` describes of the org's
    other invocable actions (see :func:`action_describes`)."""
    import shutil

    shutil.copytree(EXAMPLE_SNAPSHOT, root)
    for folder, bodies in action_describes().items():
        (root / "actions" / folder).mkdir(parents=True)
        for body in bodies:
            (root / "actions" / folder / f"{body['name']}.json").write_text(
                json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
    return root
