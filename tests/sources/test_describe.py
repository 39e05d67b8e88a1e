import pytest

from flowgen.errors import SourceError
from flowgen.model import FieldKind
from flowgen.sources.describe import parse_describe
from tests.conftest import describe, param


def _parse(data, warnings=None, **kwargs):  # type: ignore[no-untyped-def]
    sink = warnings if warnings is not None else []
    return parse_describe(data, origin="flows/X.json", warn=sink.append, **kwargs)


def test_keys_are_case_insensitive() -> None:
    body = {
        "NAME": "Flow",
        "Inputs": [
            {
                "name": "acct",
                "TYPE": "sobject",
                "sObjectType": "Account",
                "bytelength": 0,
                "MaxOccurs": 2000,
            },
        ],
    }
    spec = _parse(body)
    (acct,) = spec.inputs
    assert acct.type.kind is FieldKind.RECORD
    assert acct.type.sobject_type == "Account"
    assert acct.is_collection
    assert acct.extra == {"bytelength": 0}


def test_apex_class_with_null_type() -> None:
    spec = _parse(
        describe("F", inputs=[param("q", None, apexClass="AcmeShipping$Quote")])
    )
    assert spec.inputs[0].type.kind is FieldKind.APEX
    assert spec.inputs[0].type.apex_class == "AcmeShipping$Quote"


def test_missing_required_means_optional_and_unknown_keys_are_kept() -> None:
    raw = param("x", "STRING", isSensitive=True)
    del raw["required"]
    spec = _parse(describe("F", inputs=[raw]))
    assert spec.inputs[0].required is False
    assert spec.inputs[0].extra["issensitive"] is True


def test_unknown_type_becomes_any_with_a_warning_naming_flow_and_parameter() -> None:
    warnings: list[str] = []
    spec = _parse(describe("My_Flow", outputs=[param("geo", "HOLOGRAM")]), warnings)
    assert spec.outputs[0].type.kind is FieldKind.ANY
    assert len(warnings) == 1
    assert (
        "My_Flow" in warnings[0]
        and "'geo'" in warnings[0]
        and "HOLOGRAM" in warnings[0]
    )


def test_picklist_values_from_objects_and_strings_skip_inactive() -> None:
    values = [
        {"active": True, "value": "High"},
        {"active": False, "value": "Retired"},
        "Low",
    ]
    spec = _parse(describe("F", inputs=[param("p", "PICKLIST", picklistValues=values)]))
    assert spec.inputs[0].picklist_values == ("High", "Low")


def test_null_inputs_and_outputs_are_empty() -> None:
    spec = _parse({"name": "F", "inputs": None})
    assert spec.inputs == () and spec.outputs == ()


def test_name_falls_back_to_the_file_name() -> None:
    spec = _parse({"inputs": []}, fallback_name="From_File")
    assert spec.api_name == "From_File"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([1, 2], "expected a JSON object"),
        ({"inputs": []}, "no flow name"),
        ({"name": "F", "inputs": {"a": 1}}, "'inputs' must be a list"),
        ({"name": "F", "outputs": ["x"]}, "outputs[0] must be a JSON object"),
        (
            {"name": "F", "inputs": [{"type": "STRING"}]},
            "inputs[0] has no variable name",
        ),
    ],
)
def test_shapes_that_are_not_a_describe_are_errors_naming_the_file(body, problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError) as info:
        _parse(body)
    assert problem in str(info.value)
    assert str(info.value).startswith("flows/X.json: ")


def test_a_key_in_two_spellings_takes_the_first() -> None:
    body = {
        "name": "Flow",
        "NAME": "Other",
        "inputs": [
            {
                "name": "n",
                "TYPE": "BOOLEAN",
                "type": "STRING",
                "isSensitive": 1,
                "ISSENSITIVE": 2,
            }
        ],
    }
    spec = _parse(body)
    assert spec.api_name == "Flow"
    assert spec.inputs[0].type.kind is FieldKind.BOOLEAN
    assert spec.inputs[0].extra == {"issensitive": 1}
