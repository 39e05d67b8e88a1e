"""Pulling the org's other invocable actions with its flows, over real HTTP.

Each selected kind costs one list request, Apex one change query; the
describes ride in the flows' composite batches, and a pull with nothing
changed describes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowgen.errors import OrgError
from flowgen.model import ActionSelection
from flowgen.sources.snapshot import read_manifest
from flowgen.testing import FakeOrg, Fault
from tests.conftest import action_describes, write_actions_snapshot
from tests.sources.org.test_flows import _pull_into, _token

ALL = ActionSelection.parse(["flow", "apex", "prompt", "standard:emailSimple"])


@pytest.fixture
def org(tmp_path_factory: pytest.TempPathFactory) -> Any:
    snapshot = write_actions_snapshot(tmp_path_factory.mktemp("org") / "snapshot")
    with FakeOrg(snapshot) as fake:
        yield fake


def _batches(org: FakeOrg, since: int = 0) -> list[list[str]]:
    """The subrequest URLs of every composite batch received after ``since``."""
    return [
        [sub["url"] for sub in request.json()["batchRequests"]]
        for request in org.requests[since:]
        if request.path.endswith("/composite/batch")
    ]


def _described_actions(batches: list[list[str]]) -> list[str]:
    urls = [url for batch in batches for url in batch]
    found = [url.split("/actions/")[1] for url in urls if "/actions/" in url]
    return sorted(path for path in found if not path.startswith("custom/flow/"))


def test_a_pull_describes_each_kind_in_the_flows_batches(
    org: FakeOrg, tmp_path: Path
) -> None:
    _pull_into(tmp_path / "flows-only", _token(org))
    flows_only, since = org.request_count(), len(org.requests)
    pulled = _pull_into(tmp_path / "all", _token(org), actions=ALL)
    requests = org.request_count() - flows_only
    # The flows' own requests, one list per kind and one Apex change query.
    assert requests <= flows_only + 3 + 1
    assert org.request_count(path="/actions/custom/apex", method="GET") == 1
    assert org.request_count(path="/actions/standard", method="GET") == 1
    batches = _batches(org, since)
    assert len(batches) == len(_batches(org)) - len(batches)  # as many as flows'
    assert all(len(batch) <= 25 for batch in batches)
    assert _described_actions(batches) == [
        "custom/apex/Create311Case",
        "custom/apex/Create_Support_Case",
        "custom/generatePromptResponse/Summarize_Case",
        "standard/emailSimple",
    ]
    root = tmp_path / "all"
    files = sorted(p.relative_to(root).as_posix() for p in root.glob("actions/*/*"))
    assert files == [
        "actions/apex/Create311Case.json",
        "actions/apex/Create_Support_Case.json",
        "actions/prompt/Summarize_Case.json",
        "actions/standard/emailSimple.json",
    ]
    written = json.loads((root / "actions/prompt/Summarize_Case.json").read_text())
    assert written == action_describes()["prompt"][0]
    manifest = read_manifest(root)
    assert manifest is not None
    apex = manifest["actions"]["apex"]["Create311Case"]
    assert apex["last_modified"] and apex["sobject_types"] == ["Account", "Case"]
    assert apex["apex_types"] == ["AcmeShipping$Parcel", "AcmeShipping$Quote"]
    assert "prompt/Summarize_Case" in pulled.added
    assert (root / "flows" / "Create_Support_Case.json").is_file()  # both kept


def test_a_second_pull_describes_nothing_and_an_edit_only_its_action(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org), actions=ALL)
    before = {p: p.read_bytes() for p in sorted(root.rglob("*.json"))}
    since = len(org.requests)
    again = _pull_into(root, _token(org), actions=ALL)
    assert not again.added and not again.changed and not again.removed
    assert _described_actions(_batches(org, since)) == []
    assert {p: p.read_bytes() for p in sorted(root.rglob("*.json"))} == before

    org.touch_action("apex", "Create311Case")  # the class was saved again
    since = len(org.requests)
    edited = _pull_into(root, _token(org), actions=ALL)
    assert edited.changed == ("apex/Create311Case",)
    assert _described_actions(_batches(org, since)) == ["custom/apex/Create311Case"]


def test_actions_the_org_drops_or_the_setting_leaves_out_leave_the_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    root = tmp_path / "snapshot"
    _pull_into(root, _token(org), actions=ALL)
    org.remove_action("prompt", "Summarize_Case")
    pulled = _pull_into(root, _token(org), actions=ALL)
    assert pulled.removed == ("prompt/Summarize_Case",)
    assert not (root / "actions" / "prompt").exists()
    flows_only = _pull_into(root, _token(org))
    assert set(flows_only.removed) == {
        "apex/Create311Case",
        "apex/Create_Support_Case",
        "standard/emailSimple",
    }
    assert not (root / "actions").exists()
    manifest = read_manifest(root)
    assert manifest is not None and "actions" not in manifest


def test_a_standard_action_the_org_does_not_offer_is_named(
    org: FakeOrg, tmp_path: Path
) -> None:
    chosen = ActionSelection.parse(["standard:emailSimple", "standard:noSuchThing"])
    pulled = _pull_into(tmp_path / "snapshot", _token(org), actions=chosen)
    assert any("noSuchThing" in warning for warning in pulled.warnings)
    # Without "flow" in the selection, the org's flows are not even listed.
    assert pulled.added == ("standard/emailSimple",)
    assert org.request_count(path="/actions/custom/flow") == 0


def test_kind_prefixed_patterns_narrow_that_kind_alone(
    org: FakeOrg, tmp_path: Path
) -> None:
    pulled = _pull_into(
        tmp_path / "snapshot",
        _token(org),
        actions=ALL,
        include=["apex:create3*", "Create_*"],
        exclude=["prompt:*"],
    )
    added = set(pulled.added)
    assert {"apex/Create311Case", "Create_Support_Case"} <= added
    assert "apex/Create_Support_Case" not in added  # not apex:create3*
    assert not [key for key in added if key.startswith("prompt/")]
    assert "standard/emailSimple" in added  # no standard: pattern: all named
    assert "Calculate_Invoice_Totals" not in added  # flows: Create_* only


def test_a_refused_prompt_list_says_what_prompt_templates_need(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.inject(
        Fault.status(404, "NOT_FOUND", "The requested resource does not exist"),
        path="/actions/custom/generatePromptResponse",
    )
    chosen = ActionSelection.parse(["flow", "prompt"])
    with pytest.raises(OrgError) as refused:
        _pull_into(tmp_path / "snapshot", _token(org), actions=chosen)
    said = str(refused.value)
    assert "NOT_FOUND" in said
    assert "API version 60.0 or later and the Prompt Template User" in said
    assert not (tmp_path / "snapshot").exists()  # nothing written
