"""sObject types to TypedDict annotations: every describe type, relationships,
the cache and what it may hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgen.generate import records as record_schema
from flowgen.model import RecordField, RecordType
from flowgen.resources import cache_root


def _types() -> dict[str, RecordType]:
    fields = [
        RecordField(name=f"F_{kind}__c", type=kind, nillable=False)
        for kind in (
            "id string textarea picklist multipicklist email phone url date "
            "datetime time boolean int long double percent currency address "
            "location anytype"
        ).split()
    ]
    account = RecordType(
        name="Account",
        label="Account",
        fields=(
            RecordField(name="Id", type="id", nillable=False),
            RecordField(name="Name", type="string"),
            RecordField(
                name="ParentId",
                type="reference",
                reference_to=("Account",),
                relationship_name="Parent",
            ),
            RecordField(
                name="OwnerId",
                type="reference",
                reference_to=("Group", "User"),
                relationship_name="Owner",
            ),
            *fields,
        ),
    )
    invoice = RecordType(
        name="Invoice__c",
        fields=(
            RecordField(
                name="Account__c",
                type="reference",
                nillable=False,
                reference_to=("Account",),
                relationship_name="Account__r",
            ),
        ),
    )
    return {"Account": account, "Invoice_Alias": invoice}


def test_every_describe_type_has_its_annotation() -> None:
    found = dict(record_schema.field_annotations(_types())["Account"])
    assert found["attributes"] == "RecordAttributes"
    assert found["Id"] == "str"
    assert found["Name"] == "str | None"  # nillable unless the describe says not
    for kind in (
        "id string textarea picklist multipicklist email phone url date "
        "datetime time"
    ).split():
        assert found[f"F_{kind}__c"] == "str", kind
    assert found["F_boolean__c"] == "bool"
    assert found["F_int__c"] == found["F_long__c"] == "int"
    assert found["F_double__c"] == found["F_percent__c"] == "float | _decimal.Decimal"
    assert found["F_currency__c"] == "_decimal.Decimal | int"  # never float
    assert found["F_address__c"] == found["F_location__c"] == "dict[str, _typing.Any]"
    assert found["F_anytype__c"] == "_typing.Any"


def test_relationships_are_typed_when_their_one_target_is_described() -> None:
    found = record_schema.field_annotations(_types())
    account = dict(found["Account"])
    assert account["Parent"] == "Account | None"
    assert account["Owner"] == "dict[str, _typing.Any] | None"  # polymorphic
    invoice = dict(found["Invoice_Alias"])  # classes go by the names chosen
    assert invoice["Account__c"] == "str"
    assert invoice["Account__r"] == "Account | None"


def test_the_tools_answer_is_kept_and_a_tampered_one_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a cache of its own
    first = record_schema.field_annotations(_types())
    cached = list((cache_root() / "records").glob("*.json"))
    assert cached

    def no_tool(*args: object) -> None:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(record_schema, "_from_tool", no_tool)
    assert record_schema.field_annotations(_types()) == first

    (path,) = cached
    data = json.loads(path.read_text())
    data["Account"][0] = ["Id", "__import__('os').system('true')"]
    path.write_text(json.dumps(data))
    with pytest.raises(AssertionError, match="cache should have answered"):
        record_schema.field_annotations(_types())  # the tampered answer is not used


def test_no_described_types_needs_no_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record_schema, "_from_tool", None)
    assert record_schema.field_annotations({}) == {}
