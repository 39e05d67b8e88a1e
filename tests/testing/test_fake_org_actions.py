"""Apex actions, prompt templates and standard actions: listed, described and
invoked over real HTTP as flows are, but without flow interview outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg, FlowFault
from tests.testing.conftest import DATA, FLOWS, flow, http_client

# Where each kind lives, and the "type" its list entries carry.
PATHS = {
    "apex": f"{DATA}/actions/custom/apex",
    "prompt": f"{DATA}/actions/custom/generatePromptResponse",
    "standard": f"{DATA}/actions/standard",
}
TYPES = {"apex": "APEX", "prompt": "GENERATEPROMPTRESPONSE", "standard": "STANDARD"}
KINDS = sorted(PATHS)
BATCH = f"{DATA}/composite/batch"
NOT_FOUND = [
    {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
]
APEX_QUERY = "SELECT Name, NamespacePrefix, LastModifiedDate FROM ApexClass"
INTERVIEW_KEYS = {"Flow__InterviewStatus", "Flow__InterviewGuid"}


def _param(name: str, kind: str = "STRING", **extra: Any) -> dict[str, Any]:
    param = {
        "name": name,
        "type": kind,
        "maxOccurs": 1,
        "required": False,
        "sobjectType": None,
        "apexClass": None,
        "label": name,
        "description": None,
        "picklistValues": None,
    }
    param.update(extra)
    return param


def _describe(
    kind: str,
    name: str,
    label: str | None = None,
    *,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label or name,
        "description": f"The {name} {kind} action",
        "type": TYPES[kind],
        "inputs": inputs if inputs is not None else [_param("text")],
        "outputs": outputs if outputs is not None else [_param("result")],
    }


CREATE_CASE = _describe(
    "apex",
    "Create311Case",
    "Create 311 Case",
    inputs=[_param("subject", required=True), _param("priority")],
    outputs=[_param("caseId", "ID")],
)
SUMMARIZE = _describe(
    "prompt",
    "Summarize_Account",
    "Summarize Account",
    inputs=[_param("Input:Query", required=True)],
    outputs=[_param("promptResponse")],
)
EMAIL = _describe(
    "standard",
    "emailSimple",
    "Send Email",
    inputs=[_param("emailAddresses"), _param("emailSubject"), _param("emailBody")],
    outputs=[],
)
SAMPLES = {"apex": CREATE_CASE, "prompt": SUMMARIZE, "standard": EMAIL}


def _apex_rows(client: httpx.Client, soql: str = APEX_QUERY) -> list[dict[str, Any]]:
    response = client.get(f"{DATA}/query", params={"q": soql})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["done"] is True and body["totalSize"] == len(body["records"])
    records: list[dict[str, Any]] = body["records"]
    return records


# --- list and describe -------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_listed_at_its_own_path_with_its_type(
    fake_org: FakeOrg, api: httpx.Client, kind: str
) -> None:
    fake_org.add_action(kind, _describe(kind, "Zeta", "Last One"))
    fake_org.add_action(kind, _describe(kind, "Alpha", "First One"))
    other = next(k for k in KINDS if k != kind)
    fake_org.add_action(other, _describe(other, "Elsewhere"))
    fake_org.add_flow(flow("A_Flow"))

    response = api.get(PATHS[kind])

    assert response.status_code == 200
    assert response.json() == {
        "actions": [
            {
                "label": "First One",
                "name": "Alpha",
                "type": TYPES[kind],
                "url": f"{PATHS[kind]}/Alpha",
            },
            {
                "label": "Last One",
                "name": "Zeta",
                "type": TYPES[kind],
                "url": f"{PATHS[kind]}/Zeta",
            },
        ]
    }
    # Flows list only flows, still typed FLOW.
    assert api.get(FLOWS).json()["actions"] == [
        {"label": "A Flow", "name": "A_Flow", "type": "FLOW", "url": f"{FLOWS}/A_Flow"}
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_describe_is_served_as_added_from_a_private_copy(
    fake_org: FakeOrg, api: httpx.Client, kind: str
) -> None:
    describe = json.loads(json.dumps(SAMPLES[kind]))
    fake_org.add_action(kind, describe)
    describe["label"] = "Changed by the caller afterwards"
    describe["inputs"].clear()

    response = api.get(f"{PATHS[kind]}/{SAMPLES[kind]['name']}")

    assert response.status_code == 200
    assert response.json() == SAMPLES[kind]


def test_unknown_action_is_404_with_the_flow_not_found_body(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("apex", CREATE_CASE)
    fake_org.add_flow(flow("Greet"))

    missing_flow = api.get(f"{FLOWS}/Missing")
    missing_apex = api.get(f"{PATHS['apex']}/Missing")
    wrong_kind = api.get(f"{PATHS['prompt']}/Create311Case")  # an Apex action
    flow_as_apex = api.post(f"{PATHS['apex']}/Greet", json={"inputs": [{}]})
    listing_post = api.post(PATHS["standard"], json={"inputs": []})

    assert missing_flow.status_code == 404
    for response in (missing_apex, wrong_kind, flow_as_apex, listing_post):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND == missing_flow.json()
    assert fake_org.invocations["apex:Greet"] == []
    assert fake_org.invocations["Greet"] == []


def test_replacing_and_removing_an_action(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_action("standard", EMAIL)
    fake_org.add_action("standard", {**EMAIL, "label": "Send Email v2"})

    replaced = api.get(f"{PATHS['standard']}/emailSimple").json()
    listed = api.get(PATHS["standard"]).json()["actions"]
    fake_org.remove_action("standard", "emailSimple")

    assert replaced["label"] == "Send Email v2"
    assert [entry["label"] for entry in listed] == ["Send Email v2"]
    assert api.get(f"{PATHS['standard']}/emailSimple").status_code == 404
    assert api.get(PATHS["standard"]).json() == {"actions": []}
    with pytest.raises(KeyError):
        fake_org.remove_action("standard", "emailSimple")
    with pytest.raises(KeyError):
        fake_org.touch_action("apex", "emailSimple")


# --- invoke -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_invoke_runs_the_handler_per_input_and_records_under_kind_and_name(
    fake_org: FakeOrg, api: httpx.Client, kind: str
) -> None:
    name = SAMPLES[kind]["name"]
    fake_org.add_action(kind, SAMPLES[kind])
    fake_org.on(name, lambda element: {"result": element["n"] * 2}, kind=kind)

    response = api.post(f"{PATHS[kind]}/{name}", json={"inputs": [{"n": 1}, {"n": 20}]})

    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "actionName": name,
            "errors": None,
            "isSuccess": True,
            "outputValues": {"result": doubled},
            "sortOrder": -1,
            "version": 1,
        }
        for doubled in (2, 40)
    ]
    assert fake_org.invocations[f"{kind}:{name}"] == [{"n": 1}, {"n": 20}]
    assert name not in fake_org.invocations  # flows' keys are bare names
    assert fake_org.request_count(f"{PATHS[kind]}/{name}", "POST") == 1


def test_prompt_input_key_with_a_colon_reaches_the_handler_and_comes_back(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("prompt", SUMMARIZE)
    seen: list[dict[str, Any]] = []

    def summarize(element: dict[str, Any]) -> dict[str, Any]:
        seen.append(element)
        query = element["Input:Query"]
        return {"promptResponse": f"Summary of {query}", "Input:Query": query}

    fake_org.on("Summarize_Account", summarize, kind="prompt")

    response = api.post(
        f"{PATHS['prompt']}/Summarize_Account",
        json={"inputs": [{"Input:Query": "Acme Corp"}]},
    )

    assert response.status_code == 200, response.text
    [result] = response.json()
    assert result["outputValues"] == {
        "promptResponse": "Summary of Acme Corp",
        "Input:Query": "Acme Corp",
    }
    assert seen == [{"Input:Query": "Acme Corp"}]
    assert fake_org.invocations["prompt:Summarize_Account"] == seen


def test_only_flow_answers_carry_interview_outputs(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    # One name, two kinds: each keeps its own handler and recordings.
    fake_org.add_flow(flow("Same"))
    fake_org.add_action("apex", _describe("apex", "Same"))
    fake_org.on("Same", lambda element: {"from": "flow"})
    fake_org.on("Same", lambda element: {"from": "apex"}, kind="apex")

    flow_answer = api.post(f"{FLOWS}/Same", json={"inputs": [{"x": 1}]})
    apex_answer = api.post(f"{PATHS['apex']}/Same", json={"inputs": [{"x": 2}]})

    [flow_result] = flow_answer.json()
    [apex_result] = apex_answer.json()
    assert set(flow_result["outputValues"]) == {"from", *INTERVIEW_KEYS}
    assert flow_result["outputValues"]["from"] == "flow"
    assert flow_result["outputValues"]["Flow__InterviewStatus"] == "Finished"
    assert apex_result["outputValues"] == {"from": "apex"}
    assert fake_org.invocations["Same"] == [{"x": 1}]
    assert fake_org.invocations["apex:Same"] == [{"x": 2}]


@pytest.mark.parametrize("kind", KINDS)
def test_an_action_without_a_handler_succeeds_with_no_outputs(
    fake_org: FakeOrg, api: httpx.Client, kind: str
) -> None:
    name = SAMPLES[kind]["name"]
    fake_org.add_action(kind, SAMPLES[kind])

    response = api.post(f"{PATHS[kind]}/{name}", json={"inputs": [{"a": "b"}]})

    assert response.status_code == 200
    [result] = response.json()
    assert result["isSuccess"] is True
    assert result["outputValues"] == {}
    assert fake_org.invocations[f"{kind}:{name}"] == [{"a": "b"}]


def test_one_failing_input_makes_a_400_with_the_whole_array(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("apex", CREATE_CASE)

    def create(element: dict[str, Any]) -> dict[str, Any]:
        if not element.get("subject"):
            raise FlowFault(
                "Subject is required",
                status_code="REQUIRED_FIELD_MISSING",
                fields=["subject"],
            )
        return {"caseId": "500000000000001AAA"}

    fake_org.on("Create311Case", create, kind="apex")

    response = api.post(
        f"{PATHS['apex']}/Create311Case",
        json={"inputs": [{"subject": "Pothole"}, {"subject": ""}]},
    )

    assert response.status_code == 400
    assert response.json() == [
        {
            "actionName": "Create311Case",
            "errors": None,
            "isSuccess": True,
            "outputValues": {"caseId": "500000000000001AAA"},
            "sortOrder": -1,
            "version": 1,
        },
        {
            "actionName": "Create311Case",
            "errors": [
                {
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Subject is required",
                    "fields": ["subject"],
                }
            ],
            "isSuccess": False,
            "outputValues": None,
            "sortOrder": -1,
            "version": 1,
        },
    ]
    assert len(fake_org.invocations["apex:Create311Case"]) == 2


def test_a_bad_invoke_body_is_refused(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_action("standard", EMAIL)

    response = api.post(f"{PATHS['standard']}/emailSimple", content=b"{not json")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert fake_org.invocations["standard:emailSimple"] == []


# --- composite batch ----------------------------------------------------------


def test_action_describes_list_and_invoke_inside_a_composite_batch(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    for kind, describe in SAMPLES.items():
        fake_org.add_action(kind, describe)
    fake_org.add_flow(flow("Greet"))
    fake_org.on("emailSimple", lambda element: {"sent": True}, kind="standard")
    relative = {
        kind: path.removeprefix("/services/data/") for kind, path in PATHS.items()
    }

    response = api.post(
        BATCH,
        json={
            "batchRequests": [
                {"method": "GET", "url": f"{relative['apex']}/Create311Case"},
                {"method": "GET", "url": f"{PATHS['prompt']}/Summarize_Account"},
                {"method": "GET", "url": f"{relative['standard']}/emailSimple"},
                {"method": "GET", "url": "v62.0/actions/custom/flow/Greet"},
                {"method": "GET", "url": f"{relative['apex']}/Missing"},
                {"method": "GET", "url": relative["prompt"]},
                {
                    "method": "POST",
                    "url": f"{relative['standard']}/emailSimple",
                    "richInput": {"inputs": [{"emailSubject": "Hi"}]},
                },
            ],
            "haltOnError": False,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["hasErrors"] is True
    results = body["results"]
    assert [entry["statusCode"] for entry in results] == [200] * 4 + [404, 200, 200]
    assert [entry["result"] for entry in results[:3]] == [
        CREATE_CASE,
        SUMMARIZE,
        EMAIL,
    ]
    assert results[3]["result"]["name"] == "Greet"
    assert results[4]["result"] == NOT_FOUND
    assert results[5]["result"] == api.get(PATHS["prompt"]).json()
    assert results[6]["result"][0]["outputValues"] == {"sent": True}
    assert fake_org.invocations["standard:emailSimple"] == [{"emailSubject": "Hi"}]
    assert fake_org.request_count(BATCH) == 1


# --- snapshot -------------------------------------------------------------------


def _snapshot(root: Path, files: dict[str, object]) -> Path:
    manifest = {"format": 1, "api_version": "62.0"}
    (root / "flowgen-snapshot.json").write_text(json.dumps(manifest))
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))
    return root


def test_snapshot_actions_folders_are_served(tmp_path: Path) -> None:
    snapshot = _snapshot(
        tmp_path,
        {
            "flows/Greet.json": flow("Greet"),
            "actions/apex/Create311Case.json": CREATE_CASE,
            "actions/apex/acme__Sync.json": _describe("apex", "acme__Sync"),
            "actions/prompt/Summarize_Account.json": SUMMARIZE,
            # no actions/standard folder: none of that kind
        },
    )

    with FakeOrg(snapshot) as org, http_client(org) as client:
        apex = client.get(PATHS["apex"]).json()["actions"]
        prompt = client.get(f"{PATHS['prompt']}/Summarize_Account")
        standard = client.get(PATHS["standard"]).json()
        flows = client.get(FLOWS).json()["actions"]

    assert [entry["name"] for entry in apex] == ["Create311Case", "acme__Sync"]
    assert prompt.status_code == 200 and prompt.json() == SUMMARIZE
    assert standard == {"actions": []}
    assert [entry["name"] for entry in flows] == ["Greet"]


def test_a_snapshot_action_without_a_label_names_its_file(tmp_path: Path) -> None:
    snapshot = _snapshot(
        tmp_path, {"actions/standard/broken.json": {"name": "broken", "label": ""}}
    )

    with pytest.raises(ValueError, match=r"broken\.json.*'label'"):
        FakeOrg(snapshot)


# --- ApexClass dates --------------------------------------------------------------


def test_apex_class_query_has_a_row_per_apex_action(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("apex", _describe("apex", "zz__Late"))
    fake_org.add_action("apex", CREATE_CASE)
    fake_org.add_action("prompt", SUMMARIZE)  # not an Apex class
    fake_org.add_action("standard", EMAIL)

    rows = _apex_rows(api)

    assert [(r["NamespacePrefix"], r["Name"]) for r in rows] == [
        (None, "Create311Case"),
        ("zz", "Late"),
    ]
    create, late = rows
    assert create["attributes"]["type"] == "ApexClass"
    assert create["attributes"]["url"].startswith(f"{DATA}/sobjects/ApexClass/01p")
    assert set(create) == {"attributes", "Name", "NamespacePrefix", "LastModifiedDate"}
    # Added later, dated later (same format as FlowDefinitionView's dates).
    assert late["LastModifiedDate"] == "2026-01-01T00:00:00.000+0000"
    assert create["LastModifiedDate"] == "2026-01-01T00:00:01.000+0000"


def test_apex_class_dates_move_on_when_replaced_or_touched(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("apex", CREATE_CASE)
    fake_org.add_action("apex", _describe("apex", "Untouched"))

    def dates() -> dict[str, str]:
        return {r["Name"]: r["LastModifiedDate"] for r in _apex_rows(api)}

    first = dates()
    fake_org.add_flow(flow("Greet"))  # an edit elsewhere in the org
    fake_org.add_action("apex", {**CREATE_CASE, "label": "Create Case v2"})
    replaced = dates()
    fake_org.touch_action("apex", "Create311Case")
    touched = dates()

    assert first["Create311Case"] < replaced["Create311Case"] < touched["Create311Case"]
    assert first["Untouched"] == replaced["Untouched"] == touched["Untouched"]
    # Touching leaves the describe alone.
    described = api.get(f"{PATHS['apex']}/Create311Case").json()
    assert described["label"] == "Create Case v2"
    # The flow's edit sits between the Apex ones on the one org clock.
    [greet] = api.get(
        f"{DATA}/query", params={"q": "SELECT LastModifiedDate FROM FlowDefinitionView"}
    ).json()["records"]
    assert first["Create311Case"] < greet["LastModifiedDate"]
    assert greet["LastModifiedDate"] < replaced["Create311Case"]


def test_apex_class_query_takes_a_field_subset_and_a_name_filter(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    for name in ["Create311Case", "acme__Sync", "Other"]:
        fake_org.add_action("apex", _describe("apex", name))

    rows = _apex_rows(
        api,
        "select lastmodifieddate, NAME from apexclass "
        "WHERE Name IN ('create311case', 'Sync', 'Missing')",
    )

    assert [list(row) for row in rows] == [
        ["attributes", "LastModifiedDate", "Name"]
    ] * 2
    assert [row["Name"] for row in rows] == ["Create311Case", "Sync"]


def test_apex_class_query_is_gone_after_remove(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_action("apex", CREATE_CASE)
    fake_org.remove_action("apex", "Create311Case")

    assert _apex_rows(api) == []


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id, Name FROM ApexClass", "INVALID_FIELD"),
        ("SELECT Name FROM ApexClass ORDER BY Name", "MALFORMED_QUERY"),
        ("SELECT Name FROM ApexClass WHERE Name = 'A'", "MALFORMED_QUERY"),
        ("SELECT Name FROM Account", "INVALID_TYPE"),
    ],
)
def test_apex_class_query_refuses_what_it_does_not_answer(
    fake_org: FakeOrg, api: httpx.Client, soql: str, code: str
) -> None:
    fake_org.add_action("apex", CREATE_CASE)

    response = api.get(f"{DATA}/query", params={"q": soql})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


# --- misuse ------------------------------------------------------------------------


def test_unknown_kinds_and_flows_are_refused(fake_org: FakeOrg) -> None:
    with pytest.raises(ValueError, match="'flow', 'apex', 'prompt', 'standard'"):
        fake_org.on("Create311Case", lambda element: {}, kind="bogus")
    with pytest.raises(ValueError, match="add_flow"):
        fake_org.add_action("flow", flow("Greet"))
    with pytest.raises(ValueError, match="'apex', 'prompt', 'standard'"):
        fake_org.add_action("Apex", CREATE_CASE)
    with pytest.raises(ValueError, match="remove_flow"):
        fake_org.remove_action("flow", "Greet")
    with pytest.raises(ValueError, match="touch_flow"):
        fake_org.touch_action("flow", "Greet")


@pytest.mark.parametrize(
    "describe",
    [
        {"label": "No name"},
        {"name": "", "label": "Empty name"},
        {"name": "NoLabel"},
        {"name": "NumberLabel", "label": 7},
    ],
)
def test_an_action_describe_needs_a_name_and_a_label(
    fake_org: FakeOrg, describe: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        fake_org.add_action("apex", describe)
