"""flowgen.changes.diff: which changes between two snapshots break callers."""

from __future__ import annotations

import random

from flowgen.changes.diff import Change, Severity, counts, diff_flows, has_breaking
from flowgen.model import FieldKind, FieldType, FlowSpec, Param

BREAKING = Severity.BREAKING
NON_BREAKING = Severity.NON_BREAKING

STRING = FieldType(FieldKind.STRING, "String")
PICKLIST = FieldType(FieldKind.PICKLIST, "Picklist")
CURRENCY = FieldType(FieldKind.DECIMAL, "Currency")
DECIMAL = FieldType(FieldKind.DECIMAL, "Decimal")
ACCOUNT = FieldType(FieldKind.RECORD, "SObject", sobject_type="Account")
CONTACT = FieldType(FieldKind.RECORD, "SObject", sobject_type="Contact")


def flow(
    *,
    inputs: tuple[Param, ...] = (),
    outputs: tuple[Param, ...] = (),
    name: str = "CreateCase",
    label: str | None = None,
    description: str | None = None,
    process_type: str | None = None,
) -> FlowSpec:
    return FlowSpec(
        name,
        label=label,
        description=description,
        inputs=inputs,
        outputs=outputs,
        process_type=process_type,
    )


def only(old: FlowSpec, new: FlowSpec) -> Change:
    changes = diff_flows({old.api_name: old}, {new.api_name: new})
    assert len(changes) == 1, changes
    return changes[0]


def input_change(old: Param, new: Param) -> Change:
    return only(flow(inputs=(old,)), flow(inputs=(new,)))


def test_identical_snapshots_have_no_changes() -> None:
    spec = flow(
        label="Create case",
        inputs=(Param("accountId", ACCOUNT, required=True),),
        outputs=(Param("caseIds", STRING, is_collection=True),),
    )
    assert diff_flows({"CreateCase": spec}, {"CreateCase": spec}) == []
    assert diff_flows({}, {}) == []


def test_flow_removed() -> None:
    changes = diff_flows({"CreateCase": flow(inputs=(Param("a", STRING),))}, {})
    assert changes == [
        Change(BREAKING, "flow-removed", "CreateCase", None, None, "flow removed")
    ]


def test_flow_added() -> None:
    changes = diff_flows({}, {"CreateCase": flow(inputs=(Param("a", STRING),))})
    assert changes == [
        Change(NON_BREAKING, "flow-added", "CreateCase", None, None, "flow added")
    ]


def test_flow_not_invocable_names_the_new_process_type() -> None:
    change = only(flow(process_type="AutoLaunchedFlow"), flow(process_type="Flow"))
    assert (change.severity, change.kind) == (BREAKING, "flow-not-invocable")
    assert (change.flow, change.direction, change.param) == ("CreateCase", None, None)
    assert "process type 'Flow'" in change.detail


def test_flow_that_becomes_invocable_is_added() -> None:
    change = only(flow(process_type="Flow"), flow(process_type=None))
    assert (change.severity, change.kind) == (NON_BREAKING, "flow-added")
    assert (change.flow, change.direction, change.param) == ("CreateCase", None, None)
    assert "became invocable (process type 'Flow' to (none))" in change.detail


def test_flows_outside_the_package_on_both_sides_are_ignored() -> None:
    old = flow(process_type="Flow", inputs=(Param("a", STRING),))
    new = flow(process_type="Workflow", label="new", inputs=(Param("b", DECIMAL),))
    assert diff_flows({"CreateCase": old}, {"CreateCase": new}) == []
    assert diff_flows({"CreateCase": old}, {}) == []
    assert diff_flows({}, {"CreateCase": new}) == []


def test_input_removed() -> None:
    changes = diff_flows(
        {"CreateCase": flow(inputs=(Param("accountId", STRING), Param("b", STRING)))},
        {"CreateCase": flow(inputs=(Param("b", STRING),))},
    )
    assert changes == [
        Change(BREAKING, "input-removed", "CreateCase", "input", "accountId", "removed")
    ]


def test_output_removed() -> None:
    change = only(flow(outputs=(Param("caseId", STRING),)), flow())
    assert change == Change(
        BREAKING, "output-removed", "CreateCase", "output", "caseId", "removed"
    )


def test_optional_input_added() -> None:
    change = only(flow(), flow(inputs=(Param("note", STRING),)))
    assert change == Change(
        NON_BREAKING, "input-added", "CreateCase", "input", "note", "added (optional)"
    )


def test_required_input_added() -> None:
    change = only(flow(), flow(inputs=(Param("note", STRING, required=True),)))
    assert change == Change(
        BREAKING,
        "required-input-added",
        "CreateCase",
        "input",
        "note",
        "added as required",
    )


def test_output_added() -> None:
    # An output's required flag binds no caller.
    change = only(flow(), flow(outputs=(Param("caseId", STRING, required=True),)))
    assert change == Change(
        NON_BREAKING, "output-added", "CreateCase", "output", "caseId", "added"
    )


def test_type_changed_names_both_python_types() -> None:
    change = input_change(Param("amount", STRING), Param("amount", CURRENCY))
    assert (change.severity, change.kind) == (BREAKING, "type-changed")
    assert (change.flow, change.direction, change.param) == (
        "CreateCase",
        "input",
        "amount",
    )
    assert change.detail == "type changed from str to Decimal"


def test_apex_class_changed_is_a_type_change() -> None:
    old = Param("item", FieldType(FieldKind.APEX, "Apex", apex_class="Order$Item"))
    new = Param("item", FieldType(FieldKind.APEX, "Apex", apex_class="Order$Line"))
    change = only(flow(outputs=(old,)), flow(outputs=(new,)))
    assert (change.severity, change.kind) == (BREAKING, "type-changed")
    assert (change.direction, change.param) == ("output", "item")
    assert "'Order$Item'" in change.detail and "'Order$Line'" in change.detail


def test_record_object_changed() -> None:
    change = input_change(Param("who", ACCOUNT), Param("who", CONTACT))
    assert (change.severity, change.kind) == (BREAKING, "record-object-changed")
    assert (change.direction, change.param) == ("input", "who")
    assert change.detail == "record type changed from 'Account' to 'Contact'"


def test_collection_changed() -> None:
    change = input_change(
        Param("ids", STRING, is_collection=False),
        Param("ids", STRING, is_collection=True),
    )
    assert (change.severity, change.kind) == (BREAKING, "collection-changed")
    assert (change.direction, change.param) == ("input", "ids")
    assert change.detail == "changed from a single value to a list"


def test_input_became_required() -> None:
    change = input_change(Param("a", STRING), Param("a", STRING, required=True))
    assert change == Change(
        BREAKING, "input-became-required", "CreateCase", "input", "a", "became required"
    )


def test_input_became_optional() -> None:
    change = input_change(Param("a", STRING, required=True), Param("a", STRING))
    assert change == Change(
        NON_BREAKING,
        "input-became-optional",
        "CreateCase",
        "input",
        "a",
        "became optional",
    )


def test_output_requiredness_is_not_reported() -> None:
    old, new = Param("a", STRING), Param("a", STRING, required=True)
    assert (
        diff_flows(
            {"F": flow(name="F", outputs=(old,))}, {"F": flow(name="F", outputs=(new,))}
        )
        == []
    )


def test_flow_label_and_description_changed() -> None:
    changes = diff_flows(
        {"CreateCase": flow(label="Create", description=None)},
        {"CreateCase": flow(label="Create case", description="Opens a case.")},
    )
    assert [(c.severity, c.kind, c.direction, c.param) for c in changes] == [
        (NON_BREAKING, "description-changed", None, None),
        (NON_BREAKING, "label-changed", None, None),
    ]
    assert (
        changes[0].detail == "flow description changed from (none) to 'Opens a case.'"
    )
    assert changes[1].detail == "flow label changed from 'Create' to 'Create case'"


def test_variable_label_and_description_changed() -> None:
    changes = diff_flows(
        {"CreateCase": flow(outputs=(Param("caseId", STRING, label="Case"),))},
        {
            "CreateCase": flow(
                outputs=(Param("caseId", STRING, label="Case Id", description="x"),)
            )
        },
    )
    assert [(c.severity, c.kind, c.direction, c.param) for c in changes] == [
        (NON_BREAKING, "description-changed", "output", "caseId"),
        (NON_BREAKING, "label-changed", "output", "caseId"),
    ]
    assert changes[0].detail == "description changed from (none) to 'x'"
    assert changes[1].detail == "label changed from 'Case' to 'Case Id'"


def test_long_and_hostile_labels_are_quoted_short_and_escaped() -> None:
    hostile = "evil\n\x1b[31m" + "x" * 200
    change = only(flow(label="a"), flow(label=hostile))
    assert "\n" not in change.detail and "\x1b" not in change.detail
    assert "\\n\\x1b[31m" in change.detail
    assert len(change.detail) < 120
    assert change.detail.endswith("...'")


def test_source_type_changed_keeps_the_python_type() -> None:
    change = input_change(Param("amount", CURRENCY), Param("amount", DECIMAL))
    assert (change.severity, change.kind) == (NON_BREAKING, "source-type-changed")
    assert (change.direction, change.param) == ("input", "amount")
    assert change.detail == (
        "Salesforce type changed from 'Currency' to 'Decimal' (still Decimal)"
    )


def test_string_to_picklist_is_a_source_type_change() -> None:
    change = input_change(Param("status", STRING), Param("status", PICKLIST))
    assert (change.severity, change.kind) == (NON_BREAKING, "source-type-changed")
    assert "'String' to 'Picklist'" in change.detail


def test_source_type_spelling_case_is_not_a_change() -> None:
    old = Param("amount", FieldType(FieldKind.DECIMAL, "CURRENCY"))
    assert (
        diff_flows(
            {"F": flow(name="F", inputs=(old,))},
            {"F": flow(name="F", inputs=(Param("amount", CURRENCY),))},
        )
        == []
    )


def test_picklist_values_changed_lists_added_and_removed_values() -> None:
    change = input_change(
        Param("status", PICKLIST, picklist_values=("New", "Open", "Closed")),
        Param("status", PICKLIST, picklist_values=("Open", "Closed", "Escalated")),
    )
    assert (change.severity, change.kind) == (NON_BREAKING, "picklist-values-changed")
    assert (change.direction, change.param) == ("input", "status")
    assert change.detail == "picklist values changed: added 'Escalated'; removed 'New'"


def test_picklist_order_alone_is_not_a_change() -> None:
    old = Param("s", PICKLIST, picklist_values=("A", "B"))
    new = Param("s", PICKLIST, picklist_values=("B", "A"))
    assert (
        diff_flows(
            {"F": flow(name="F", inputs=(old,))}, {"F": flow(name="F", inputs=(new,))}
        )
        == []
    )


def test_wire_names_compare_case_sensitively() -> None:
    changes = diff_flows(
        {"F": flow(name="F", inputs=(Param("accountId", STRING),))},
        {"F": flow(name="F", inputs=(Param("AccountId", STRING),))},
    )
    assert [(c.kind, c.param) for c in changes] == [
        ("input-added", "AccountId"),
        ("input-removed", "accountId"),
    ]


def test_order_is_deterministic_whatever_the_insertion_order() -> None:
    old = {
        "B": flow(
            name="B", label="b", outputs=(Param("z", STRING), Param("y", STRING))
        ),
        "A": flow(
            name="A", inputs=(Param("x", STRING),), outputs=(Param("o", STRING),)
        ),
        "C": flow(name="C"),
    }
    new = {
        "A": flow(name="A", label="a", outputs=(Param("p", STRING),)),
        "B": flow(name="B", inputs=(Param("q", STRING),)),
        "D": flow(name="D"),
    }
    expected = [
        ("A", None, None, "label-changed"),
        ("A", "input", "x", "input-removed"),
        ("A", "output", "o", "output-removed"),
        ("A", "output", "p", "output-added"),
        ("B", None, None, "label-changed"),
        ("B", "input", "q", "input-added"),
        ("B", "output", "y", "output-removed"),
        ("B", "output", "z", "output-removed"),
        ("C", None, None, "flow-removed"),
        ("D", None, None, "flow-added"),
    ]
    rng = random.Random(7)
    for _ in range(20):
        old_items, new_items = list(old.items()), list(new.items())
        rng.shuffle(old_items)
        rng.shuffle(new_items)
        changes = diff_flows(dict(old_items), dict(new_items))
        assert [(c.flow, c.direction, c.param, c.kind) for c in changes] == expected


def test_one_variable_can_change_in_several_ways_in_kind_order() -> None:
    changes = diff_flows(
        {"F": flow(name="F", inputs=(Param("a", STRING, label="A"),))},
        {"F": flow(name="F", inputs=(Param("a", DECIMAL, True, True, label="B"),))},
    )
    assert [c.kind for c in changes] == [
        "collection-changed",
        "input-became-required",
        "label-changed",
        "type-changed",
    ]


def test_has_breaking_and_counts() -> None:
    removed = Change(BREAKING, "flow-removed", "F", None, None, "flow removed")
    added = Change(NON_BREAKING, "flow-added", "G", None, None, "flow added")
    assert has_breaking([added, removed]) and not has_breaking([added])
    assert counts([added, removed, added]) == {"breaking": 1, "non-breaking": 2}
    assert list(counts([])) == ["breaking", "non-breaking"]


def test_a_repeated_wire_name_is_compared_by_its_first_occurrence() -> None:
    old = flow(inputs=(Param("a", STRING), Param("a", DECIMAL)))
    new = flow(inputs=(Param("a", STRING),))
    assert diff_flows({"CreateCase": old}, {"CreateCase": new}) == []
