"""Pulling from an org over real HTTP: few requests, incremental, safe on faults."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowgen.errors import AuthError, ConfigError, OrgError
from flowgen.sources.org import flows as org_source
from flowgen.sources.org.auth import AccessToken, ClientCredentials, Credential
from flowgen.sources.org.http import OrgSession
from flowgen.sources.snapshot import MANIFEST_NAME, read_manifest, read_snapshot
from flowgen.sources.snapshot_write import describe_file, write_snapshot
from flowgen.testing import FakeOrg, Fault
from tests.conftest import describe, param

FLOWS = 60


def _flow(n: int) -> dict[str, Any]:
    return describe(
        f"Flow_{n:03d}",
        [param("recordId", "ID", required=True)],
        [param("count", "INTEGER")],
    )


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    fake = FakeOrg()
    for n in range(FLOWS):
        fake.add_flow(_flow(n))
    fake.add_flow(describe("Screen_Wizard"), process_type="Flow")
    with fake:
        yield fake


def _pull_into(
    root: Path, credential: Credential, *, full: bool = False, **options: Any
) -> org_source.Pulled:
    """What `flowgen pull` does, with quick retries."""
    previous = None if full else read_manifest(root)

    async def run() -> org_source.Pulled:
        async with OrgSession(
            credential, api_version="62.0", backoff_base=0.01
        ) as session:
            return await org_source.pull(
                session,
                previous=previous,
                have_file=lambda key: (root / describe_file(key)).is_file(),
                old_describe=lambda name: json.loads(
                    (root / "flows" / f"{name}.json").read_bytes()
                ),
                full=full,
                **options,
            )

    pulled = asyncio.run(run())
    write_snapshot(
        root,
        manifest=pulled.manifest(),
        changed=pulled.files,
        unchanged=pulled.unchanged,
        sobjects=pulled.sobjects,
        apex_types=pulled.apex,
    )
    return pulled


def _token(org: FakeOrg) -> AccessToken:
    return AccessToken(org.instance_url, org.access_token)


def _files(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        path.relative_to(root).as_posix(): (
            path.stat().st_ino,
            path.stat().st_mtime_ns,
            path.read_bytes(),
        )
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_first_pull_batches_describes_and_writes_a_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    pulled = _pull_into(root, _token(org))
    assert len(pulled.added) == FLOWS + 1 and not pulled.changed
    assert pulled.requests == org.request_count()
    # one list, one query page, one batch per 25 describes
    assert org.request_count() == 2 + math.ceil((FLOWS + 1) / 25)
    assert org.request_count(path="/composite/batch") == math.ceil((FLOWS + 1) / 25)
    manifest = json.loads((root / MANIFEST_NAME).read_text())
    assert manifest["format"] == 1 and manifest["api_version"] == "62.0"
    assert manifest["flows"]["Screen_Wizard"]["process_type"] == "Flow"
    assert manifest["flows"]["Flow_000"]["latest_version_id"].startswith("301")
    text = (root / "flows" / "Flow_007.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    snap = read_snapshot(root)
    assert len(snap.flows) == FLOWS + 1 and not snap.skipped


def test_a_second_pull_describes_only_what_changed(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    org.requests.clear()
    nothing = _pull_into(root, _token(org))
    assert org.request_count() == 2  # the list and the versions
    assert not (nothing.added or nothing.changed or nothing.removed)
    assert _files(root)["flows/Flow_001.json"] == before["flows/Flow_001.json"]

    org.touch_flow("Flow_001")
    org.add_flow(describe("Flow_002", [param("extra", "STRING")]))
    org.remove_flow("Flow_003")
    org.add_flow(describe("New_Flow"))
    org.requests.clear()
    pulled = _pull_into(root, _token(org))
    assert org.request_count() <= 4
    assert pulled.added == ("New_Flow",)
    assert pulled.changed == ("Flow_001", "Flow_002")
    assert pulled.removed == ("Flow_003",)
    after = _files(root)
    assert "flows/Flow_003.json" not in after
    assert after["flows/Flow_010.json"][:2] == before["flows/Flow_010.json"][:2]
    assert b'"extra"' in after["flows/Flow_002.json"][2]


def test_include_and_exclude_patterns(org: FakeOrg, tmp_path: Path) -> None:
    pulled = _pull_into(
        tmp_path / "s", _token(org), include=["flow_00*"], exclude=["*_005"]
    )
    assert sorted(pulled.flows) == [f"Flow_00{n}" for n in range(10) if n != 5]


def test_a_command_line_include_refreshes_those_flows_and_keeps_the_rest(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    org.add_flow(describe("Flow_007", [param("extra", "STRING")]))
    org.add_flow(describe("Flow_008", [param("extra", "STRING")]))
    org.remove_flow("Flow_009")  # outside the filter: not refreshed, so kept
    org.add_flow(describe("Brand_New"))  # likewise: not added
    pulled = _pull_into(root, _token(org), refresh_include=["flow_007"])
    assert pulled.changed == ("Flow_007",)
    assert not pulled.added and not pulled.removed
    assert len(pulled.kept) == FLOWS and "Flow_009" in pulled.kept
    assert any("Flow_009 is no longer in the org" in w for w in pulled.warnings)
    after = _files(root)
    assert b'"extra"' in after["flows/Flow_007.json"][2]
    assert set(after) == set(before)
    for name in set(before) - {"flows/Flow_007.json", MANIFEST_NAME}:
        assert after[name][2] == before[name][2], name
    old_manifest = json.loads(before[MANIFEST_NAME][2])
    manifest = json.loads(after[MANIFEST_NAME][2])
    assert manifest["flows"]["Flow_007"] != old_manifest["flows"]["Flow_007"]
    del manifest["flows"]["Flow_007"], old_manifest["flows"]["Flow_007"]
    assert manifest == old_manifest

    # Without the filter the org's state wins: removed, added, changed.
    pulled = _pull_into(root, _token(org))
    assert pulled.removed == ("Flow_009",)
    assert pulled.added == ("Brand_New",) and pulled.changed == ("Flow_008",)
    assert not pulled.kept


def test_a_command_line_exclude_keeps_those_flows_as_they_were(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    for name in ("Flow_001", "Flow_002"):
        org.add_flow(describe(name, [param("extra", "STRING")]))
    org.remove_flow("Flow_003")
    pulled = _pull_into(root, _token(org), refresh_exclude=["Flow_00[23]"])
    assert pulled.changed == ("Flow_001",)
    assert not pulled.removed and pulled.kept == ("Flow_002", "Flow_003")
    after = _files(root)
    assert after["flows/Flow_002.json"][2] == before["flows/Flow_002.json"][2]
    assert after["flows/Flow_003.json"][2] == before["flows/Flow_003.json"][2]
    assert b'"extra"' in after["flows/Flow_001.json"][2]


def test_the_settings_scope_still_removes_flows_outside_it(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    pulled = _pull_into(
        root, _token(org), include=["Flow_0*"], refresh_include=["Flow_001"]
    )
    assert pulled.removed == ("Screen_Wizard",)
    assert "Screen_Wizard" not in pulled.flows and len(pulled.flows) == FLOWS
    assert pulled.unchanged == tuple(sorted(pulled.flows))
    assert not (root / "flows" / "Screen_Wizard.json").exists()


def test_a_command_line_filter_cannot_narrow_a_pull_at_a_new_api_version(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    manifest = json.loads((root / MANIFEST_NAME).read_text())
    manifest["api_version"] = "61.0"
    (root / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match="cannot narrow it; pull without them"):
        _pull_into(root, _token(org), refresh_include=["Flow_001"])


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(503),
        Fault.status(500),
        Fault.status(429),
        Fault.drop(),
        Fault.malformed(),
    ],
    ids=["503", "500", "429", "dropped", "malformed"],
)
@pytest.mark.parametrize(
    "where", ["/actions/custom/flow", "/query", "/composite/batch"]
)
def test_transient_faults_are_retried(
    org: FakeOrg, tmp_path: Path, fault: Fault, where: str
) -> None:
    org.inject(fault, path=where, times=2)
    pulled = _pull_into(tmp_path / "s", _token(org))
    assert len(pulled.flows) == FLOWS + 1


def _assert_untouched(root: Path, before: dict[str, tuple[int, int, bytes]]) -> None:
    assert _files(root) == before
    assert [p.name for p in root.parent.iterdir()] == [root.name]  # no staging left


def test_a_fault_that_persists_fails_clearly_and_keeps_the_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    org.touch_flow("Flow_004")
    org.inject(Fault.status(503), path="/composite/batch", times=50)
    with pytest.raises(OrgError, match="failed 5 times"):
        _pull_into(root, _token(org))
    _assert_untouched(root, before)


def test_the_request_limit_stops_at_once(org: FakeOrg, tmp_path: Path) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    org.requests.clear()
    org.inject(Fault.status(403), path="/query")
    with pytest.raises(OrgError, match="REQUEST_LIMIT_EXCEEDED"):
        _pull_into(root, _token(org))
    assert org.request_count() == 2  # the list, then the refused query: no retry
    _assert_untouched(root, before)


def test_a_failing_describe_is_retried_then_named(org: FakeOrg, tmp_path: Path) -> None:
    org.inject_subrequest(Fault.status(500), flow="Flow_010")
    assert "Flow_010" in _pull_into(tmp_path / "a", _token(org)).described

    root = tmp_path / "b" / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    org.touch_flow("Flow_011")
    org.inject_subrequest(Fault.status(500), flow="Flow_011", times=50)
    with pytest.raises(OrgError, match="Flow_011: HTTP 500"):
        _pull_into(root, _token(org))
    _assert_untouched(root, before)


def test_an_expired_session_is_renewed_once_when_the_login_can(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.add_oauth_client("3MVG9ci", client_secret="s3cr3t")
    credential = ClientCredentials("3MVG9ci", "s3cr3t", login_url=org.instance_url)
    org.inject(Fault.status(401), path="/composite/batch")
    pulled = _pull_into(tmp_path / "s", credential)
    assert len(pulled.flows) == FLOWS + 1
    assert org.request_count(path="/services/oauth2/token") == 2  # login, renewal


def test_an_expired_token_that_cannot_be_renewed_says_how_to_log_in(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    before = _files(root)
    stale = _token(org)
    org.access_token = "rotated-token"
    with pytest.raises(AuthError) as caught:
        _pull_into(root, stale)
    assert "SF_ACCESS_TOKEN" in str(caught.value)
    assert stale.token not in str(caught.value)
    _assert_untouched(root, before)


def test_a_changed_api_version_describes_everything_again(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org))
    manifest = json.loads((root / MANIFEST_NAME).read_text())
    manifest["api_version"] = "61.0"
    (root / MANIFEST_NAME).write_text(json.dumps(manifest))
    pulled = _pull_into(root, _token(org))
    assert len(pulled.changed) == FLOWS + 1


def test_a_client_error_page_is_reported_at_once_not_retried(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.inject(Fault.html(404), path="/query", times=10)
    with pytest.raises(OrgError, match="failed: HTTP 404"):
        _pull_into(tmp_path / "s", _token(org))
    assert org.request_count(path="/query") == 1
    assert not (tmp_path / "s").exists()


# A full sObject describe in the REST API's shape (trimmed to a few fields).
ACCOUNT_DESCRIBE: dict[str, Any] = {
    "name": "Account",
    "label": "Account",
    "custom": False,
    "fields": [
        {
            "name": "Type",
            "type": "picklist",
            "label": "Account Type",
            "nillable": True,
            "length": 255,
            "precision": 0,
            "scale": 0,
            "referenceTo": [],
            "relationshipName": None,
            "picklistValues": [
                {"active": True, "label": "Customer", "value": "Customer"},
                {"active": False, "label": "Old", "value": "Old"},
            ],
            "byteLength": 765,
            "updateable": True,
        },
        {
            "name": "Id",
            "type": "id",
            "label": "Account ID",
            "nillable": False,
            "length": 18,
            "precision": 0,
            "scale": 0,
            "referenceTo": [],
            "relationshipName": None,
            "picklistValues": [],
        },
    ],
}


def _record_flows(org: FakeOrg) -> None:
    org.add_flow(
        describe(
            "Touch_Account",
            [param("account", "SOBJECT", sobjectType="Account")],
            [param("ghost", "SOBJECT", sobjectType="Ghost__c", maxOccurs=2000)],
        )
    )
    org.add_sobject(ACCOUNT_DESCRIBE)


def test_pull_keeps_trimmed_describes_of_the_record_types_flows_use(
    org: FakeOrg, tmp_path: Path
) -> None:
    _record_flows(org)
    root = tmp_path / "snap"
    first = _pull_into(root, _token(org))

    assert sorted(p.name for p in (root / "sobjects").iterdir()) == ["Account.json"]
    kept = json.loads((root / "sobjects" / "Account.json").read_text())
    assert kept == {
        "name": "Account",
        "label": "Account",
        "fields": [
            {
                "label": "Account ID",
                "length": 18,
                "name": "Id",
                "nillable": False,
                "picklistValues": [],
                "precision": 0,
                "referenceTo": [],
                "relationshipName": None,
                "scale": 0,
                "type": "id",
            },
            {
                "label": "Account Type",
                "length": 255,
                "name": "Type",
                "nillable": True,
                "picklistValues": ["Customer"],
                "precision": 0,
                "referenceTo": [],
                "relationshipName": None,
                "scale": 0,
                "type": "picklist",
            },
        ],
    }
    assert any("Ghost__c" in warning for warning in first.warnings)
    manifest = read_manifest(root)
    assert manifest is not None
    assert manifest["flows"]["Touch_Account"]["sobject_types"] == [
        "Account",
        "Ghost__c",
    ]
    assert manifest["flows"]["Flow_000"]["sobject_types"] == []
    # One batch for the two describes, on top of the flows' own requests.
    assert first.requests == 2 + math.ceil((FLOWS + 2) / 25) + 1

    # The object changes in the org, no flow does: the next pull sees it.
    changed = json.loads(json.dumps(ACCOUNT_DESCRIBE))
    changed["fields"].append({**changed["fields"][1], "name": "Rating__c"})
    org.add_sobject(changed)
    second = _pull_into(root, _token(org))
    assert second.changed == () and second.added == ()
    names = [
        f["name"]
        for f in json.loads((root / "sobjects" / "Account.json").read_text())["fields"]
    ]
    assert names == ["Id", "Rating__c", "Type"]
    assert second.requests == 2 + 1  # list, versions, one sObject batch


def test_pull_reads_record_types_from_flow_files_when_the_manifest_lacks_them(
    org: FakeOrg, tmp_path: Path
) -> None:
    _record_flows(org)
    root = tmp_path / "snap"
    _pull_into(root, _token(org))
    manifest = read_manifest(root)
    assert manifest is not None
    for meta in manifest["flows"].values():
        meta.pop("sobject_types")  # as an older flowgen wrote it
        meta.pop("apex_types")
    (root / MANIFEST_NAME).write_text(json.dumps(manifest))
    (root / "sobjects" / "Account.json").unlink()

    _pull_into(root, _token(org))
    assert (root / "sobjects" / "Account.json").is_file()
    again = read_manifest(root)
    assert again is not None
    assert again["flows"]["Touch_Account"]["sobject_types"] == ["Account", "Ghost__c"]


def test_pull_keeps_the_members_of_apex_defined_types(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.add_flow(
        describe(
            "Quote_Rates",
            [param("parcel", None, apexClass="Shipping$Parcel")],
            [param("quote", None, apexClass="Shipping$Quote", maxOccurs=2000)],
        )
    )
    member = {"modifiers": ["public"], "annotations": [{"name": "InvocableVariable"}]}
    org.add_apex_class(
        "Shipping",
        {
            "name": "Shipping",
            "properties": [],
            "innerClasses": [
                {
                    "name": "Parcel",
                    "properties": [{"name": "weightKg", "type": "Decimal", **member}],
                    "innerClasses": [],
                },
                {
                    "name": "Quote",
                    "properties": [
                        {"name": "carrier", "type": "String", **member},
                        {"name": "parcel", "type": "Shipping.Parcel", **member},
                        {"name": "secret", "type": "String", "modifiers": ["private"]},
                    ],
                    "innerClasses": [],
                },
            ],
        },
    )
    root = tmp_path / "snap"
    pulled = _pull_into(root, _token(org))
    assert pulled.warnings == ()
    quote = json.loads((root / "apex" / "Shipping$Quote.json").read_text())
    assert quote == {
        "name": "Shipping$Quote",
        "members": [
            {"name": "carrier", "type": "String"},
            {"name": "parcel", "type": "Shipping.Parcel"},
        ],
    }
    assert (root / "apex" / "Shipping$Parcel.json").is_file()
    manifest = read_manifest(root)
    assert manifest is not None
    assert manifest["flows"]["Quote_Rates"]["apex_types"] == [
        "Shipping$Parcel",
        "Shipping$Quote",
    ]


def test_an_apex_class_the_org_cannot_show_stays_a_dict_with_a_warning(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.add_flow(describe("Leads", [], [param("lead", None, apexClass="Managed$Lead")]))
    org.add_apex_class("Managed", None)  # a managed package's class: no SymbolTable
    pulled = _pull_into(tmp_path / "snap", _token(org))
    assert any("Managed" in warning for warning in pulled.warnings)
    assert not (tmp_path / "snap" / "apex").exists()


def test_a_narrowed_pull_keeps_the_record_types_of_the_flows_it_keeps(
    org: FakeOrg, tmp_path: Path
) -> None:
    _record_flows(org)
    root = tmp_path / "snap"
    _pull_into(root, _token(org))
    pulled = _pull_into(root, _token(org), refresh_include=["Flow_001"])
    assert "Touch_Account" in pulled.kept
    assert (root / "sobjects" / "Account.json").is_file()
    manifest = read_manifest(root)
    assert manifest is not None
    assert manifest["flows"]["Touch_Account"]["sobject_types"] == [
        "Account",
        "Ghost__c",
    ]
