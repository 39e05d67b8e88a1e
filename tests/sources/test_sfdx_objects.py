"""sObject types from SFDX ``objects/<Object>/`` folders.

The fixtures below are handwritten, in the shape Salesforce writes metadata
source (``sf project retrieve start``): one CustomField per
``fields/<Field>.field-meta.xml``, the object's settings in
``<Object>.object-meta.xml``. Each test writes its own small project into a
tmp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowgen.model import RecordField, RecordType
from flowgen.sources.sfdx.objects import find_object_dirs, read_object

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'

INVOICE_OBJECT = (
    HEADER + """<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <allowInChatterGroups>false</allowInChatterGroups>
    <deploymentStatus>Deployed</deploymentStatus>
    <enableActivities>true</enableActivities>
    <label>Invoice</label>
    <nameField>
        <displayFormat>INV-{0000}</displayFormat>
        <label>Invoice Number</label>
        <trackHistory>false</trackHistory>
        <type>AutoNumber</type>
    </nameField>
    <pluralLabel>Invoices</pluralLabel>
    <searchLayouts/>
    <sharingModel>ReadWrite</sharingModel>
    <visibility>Public</visibility>
</CustomObject>
"""
)

# A standard object's file: settings only, no label, no nameField.
ACCOUNT_OBJECT = (
    HEADER + """<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <enableFeeds>false</enableFeeds>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
"""
)

TEXT_FIELD = HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Reference__c</fullName>
    <externalId>false</externalId>
    <label>Reference</label>
    <length>255</length>
    <required>false</required>
    <trackTrending>false</trackTrending>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
"""

LOOKUP_FIELD = HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Account__c</fullName>
    <deleteConstraint>SetNull</deleteConstraint>
    <externalId>false</externalId>
    <label>Account</label>
    <referenceTo>Account</referenceTo>
    <relationshipLabel>Invoices</relationshipLabel>
    <relationshipName>Invoices</relationshipName>
    <required>false</required>
    <trackTrending>false</trackTrending>
    <type>Lookup</type>
</CustomField>
"""

MASTER_DETAIL_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Invoice__c</fullName>
    <externalId>false</externalId>
    <label>Invoice</label>
    <referenceTo>Invoice__c</referenceTo>
    <relationshipLabel>Invoice Lines</relationshipLabel>
    <relationshipName>Invoice_Lines</relationshipName>
    <relationshipOrder>0</relationshipOrder>
    <reparentableMasterDetail>false</reparentableMasterDetail>
    <trackTrending>false</trackTrending>
    <type>MasterDetail</type>
    <writeRequiresMasterRead>false</writeRequiresMasterRead>
</CustomField>
"""
)

REQUIRED_DATE_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Due_Date__c</fullName>
    <externalId>false</externalId>
    <label>Due Date</label>
    <required>true</required>
    <trackTrending>false</trackTrending>
    <type>Date</type>
</CustomField>
"""
)

PICKLIST_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <externalId>false</externalId>
    <label>Status</label>
    <required>false</required>
    <trackTrending>false</trackTrending>
    <type>Picklist</type>
    <valueSet>
        <restricted>true</restricted>
        <valueSetDefinition>
            <sorted>false</sorted>
            <value>
                <fullName>Draft</fullName>
                <default>true</default>
                <label>Draft</label>
            </value>
            <value>
                <fullName>Retired</fullName>
                <default>false</default>
                <isActive>false</isActive>
                <label>Retired</label>
            </value>
            <value>
                <fullName>Sent</fullName>
                <default>false</default>
                <isActive>true</isActive>
                <label>Sent</label>
            </value>
            <value>
                <fullName>Paid</fullName>
                <default>false</default>
                <label>Paid</label>
            </value>
        </valueSetDefinition>
    </valueSet>
</CustomField>
"""
)

# Before API 38.0 values were <picklist><picklistValues>.
LEGACY_PICKLIST_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Tier__c</fullName>
    <externalId>false</externalId>
    <label>Tier</label>
    <picklist>
        <picklistValues>
            <fullName>Gold</fullName>
            <default>false</default>
        </picklistValues>
        <picklistValues>
            <fullName>Silver</fullName>
            <default>false</default>
        </picklistValues>
        <sorted>false</sorted>
    </picklist>
    <type>MultiselectPicklist</type>
    <visibleLines>4</visibleLines>
</CustomField>
"""
)

GLOBAL_PICKLIST_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Region__c</fullName>
    <externalId>false</externalId>
    <label>Region</label>
    <required>false</required>
    <trackTrending>false</trackTrending>
    <type>Picklist</type>
    <valueSet>
        <restricted>true</restricted>
        <valueSetName>Regions</valueSetName>
    </valueSet>
</CustomField>
"""
)

CURRENCY_FORMULA_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Total_With_Tax__c</fullName>
    <externalId>false</externalId>
    <formula>Amount__c * 1.2</formula>
    <formulaTreatBlanksAs>BlankAsZero</formulaTreatBlanksAs>
    <label>Total With Tax</label>
    <precision>18</precision>
    <required>false</required>
    <scale>2</scale>
    <trackTrending>false</trackTrending>
    <type>Currency</type>
</CustomField>
"""
)

TEXT_FORMULA_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Account_Name__c</fullName>
    <externalId>false</externalId>
    <formula>Account__r.Name</formula>
    <formulaTreatBlanksAs>BlankAsZero</formulaTreatBlanksAs>
    <label>Account Name</label>
    <required>false</required>
    <trackTrending>false</trackTrending>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
"""
)

NUMBER_SCALE_ZERO_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Quantity__c</fullName>
    <externalId>false</externalId>
    <label>Quantity</label>
    <precision>18</precision>
    <required>false</required>
    <scale>0</scale>
    <trackTrending>false</trackTrending>
    <type>Number</type>
    <unique>false</unique>
</CustomField>
"""
)

# Standard fields in source: a lookup with no <referenceTo>, a hierarchy, and
# fields with no <type> at all.
STANDARD_LOOKUP_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>OwnerId</fullName>
    <trackFeedHistory>false</trackFeedHistory>
    <type>Lookup</type>
</CustomField>
"""
)

HIERARCHY_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>ParentId</fullName>
    <trackFeedHistory>false</trackFeedHistory>
    <type>Hierarchy</type>
</CustomField>
"""
)

STANDARD_NAME_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Name</fullName>
    <trackFeedHistory>false</trackFeedHistory>
</CustomField>
"""
)

STANDARD_UNTYPED_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>AccountNumber</fullName>
    <trackFeedHistory>false</trackFeedHistory>
</CustomField>
"""
)

MALFORMED_FIELD = (
    HEADER + """<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Broken__c</fullName>
    <label>Broken</label>
    <type>Text</type>
"""
)

DTD_FIELD = HEADER + """<!DOCTYPE CustomField [
    <!ENTITY name "Injected">
]>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Evil__c</fullName>
    <label>&name;</label>
    <type>Text</type>
    <length>10</length>
</CustomField>
"""


def field_xml(name: str, xml_type: str, extra: str = "") -> str:
    """A CustomField file with the given <type>, Salesforce's element order."""
    return HEADER + f"""<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName>
    <externalId>false</externalId>
    <label>{name.removesuffix("__c").replace("_", " ")}</label>
{extra}    <trackTrending>false</trackTrending>
    <type>{xml_type}</type>
</CustomField>
"""


def write_object(
    package_dir: Path,
    name: str,
    fields: dict[str, str],
    object_xml: str | None = None,
) -> Path:
    """objects/<name>/ under package_dir/main/default, as sf writes it."""
    folder = package_dir / "main" / "default" / "objects" / name
    (folder / "fields").mkdir(parents=True)
    if object_xml is not None:
        (folder / f"{name}.object-meta.xml").write_text(object_xml)
    # Written in reverse so directory order is not already the sorted order.
    for field_name, text in sorted(fields.items(), reverse=True):
        (folder / "fields" / f"{field_name}.field-meta.xml").write_text(text)
    return folder


def read(folder: Path) -> tuple[RecordType, list[str]]:
    record, problems = read_object(folder)
    assert record is not None, problems
    return record, problems


def by_name(record: RecordType) -> dict[str, RecordField]:
    return {field.name: field for field in record.fields}


TYPE_ROWS = [
    ("Text", "    <length>80</length>\n", "string"),
    ("TextArea", "", "textarea"),
    ("LongTextArea", "    <length>32768</length>\n", "textarea"),
    ("Html", "    <length>32768</length>\n", "textarea"),
    ("EncryptedText", "    <length>175</length>\n", "encryptedstring"),
    ("Email", "", "email"),
    ("Phone", "", "phone"),
    ("Url", "", "url"),
    ("Picklist", "", "picklist"),
    ("MultiselectPicklist", "", "multipicklist"),
    ("Checkbox", "    <defaultValue>false</defaultValue>\n", "boolean"),
    ("Number", "    <precision>18</precision>\n    <scale>2</scale>\n", "double"),
    ("Currency", "    <precision>16</precision>\n    <scale>2</scale>\n", "currency"),
    ("Percent", "    <precision>5</precision>\n    <scale>2</scale>\n", "percent"),
    ("Date", "", "date"),
    ("DateTime", "", "datetime"),
    ("Time", "", "time"),
    ("Lookup", "    <referenceTo>Account</referenceTo>\n", "reference"),
    ("MasterDetail", "    <referenceTo>Account</referenceTo>\n", "reference"),
    ("Hierarchy", "", "reference"),
    ("ExternalLookup", "    <referenceTo>Order__x</referenceTo>\n", "reference"),
    ("IndirectLookup", "    <referenceTo>Account</referenceTo>\n", "reference"),
    ("AutoNumber", "    <displayFormat>A-{0000}</displayFormat>\n", "string"),
    ("Location", "    <scale>5</scale>\n", "location"),
    (
        "Summary",
        "    <summarizedField>Line__c.Amount__c</summarizedField>\n"
        "    <summaryForeignKey>Line__c.Invoice__c</summaryForeignKey>\n"
        "    <summaryOperation>sum</summaryOperation>\n",
        "double",
    ),
]


@pytest.mark.parametrize(
    ("xml_type", "extra", "expected"), TYPE_ROWS, ids=[row[0] for row in TYPE_ROWS]
)
def test_each_metadata_type_is_given_the_describe_type(
    tmp_path: Path, xml_type: str, extra: str, expected: str
) -> None:
    folder = write_object(
        tmp_path, "Thing__c", {"Value__c": field_xml("Value__c", xml_type, extra)}
    )
    record, problems = read(folder)
    assert problems == []
    assert by_name(record)["Value__c"].type == expected


def test_an_unknown_type_is_anytype_with_a_warning_naming_the_file(
    tmp_path: Path,
) -> None:
    folder = write_object(
        tmp_path,
        "Thing__c",
        {
            "Odd__c": field_xml("Odd__c", "Hologram"),
            "Plain__c": field_xml("Plain__c", "Text"),
        },
    )
    record, problems = read(folder)
    assert by_name(record)["Odd__c"].type == "anytype"
    assert by_name(record)["Plain__c"].type == "string"
    assert len(problems) == 1
    assert str(folder / "fields" / "Odd__c.field-meta.xml") in problems[0]
    assert "Hologram" in problems[0]


def test_a_custom_object_has_id_first_its_name_and_sorted_fields(
    tmp_path: Path,
) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {
            "Reference__c": TEXT_FIELD,
            "Account__c": LOOKUP_FIELD,
            "Due_Date__c": REQUIRED_DATE_FIELD,
            "Status__c": PICKLIST_FIELD,
        },
        INVOICE_OBJECT,
    )
    record, problems = read(folder)
    assert problems == []
    assert record.name == "Invoice__c"
    assert record.label == "Invoice"
    assert [f.name for f in record.fields] == [
        "Id",
        "Account__c",
        "Due_Date__c",
        "Name",
        "Reference__c",
        "Status__c",
    ]
    assert record.fields[0] == RecordField(
        name="Id", type="id", label="Record ID", nillable=False, length=18
    )
    name = by_name(record)["Name"]
    assert (name.type, name.label, name.nillable) == (
        "string",
        "Invoice Number",
        False,
    )
    reference = by_name(record)["Reference__c"]
    assert (reference.label, reference.length, reference.nillable) == (
        "Reference",
        255,
        True,
    )
    # The same folder reads the same every time.
    assert read_object(folder) == (record, problems)


def test_name_is_added_only_when_the_object_declares_a_name_field(
    tmp_path: Path,
) -> None:
    folder = write_object(
        tmp_path, "Account", {"Reference__c": TEXT_FIELD}, ACCOUNT_OBJECT
    )
    record, problems = read(folder)
    assert problems == []
    assert record.label is None
    assert [f.name for f in record.fields] == ["Id", "Reference__c"]


def test_an_id_field_file_is_not_doubled(tmp_path: Path) -> None:
    id_file = field_xml("Id", "Text").replace("<type>Text</type>", "")
    folder = write_object(tmp_path, "Account", {"Id": id_file, "Zed__c": TEXT_FIELD})
    record, _ = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Zed__c"]
    assert record.fields[0].type == "id"


def test_fields_are_sorted_by_api_name_ignoring_case(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Thing__c",
        {
            "b_Second__c": field_xml("b_Second__c", "Text"),
            "A_First__c": field_xml("A_First__c", "Text"),
            "C_Third__c": field_xml("C_Third__c", "Text"),
        },
    )
    record, _ = read(folder)
    assert [f.name for f in record.fields] == [
        "Id",
        "A_First__c",
        "b_Second__c",
        "C_Third__c",
    ]


def test_a_lookup_references_its_target_and_is_named_like_the_describe(
    tmp_path: Path,
) -> None:
    folder = write_object(tmp_path, "Invoice__c", {"Account__c": LOOKUP_FIELD})
    record, _ = read(folder)
    lookup = by_name(record)["Account__c"]
    assert lookup.type == "reference"
    assert lookup.reference_to == ("Account",)
    # <relationshipName>Invoices</relationshipName> names the children from the
    # parent; the describe's relationshipName is the field's own.
    assert lookup.relationship_name == "Account__r"
    assert lookup.label == "Account"
    assert lookup.nillable is True


def test_standard_lookups_and_hierarchies(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Account",
        {"OwnerId": STANDARD_LOOKUP_FIELD, "ParentId": HIERARCHY_FIELD},
        ACCOUNT_OBJECT,
    )
    record, problems = read(folder)
    assert problems == []
    owner = by_name(record)["OwnerId"]
    assert (owner.type, owner.reference_to, owner.relationship_name) == (
        "reference",
        (),
        "Owner",
    )
    parent = by_name(record)["ParentId"]
    assert (parent.type, parent.reference_to, parent.relationship_name) == (
        "reference",
        ("Account",),
        "Parent",
    )


def test_a_polymorphic_lookup_keeps_every_target(tmp_path: Path) -> None:
    extra = (
        "    <referenceTo>Contact</referenceTo>\n    <referenceTo>Lead</referenceTo>\n"
    )
    folder = write_object(
        tmp_path, "Task", {"WhoId": field_xml("WhoId", "Lookup", extra)}
    )
    record, _ = read(folder)
    assert by_name(record)["WhoId"].reference_to == ("Contact", "Lead")
    assert by_name(record)["WhoId"].relationship_name == "Who"


def test_required_master_detail_and_checkbox_fields_are_not_nillable(
    tmp_path: Path,
) -> None:
    folder = write_object(
        tmp_path,
        "Invoice_Line__c",
        {
            "Invoice__c": MASTER_DETAIL_FIELD,
            "Due_Date__c": REQUIRED_DATE_FIELD,
            "Paid__c": field_xml(
                "Paid__c", "Checkbox", "    <defaultValue>false</defaultValue>\n"
            ),
            "Reference__c": TEXT_FIELD,
        },
    )
    record, _ = read(folder)
    fields = by_name(record)
    assert fields["Invoice__c"].nillable is False
    assert fields["Invoice__c"].reference_to == ("Invoice__c",)
    assert fields["Invoice__c"].relationship_name == "Invoice__r"
    assert fields["Due_Date__c"].nillable is False
    assert fields["Paid__c"].nillable is False
    assert fields["Reference__c"].nillable is True


def test_picklists_keep_active_values_in_order(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {
            "Status__c": PICKLIST_FIELD,
            "Tier__c": LEGACY_PICKLIST_FIELD,
            "Region__c": GLOBAL_PICKLIST_FIELD,
        },
    )
    record, problems = read(folder)
    assert problems == []
    fields = by_name(record)
    assert fields["Status__c"].picklist_values == ("Draft", "Sent", "Paid")
    assert fields["Tier__c"].type == "multipicklist"
    assert fields["Tier__c"].picklist_values == ("Gold", "Silver")
    # A global value set's values are not in the field's file.
    assert fields["Region__c"].type == "picklist"
    assert fields["Region__c"].picklist_values == ()


def test_a_formula_is_typed_by_its_result(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {
            "Total_With_Tax__c": CURRENCY_FORMULA_FIELD,
            "Account_Name__c": TEXT_FORMULA_FIELD,
        },
    )
    record, problems = read(folder)
    assert problems == []
    total = by_name(record)["Total_With_Tax__c"]
    assert (total.type, total.precision, total.scale) == ("currency", 18, 2)
    assert by_name(record)["Account_Name__c"].type == "string"


def test_a_number_is_double_and_keeps_a_zero_scale(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path, "Invoice__c", {"Quantity__c": NUMBER_SCALE_ZERO_FIELD}
    )
    record, _ = read(folder)
    quantity = by_name(record)["Quantity__c"]
    assert (quantity.type, quantity.precision, quantity.scale) == ("double", 18, 0)


def test_untyped_standard_fields(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Account",
        {"Name": STANDARD_NAME_FIELD, "AccountNumber": STANDARD_UNTYPED_FIELD},
        ACCOUNT_OBJECT,
    )
    record, problems = read(folder)
    assert by_name(record)["Name"].type == "string"
    assert by_name(record)["AccountNumber"].type == "anytype"
    assert len(problems) == 1
    assert "AccountNumber.field-meta.xml" in problems[0]
    assert "no <type>" in problems[0]


def test_a_malformed_field_file_is_skipped_and_named(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {"Broken__c": MALFORMED_FIELD, "Reference__c": TEXT_FIELD},
        INVOICE_OBJECT,
    )
    record, problems = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Name", "Reference__c"]
    assert len(problems) == 1
    bad = folder / "fields" / "Broken__c.field-meta.xml"
    assert problems[0].startswith(f"{bad}: not well-formed XML")


def test_a_dtd_is_refused_and_nothing_is_expanded(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {"Evil__c": DTD_FIELD, "Reference__c": TEXT_FIELD},
    )
    record, problems = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Reference__c"]
    assert all(f.label != "Injected" for f in record.fields)
    assert len(problems) == 1
    bad = folder / "fields" / "Evil__c.field-meta.xml"
    assert problems[0].startswith(f"{bad}: refused")
    assert "DTDForbidden" in problems[0]


def test_a_dtd_in_the_object_file_is_refused_but_fields_are_read(
    tmp_path: Path,
) -> None:
    evil = INVOICE_OBJECT.replace(
        HEADER, HEADER + '<!DOCTYPE CustomObject [<!ENTITY x "y">]>\n'
    )
    folder = write_object(tmp_path, "Invoice__c", {"Reference__c": TEXT_FIELD}, evil)
    record, problems = read(folder)
    assert record.label is None
    assert [f.name for f in record.fields] == ["Id", "Reference__c"]
    assert len(problems) == 1
    assert "Invoice__c.object-meta.xml: refused" in problems[0]


def test_a_file_that_is_not_a_custom_field_is_skipped(tmp_path: Path) -> None:
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {"Layout__c": INVOICE_OBJECT, "Reference__c": TEXT_FIELD},
    )
    record, problems = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Reference__c"]
    assert len(problems) == 1
    assert "Layout__c.field-meta.xml" in problems[0]
    assert "<CustomObject>" in problems[0]


def test_a_full_name_that_disagrees_with_the_file_name_is_reported(
    tmp_path: Path,
) -> None:
    folder = write_object(tmp_path, "Invoice__c", {"Ref__c": TEXT_FIELD})
    record, problems = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Ref__c"]
    assert len(problems) == 1
    assert "'Reference__c'" in problems[0]


def test_a_folder_without_fields_gives_none_and_says_why(tmp_path: Path) -> None:
    folder = write_object(tmp_path, "Account", {}, ACCOUNT_OBJECT)
    record, problems = read_object(folder)
    assert record is None
    assert len(problems) == 1
    assert problems[0].startswith(f"{folder}: no fields")

    only_bad = write_object(tmp_path / "other", "Thing__c", {"X__c": MALFORMED_FIELD})
    record, problems = read_object(only_bad)
    assert record is None
    assert len(problems) == 2

    record, problems = read_object(tmp_path / "missing" / "Nope__c")
    assert record is None
    assert problems and "Nope__c" in problems[0]


def test_an_object_with_only_a_name_field_is_read(tmp_path: Path) -> None:
    folder = write_object(tmp_path, "Invoice__c", {}, INVOICE_OBJECT)
    record, problems = read(folder)
    assert problems == []
    assert [f.name for f in record.fields] == ["Id", "Name"]


def test_find_object_dirs_over_two_package_dirs(tmp_path: Path) -> None:
    first = tmp_path / "force-app"
    second = tmp_path / "unpackaged"
    account_first = write_object(first, "Account", {"Reference__c": TEXT_FIELD})
    invoice = write_object(first, "Invoice__c", {}, INVOICE_OBJECT)
    write_object(second, "Account", {"Other__c": TEXT_FIELD})
    widget = write_object(second, "Widget__c", {"Reference__c": TEXT_FIELD})
    # Not object folders: an LWC bundle named objects, and node_modules.
    (second / "lwc" / "objects" / "__tests__").mkdir(parents=True)
    write_object(second / "node_modules" / "pkg", "Ghost__c", {"A__c": TEXT_FIELD})
    # Nor a static resource's files: a sample project zipped into the app.
    sample = second / "staticresources" / "Sample"
    write_object(sample, "Phantom__c", {"A__c": TEXT_FIELD})

    found = find_object_dirs([first, second])
    assert list(found) == ["Account", "Invoice__c", "Widget__c"]
    assert found == {
        "Account": account_first,
        "Invoice__c": invoice,
        "Widget__c": widget,
    }
    # The other order, the other Account.
    assert find_object_dirs([second, first])["Account"] == (
        second / "main" / "default" / "objects" / "Account"
    )
    assert find_object_dirs([]) == {}


def test_field_files_that_name_no_usable_key_are_skipped_and_named(
    tmp_path: Path,
) -> None:
    # A keyword, a name that is no identifier, and the key every record
    # has already: none can key the record's TypedDict.
    folder = write_object(
        tmp_path,
        "Invoice__c",
        {
            "class": TEXT_FIELD,
            "1x": TEXT_FIELD,
            "attributes": TEXT_FIELD,
            "Reference__c": TEXT_FIELD,
        },
        INVOICE_OBJECT,
    )
    record, problems = read(folder)
    assert [f.name for f in record.fields] == ["Id", "Name", "Reference__c"]
    assert sorted(problems) == sorted(
        f"{folder / 'fields' / f'{name}.field-meta.xml'}: skipped: the file name "
        "gives no usable field name"
        for name in ("class", "1x", "attributes")
    )
