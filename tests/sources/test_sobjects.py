"""sObject describes: trimmed for the snapshot, read leniently, read from a
snapshot's sobjects/ folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgen.errors import SourceError
from flowgen.model import RecordField
from flowgen.sources.snapshot_files import read_record_types
from flowgen.sources.sobjects import parse_sobject, trim_describe

FULL = {
    "name": "Invoice__c",
    "label": "Invoice",
    "custom": True,
    "childRelationships": [{"field": "Invoice__c"}],
    "fields": [
        {
            "name": "Status__c",
            "type": "picklist",
            "label": "Status",
            "nillable": True,
            "picklistValues": [
                {"active": True, "value": "Draft", "label": "Draft"},
                {"active": False, "value": "Lost", "label": "Lost"},
            ],
            "referenceTo": [],
            "relationshipName": None,
            "length": 255,
            "precision": 0,
            "scale": 0,
            "byteLength": 765,
        },
        {
            "name": "Account__c",
            "type": "reference",
            "label": "Account",
            "nillable": False,
            "picklistValues": [],
            "referenceTo": ["Account"],
            "relationshipName": "Account__r",
            "length": 18,
            "precision": 0,
            "scale": 0,
        },
    ],
}


def test_trimming_keeps_what_typing_needs_in_a_stable_order() -> None:
    trimmed = trim_describe(FULL)
    assert set(trimmed) == {"name", "label", "fields"}
    assert [f["name"] for f in trimmed["fields"]] == ["Account__c", "Status__c"]
    assert trimmed["fields"][1]["picklistValues"] == ["Draft"]
    assert "byteLength" not in trimmed["fields"][1]
    # Trimmed and full describes read the same.
    full = parse_sobject(FULL, origin="full")
    assert parse_sobject(trimmed, origin="trimmed") == full
    assert full.fields[0] == RecordField(
        name="Account__c",
        type="reference",
        label="Account",
        nillable=False,
        reference_to=("Account",),
        relationship_name="Account__r",
        length=18,
        precision=0,
        scale=0,
    )


def test_fields_that_cannot_be_keys_are_left_out_with_a_warning() -> None:
    warnings: list[str] = []
    record = parse_sobject(
        {
            "name": "Odd__c",
            "fields": [
                {"name": "class", "type": "string"},
                {"name": "Bad Name", "type": "string"},
                {"name": "attributes", "type": "string"},
                {"type": "string"},
                {"name": "Good__c", "type": "STRING"},
                {"name": "Good__c", "type": "boolean"},  # the first wins
            ],
        },
        origin="odd.json",
        warn=warnings.append,
    )
    assert [(f.name, f.type) for f in record.fields] == [("Good__c", "string")]
    assert len(warnings) == 4 and all("odd.json" in w for w in warnings)


@pytest.mark.parametrize(
    "data", [[], {"fields": []}, {"name": "X", "fields": {}}, {"name": ""}]
)
def test_a_file_that_is_not_a_describe_is_an_error(data: object) -> None:
    with pytest.raises(SourceError):
        parse_sobject(data, origin="x.json")


def test_reading_a_snapshots_sobjects_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sobjects"
    folder.mkdir()
    (folder / "Invoice__c.json").write_text(json.dumps(trim_describe(FULL)))
    (folder / "Broken__c.json").write_text("{not json")
    (folder / "Listy__c.json").write_text("[]")

    found, warnings = read_record_types(
        str(folder), ["invoice__c", "Broken__c", "Listy__c", "Missing__c"]
    )
    assert list(found) == ["invoice__c"]  # matched without regard to case
    assert found["invoice__c"].name == "Invoice__c"
    assert len(warnings) == 2
    assert any("Broken__c.json" in w and "untyped" in w for w in warnings)
    assert any("Listy__c.json" in w for w in warnings)
    assert read_record_types(str(tmp_path / "absent"), ["X"]) == ({}, [])
