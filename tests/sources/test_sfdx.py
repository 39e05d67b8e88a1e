"""Generating from SFDX flow files: the public corpus, focused cases, hostile XML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowgen.generate import pipeline, plan
from flowgen.model import INVOCABLE_PROCESS_TYPES, FieldKind
from flowgen.sources.sfdx import flows as sfdx
from tests.conftest import REPO, describe, param, run_flowgen, write_snapshot

# The corpus of real flow files beside the checkout (../shared), where CI has it.
CORPUS = next(
    (
        path
        for path in (REPO.parent / "shared" / "corpus", Path("/work/shared/corpus"))
        if (path / "index.json").is_file()
    ),
    REPO.parent / "shared" / "corpus",
)


def _generate(index: Any, package: str = "flows_pkg") -> pipeline.Generated[Any]:
    return pipeline.generate(index, package=package, emit=lambda r, d: (r, d))


def _stem(file_name: str) -> str:
    return file_name.removesuffix(".flow-meta.xml").removesuffix(".flow")


def test_every_invocable_corpus_flow_generates_and_the_rest_say_why(
    tmp_path: Path,
) -> None:
    entries = json.loads((CORPUS / "index.json").read_text())
    assert len(entries) == 130
    project = sfdx.open_project(CORPUS / "flows", include_inactive=True)
    assert len(project.flow_files) == 130
    result = _generate(project, "corpus_flows")
    files = dict(result.results)

    invocable = {
        _stem(Path(e["file"]).name)
        for e in entries
        if e["processType"] in INVOCABLE_PROCESS_TYPES and e["triggerType"] is None
    }
    functions = plan.function_names(sorted(invocable))
    for name in invocable:
        assert f"flows/{functions[name]}.py" in files, name
    assert result.flow_count == len(invocable)
    for entry in entries:
        name = _stem(Path(entry["file"]).name)
        if name in invocable:
            continue
        reason = (
            f"skipped flow {name}: it is a {entry['triggerType']} triggered flow"
            if entry["triggerType"]
            else f"skipped flow {name}: process type {entry['processType']!r} cannot"
        )
        assert any(w.startswith(reason) for w in result.warnings), (name, reason)
    # The same flows in both formats: the second file is named, not lost.
    assert all("again" in problem for problem in result.problems.values())

    out = tmp_path / "corpus_flows"
    for relative, data in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    checks = [
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "corpus_flows"],
        [sys.executable, "-m", "black", "--check", "--quiet", "corpus_flows"],
    ]
    for command in checks:
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_drafts_are_skipped_unless_asked_for() -> None:
    result = _generate(sfdx.open_project(CORPUS / "flows"))
    drafts = [w for w in result.warnings if "its status is Draft" in w]
    assert len(drafts) >= 30
    assert "--include-inactive" in drafts[0]


FLOW_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>60.0</apiVersion>
    <description>Books a visit &amp; says "when".</description>
    <label>Book Visit</label>
    <processType>AutoLaunchedFlow</processType>
    <status>Active</status>
    <variables>
        <name>visitCount</name>
        <dataType>Number</dataType>
        <isCollection>false</isCollection>
        <isInput>true</isInput>
        <isOutput>false</isOutput>
        <scale>0</scale>
    </variables>
    <variables>
        <name>fee</name>
        <dataType>Currency</dataType>
        <isInput>true</isInput>
        <scale>2</scale>
    </variables>
    <variables>
        <name>program</name>
        <dataType>SObject</dataType>
        <isCollection>true</isCollection>
        <isInput>true</isInput>
        <objectType>%%%NAMESPACE%%%Program__c</objectType>
    </variables>
    <variables>
        <name>internalOnly</name>
        <dataType>String</dataType>
    </variables>
    <variables>
        <name>result</name>
        <dataType>Apex</dataType>
        <isOutput>true</isOutput>
        <apexClass>Booking$Result</apexClass>
        <description>What the booking returned.</description>
    </variables>
    <variables>
        <name>odd</name>
        <dataType>Geolocation</dataType>
        <isOutput>true</isOutput>
    </variables>
</Flow>
"""


def _project(root: Path, files: dict[str, str], settings: Any = None) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    if settings is not None:
        (root / sfdx.PROJECT_FILE).write_text(json.dumps(settings))
    return root


def test_variables_types_and_tokens(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"force-app/main/default/flows/Book_Visit.flow-meta.xml": FLOW_XML},
        {"packageDirectories": [{"path": "force-app"}], "namespace": "acme",
         "sourceApiVersion": "61.0"},
    )  # fmt: skip
    project = sfdx.open_project(root)
    assert project.api_version == "61.0"
    read = project.read_flow(project.flow_files[0])
    spec = read.spec
    assert spec is not None and spec.api_name == "Book_Visit"
    assert (
        spec.label == "Book Visit"
        and spec.description == 'Books a visit & says "when".'
    )
    visits, fee, program = spec.inputs  # internalOnly is neither input nor output
    assert (visits.type.kind, visits.scale) == (FieldKind.FLOAT, 0)
    assert fee.type.kind is FieldKind.DECIMAL and fee.type.source_type == "CURRENCY"
    assert program.is_collection and program.type.sobject_type == "acme__Program__c"
    result, odd = spec.outputs
    assert (
        result.type.apex_class == "Booking$Result" and result.type.source_type is None
    )
    assert odd.type.kind is FieldKind.ANY
    assert any("'Geolocation'" in w and "Any" in w for w in read.warnings)
    module = dict(_generate(project).results)["flows/book_visit.py"].decode()
    assert "visit_count: Visit Count" not in module  # no labels in XML: names stand in
    assert "(``visitCount``, DOUBLE, a whole number)" in module
    assert "_abc.Sequence[_records.acme__Program__c]" in module  # an input


def test_a_namespace_token_is_stripped_without_a_namespace(tmp_path: Path) -> None:
    project = sfdx.open_project(_project(tmp_path, {"flows/Book_Visit.flow": FLOW_XML}))
    spec = project.read_flow("flows/Book_Visit.flow").spec
    assert spec is not None and spec.inputs[2].type.sobject_type == "Program__c"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>&lol3;</label></Flow>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE Flow [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>&secret;</label></Flow>
"""


def test_hostile_and_broken_files_are_named_and_the_rest_generates(
    tmp_path: Path,
) -> None:
    root = _project(
        tmp_path / "proj",
        {
            "flows/Book_Visit.flow-meta.xml": FLOW_XML,
            "flows/Bomb.flow-meta.xml": BILLION_LAUGHS,
            "flows/Peek.flow-meta.xml": EXTERNAL,
            "flows/Broken.flow-meta.xml": "<Flow><label>unclosed</Flow>",
            "flows/Layout.flow-meta.xml": "<Layout><name>x</name></Layout>",
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "flowgen", "generate", "--project", str(root),
         "--out", str(tmp_path / "out" / "pkg"), "--package", "pkg"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    errors = {
        line.split(": ", 3)[2].rsplit("/", 1)[-1]: line
        for line in done.stderr.splitlines()
        if line.startswith("flowgen: error:")
    }
    assert set(errors) == {
        "Bomb.flow-meta.xml", "Peek.flow-meta.xml", "Broken.flow-meta.xml",
        "Layout.flow-meta.xml",
    }  # fmt: skip
    assert "DTDForbidden" in errors["Bomb.flow-meta.xml"]
    assert "DTDForbidden" in errors["Peek.flow-meta.xml"]
    assert "not well-formed XML" in errors["Broken.flow-meta.xml"]
    assert "root element is <Layout>" in errors["Layout.flow-meta.xml"]
    assert "Traceback" not in done.stderr and "root:" not in done.stderr
    # A file that cannot be read stops the run before anything is written.
    assert "nothing written" in done.stderr
    assert not (tmp_path / "out" / "pkg").exists()


def test_package_directories_decide_where_flows_are_found(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "app/flows/Book_Visit.flow-meta.xml": FLOW_XML,
            "unlisted/flows/Other.flow-meta.xml": FLOW_XML,
            "app/node_modules/x/flows/Vendored.flow-meta.xml": FLOW_XML,
        },
        {"packageDirectories": [{"path": "app", "default": True}]},
    )
    assert sfdx.open_project(root).flow_files == ("app/flows/Book_Visit.flow-meta.xml",)
    (root / sfdx.PROJECT_FILE).write_text("{not json")
    with pytest.raises(sfdx.SourceError, match="not valid JSON"):
        sfdx.open_project(root)
    (root / sfdx.PROJECT_FILE).write_text('{"packageDirectories": [{"path": "../x"}]}')
    with pytest.raises(sfdx.SourceError, match="outside the project"):
        sfdx.open_project(root)


def test_flow_files_in_other_components_content_are_not_flows(
    tmp_path: Path,
) -> None:
    # A static resource bundling a sample project, an LWC's test fixture: the
    # Salesforce CLI deploys them as files of that component, not as flows.
    default = "force-app/main/default"
    copies = [
        f"{default}/staticresources/Samples/flows/Book_Visit.flow-meta.xml",
        f"{default}/staticresources/Samples/force-app/flows/Book_Visit.flow",
        f"{default}/lwc/bookVisit/__tests__/flows/Book_Visit.flow-meta.xml",
        f"{default}/aura/BookVisit/Book_Visit.flow-meta.xml",
        f"{default}/contentassets/Book_Visit.flow-meta.xml",
        f"{default}/documents/Shared/Book_Visit.flow-meta.xml",
    ]
    root = _project(
        tmp_path / "proj",
        {
            f"{default}/flows/Book_Visit.flow-meta.xml": FLOW_XML,
            f"{default}/other/Elsewhere.flow-meta.xml": FLOW_XML,  # by suffix
            **{copy: FLOW_XML for copy in copies},
        },
        {"packageDirectories": [{"path": "force-app"}]},
    )
    assert sfdx.open_project(root).flow_files == (
        f"{default}/flows/Book_Visit.flow-meta.xml",
        f"{default}/other/Elsewhere.flow-meta.xml",
    )
    # Without sfdx-project.json the whole folder is read, the same way.
    (root / sfdx.PROJECT_FILE).unlink()
    assert len(sfdx.open_project(root).flow_files) == 2
    # Only the folders below the project count, not those above it: a project
    # kept in ~/documents is read, and so is a bundle asked for by name.
    assert len(sfdx.open_project(root / default).flow_files) == 2
    project = sfdx.open_project(root / default / "staticresources" / "Samples")
    assert len(project.flow_files) == 2
    done = run_flowgen(
        "generate", "--project", str(root), "--out", str(tmp_path / "pkg"),
        "--package", "pkg", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "again" not in done.stderr and "error" not in done.stderr
    assert "2 flow(s)" in done.stderr


def test_flows_outside_the_package_directories_are_named(tmp_path: Path) -> None:
    outside = [f"unpackaged/flows/Flow_{n}.flow-meta.xml" for n in range(5)]
    root = _project(
        tmp_path / "proj",
        {
            **{path: FLOW_XML for path in outside},
            "force-app/main/default/classes/Empty.cls": "",
            "force-app/main/default/staticresources/S/flows/X.flow-meta.xml": (
                FLOW_XML
            ),
        },
        {"packageDirectories": [{"path": "force-app"}, {"path": "missing"}]},
    )
    with pytest.raises(sfdx.SourceError) as raised:
        sfdx.open_project(root)
    message = str(raised.value)
    assert message.startswith(str(root / sfdx.PROJECT_FILE))
    assert "package directories (force-app) hold no flow file" in message
    assert f"has 5 elsewhere: {', '.join(outside[:3])} and 2 more" in message
    assert "'packageDirectories'" in message and "--project" in message
    assert "staticresources" not in message  # content, never a flow
    done = run_flowgen(
        "generate", "--project", str(root), "--out", str(tmp_path / "pkg"),
        "--package", "pkg", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "unpackaged/flows/Flow_0.flow-meta.xml" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "pkg").exists()

    # No package directory exists at all: the same, said so.
    (root / sfdx.PROJECT_FILE).write_text(
        json.dumps({"packageDirectories": [{"path": "missing"}]})
    )
    with pytest.raises(sfdx.SourceError, match="none of which exists"):
        sfdx.open_project(root)
    # No flow anywhere: an empty package is what was asked for.
    for path in outside:
        (root / path).unlink()
    assert sfdx.open_project(root).flow_files == ()
    done = run_flowgen(
        "generate", "--project", str(root), "--out", str(tmp_path / "pkg"),
        "--package", "pkg", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0 flow(s)" in done.stderr


# -- the same flows from a describe snapshot and from their XML ----------------

# Three corpus flows and the describes an org would answer for them, written
# by hand from their variables: the describe has labels (the variables'
# names, as the XML has none) and DOUBLE for Number; the XML has no
# "required" and no picklist values, so neither does the describe here.
EQUIVALENT = {
    "trailheadapps__coral-cloud/Cancel_Booking.flow-meta.xml": "Cancel_Booking",
    "trailheadapps__coral-cloud/Create_Booking.flow-meta.xml": "Create_Booking",
    "alexed1__LightningFlowComponents/Webhook2Flow_Deploy_Test.flow-meta.xml": (
        "Webhook2Flow_Deploy_Test"
    ),
}


def _describe_from_xml(spec: Any) -> dict[str, Any]:
    def as_param(p: Any) -> dict[str, Any]:
        return param(
            p.name,
            p.type.source_type,
            label=p.name,
            description=p.description,
            maxOccurs=2000 if p.is_collection else 1,
            sobjectType=p.type.sobject_type,
            apexClass=p.type.apex_class,
        )

    return describe(
        spec.api_name,
        [as_param(p) for p in spec.inputs],
        [as_param(p) for p in spec.outputs],
        label=spec.label,
        description=spec.description,
    )


def test_a_describe_and_the_xml_give_the_same_module(tmp_path: Path) -> None:
    project = sfdx.open_project(CORPUS / "flows", include_inactive=True)
    chosen = [name for name in project.flow_files if name in EQUIVALENT]
    assert len(chosen) == len(EQUIVALENT)
    specs = [project.read_flow(name).spec for name in chosen]
    assert all(spec is not None and spec.inputs for spec in specs)
    snapshot = write_snapshot(
        tmp_path / "snap", [_describe_from_xml(spec) for spec in specs]
    )
    from flowgen.sources.snapshot import open_snapshot

    from_describes = dict(_generate(open_snapshot(snapshot)).results)
    from_xml = dict(
        _generate(
            sfdx.SfdxProject(
                root=project.root,
                api_version="62.0",
                namespace=None,
                flow_files=tuple(chosen),
                include_inactive=True,
            )
        ).results
    )
    modules = sorted(path for path in from_xml if path.startswith("flows/"))
    assert len(modules) == len(EQUIVALENT) + 1  # and flows/__init__.py
    for path in modules:
        # The one documented difference: only the XML knows a Number's scale.
        same_facts = from_xml[path].replace(b", a whole number)", b")")
        assert same_facts == from_describes[path], path
    assert b"(``numberOfGuests``, DOUBLE, a whole number)" in (
        from_xml["flows/create_booking.py"]
    )


FIELD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName>
    <label>{name}</label>
    {body}
</CustomField>
"""


def test_object_metadata_in_the_project_types_its_records(tmp_path: Path) -> None:
    fields = "force-app/main/default/objects/Program__c/fields"
    root = _project(
        tmp_path,
        {
            "force-app/main/default/flows/Book_Visit.flow-meta.xml": FLOW_XML,
            f"{fields}/Seats__c.field-meta.xml": FIELD_XML.format(
                name="Seats__c",
                body="<type>Number</type><precision>18</precision><scale>0</scale>",
            ),
            f"{fields}/Coach__c.field-meta.xml": FIELD_XML.format(
                name="Coach__c",
                body="<type>Lookup</type><referenceTo>Contact</referenceTo>",
            ),
        },
        {"packageDirectories": [{"path": "force-app"}], "namespace": "acme"},
    )
    generated = _generate(sfdx.open_project(root))
    records = dict(generated.results)["records.py"].decode()
    assert "class acme__Program__c(_typing.TypedDict, total=False):" in records
    assert "    acme__Seats__c: float | _decimal.Decimal | None" in records
    assert "    acme__Coach__c: str | None" in records
    assert "    acme__Coach__r: dict[str, _typing.Any] | None" in records
    assert "    Id: str\n" in records
    # The field files are inputs of the no-op check.
    inputs = sfdx.project_files(root)
    assert root / f"{fields}/Seats__c.field-meta.xml" in inputs
