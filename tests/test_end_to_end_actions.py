"""Every other kind of action, end to end: pulled from the fake org over HTTP,
generated, type-checked and called.

The package is generated with ``actions = ["flow", "apex", "prompt",
"standard:emailSimple"]`` from a snapshot pulled from :class:`FakeOrg`;
``tests/checkers/actions_script.py`` (a user's script) is checked with mypy
--strict and pyright strict and then run against the same org, so every
scalar type, records and Apex-defined types go out and come back for each
kind.
"""

from __future__ import annotations

import datetime
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from flowgen.testing import FakeOrg
from tests.conftest import (
    EXAMPLE_SNAPSHOT,
    REPO,
    describe,
    param,
    run_flowgen,
    write_actions_snapshot,
)
from tests.sources.test_apex import prop, table
from tests.test_generated_checkers import _bandit, _mypy, _pyright, _ruff

SCRIPT = REPO / "tests" / "checkers" / "actions_script.py"
KINDS = "flow,apex,prompt,standard:emailSimple"
UTC = datetime.timezone.utc


def _create_311_case(inputs: dict[str, Any]) -> dict[str, Any]:
    # Every scalar back under <name>Out, as the org sent it; a record and
    # Apex objects made from the inputs.
    outputs = {f"{name}Out": value for name, value in inputs.items()}
    parcel = inputs.get("parcel") or {}
    return {
        **outputs,
        "caseId": "500000000000777AAA",
        "tags": inputs.get("tags"),
        "notes": inputs.get("notes"),
        "createdCase": {
            "attributes": {"type": "Case"},
            "Subject": inputs["subject"],
            "CaseNumber": "00001001",
        },
        "quotes": [
            {
                "carrier": "Acme Post",
                "price": Decimal("12.3456789012345678"),
                "deliveryDate": "2026-12-28",
                "pickupWindowStart": "2026-12-27T08:00:00.000Z",
                "parcel": parcel,
                "surcharges": [{"reason": "fragile", "amount": Decimal("2.50")}],
            }
        ],
    }


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeOrg]:
    snapshot = write_actions_snapshot(tmp_path_factory.mktemp("org") / "snapshot")
    with FakeOrg(snapshot) as fake:
        # The Tooling API's view of the Apex-defined types the actions pass.
        inner = {
            path.stem.partition("$")[2]: [
                prop(m["name"], m["type"])
                for m in json.loads(path.read_text())["members"]
            ]
            for path in sorted((EXAMPLE_SNAPSHOT / "apex").glob("AcmeShipping$*.json"))
        }
        fake.add_apex_class("AcmeShipping", table("AcmeShipping", [], inner))
        fake.on("Create311Case", _create_311_case, kind="apex")
        fake.on(
            "Create_Support_Case",
            lambda inputs: {"caseId": "500000000000888AAA"},
            kind="apex",
        )
        fake.on(
            "Summarize_Case",
            lambda inputs: {
                "promptResponse": f"{inputs['Input:Case']['Subject']}: "
                f"{inputs['Input:Query']}"
            },
            kind="prompt",
        )
        yield fake


@pytest.fixture(scope="module")
def root(org: FakeOrg, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A user's project: pulled, generated, the script beside the package."""
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snapshot"\npackage = "acme_flows"\n'
        'actions = ["flow", "apex", "prompt", "standard:emailSimple"]\n'
    )
    login = {"SF_ACCESS_TOKEN": org.access_token}
    pulled = run_flowgen(
        "pull", "--instance-url", org.instance_url, cwd=root, env=login
    )
    assert pulled.returncode == 0, pulled.stderr
    assert "and 4 other action(s)" in pulled.stderr
    generated = run_flowgen("generate", cwd=root)
    assert generated.returncode == 0, generated.stderr
    shutil.copyfile(SCRIPT, root / "actions_script.py")
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))
    for name in [
        m for m in sys.modules if m.split(".")[0] in ("acme_flows", "actions_script")
    ]:
        del sys.modules[name]


def test_the_package_and_a_user_script_pass_mypy_strict(root: Path) -> None:
    done = _mypy(root, "acme_flows", "actions_script.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_passes_ruff_and_bandit(root: Path) -> None:
    assert _bandit(root / "acme_flows") == []
    done = _ruff(root / "acme_flows")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_and_a_user_script_pass_pyright_strict(root: Path) -> None:
    errors, output = _pyright(root, "acme_flows")
    assert errors == 0, output
    errors, output = _pyright(root, "actions_script.py")
    assert errors == 0, output


def test_each_kind_is_called_over_http_and_every_value_comes_back(
    root: Path, org: FakeOrg
) -> None:
    script = importlib.import_module("actions_script")
    got = script.main(org.instance_url, org.access_token)
    output = got["output"]
    # Scalars: exact decimals (18 digits), dates, aware datetimes, times.
    assert output.amount_out == Decimal("1234.56")
    assert output.rate_out == Decimal("1.08234567890123456")
    assert output.ratio_out == 0.25 and output.visits_out == 3
    assert output.big_count_out == 2**40 and output.urgent_out is True
    assert output.due_date_out == datetime.date(2026, 12, 24)
    assert output.due_at_out == datetime.datetime(2026, 12, 24, 9, 30, tzinfo=UTC)
    assert output.start_time_out == datetime.time(8, 15)
    assert output.record_id_out == "500000000000001AAA"
    assert output.subject_out == "Pothole on Main St"
    assert output.tags == ["A", "B"] and output.notes == ["first", "second"]
    # A record, and Apex-defined types (one nested in the other).
    assert output.created_case["Subject"] == "Pothole on Main St"
    quote = got["quote"]
    acme = importlib.import_module("acme_flows.apex_types")
    assert isinstance(quote, acme.AcmeShipping_Quote)
    assert quote.price == Decimal("12.3456789012345678")
    assert quote.parcel == acme.AcmeShipping_Parcel(
        weight_kg=Decimal("2.5"), fragile=True
    )
    assert quote.surcharges == [
        acme.AcmeShipping_Surcharge(reason="fragile", amount=Decimal("2.50"))
    ]
    assert got["bulk"] == ["500000000000777AAA"] * 3
    assert got["support"] == "500000000000888AAA"  # the Apex action, not the flow
    assert got["summary"] == "Pothole: What went wrong?"
    assert (
        got["email"]
        == importlib.import_module("acme_flows.standard").EmailSimpleOutput()
    )

    # What the org received: wire names as the describes spell them.
    (sent,) = org.invocations["apex:Create311Case"][:1]
    assert sent["rate"] == Decimal("1.08234567890123456")
    assert sent["dueAt"] == "2026-12-24T09:30:00.000Z" and sent["tags"] == "A;B"
    assert sent["account"] == {"attributes": {"type": "Account"}, "Name": "Acme"}
    assert sent["parcel"] == {
        **dict.fromkeys(["lengthCm", "widthCm", "heightCm", "contents"]),
        "weightKg": Decimal("2.5"),
        "fragile": True,
    }
    (prompt,) = org.invocations["prompt:Summarize_Case"]
    assert set(prompt) == {"Input:Case", "Input:Query"}
    (email,) = org.invocations["standard:emailSimple"]
    assert email == {"emailBody": "Your case is open.", "emailSubject": "Case opened"}
    assert not org.invocations["Create_Support_Case"]  # the flow was not called


def test_the_typed_fakes_answer_each_kind_without_an_org(root: Path) -> None:
    script = importlib.import_module("actions_script")
    case_id, calls, support = script.with_fakes()
    assert case_id == "500FAKE" and support == "ABC"
    apex = importlib.import_module("acme_flows.apex")
    assert calls == [apex.Create311CaseInput(subject="From a unit test")]


def test_check_org_sees_an_apex_class_saved_since_the_pull(
    root: Path, org: FakeOrg
) -> None:
    login = {"SF_ACCESS_TOKEN": org.access_token}
    args = ("check", "--org", "--instance-url", org.instance_url)
    clean = run_flowgen(*args, cwd=root, env=login)
    assert clean.returncode == 0, clean.stderr
    org.touch_action("apex", "Create_Support_Case")
    moved = run_flowgen(*args, cwd=root, env=login)
    assert moved.returncode == 1, moved.stderr
    assert "the org has moved ahead of" in moved.stderr
    assert "flowgen-snapshot.json" in moved.stderr


# -- every type, through every kind ---------------------------------------------

EVERY_TYPE = {
    "text": ("STRING", 'Grüße \u2028 "quoted"'),
    "pick": ("PICKLIST", "High"),
    "picks": ("MULTIPICKLIST", ["A", "B"]),
    "flag": ("BOOLEAN", True),
    "count": ("INTEGER", 42),
    "big": ("LONG", 2**53 + 1),
    "ratio": ("DOUBLE", 0.1),
    "money": ("CURRENCY", Decimal("1234567890.12345678")),  # 18 digits
    "day": ("DATE", datetime.date(2026, 2, 28)),
    "moment": ("DATETIME", datetime.datetime(2026, 2, 28, 23, 59, 58, tzinfo=UTC)),
    "clock": ("TIME", datetime.time(7, 5, 3)),
    "anything": ("ANYTYPE", {"free": ["form", 1]}),
}
# A folder and a describe name per kind; standard action names start lower.
ECHOES = {
    "apex": "Echo_Every_Type",
    "prompt": "Echo_Every_Type",
    "standard": "echoEveryType",
}


def _echo_describe(name: str) -> dict[str, Any]:
    params = [param(key, kind) for key, (kind, _) in EVERY_TYPE.items()]
    params += [
        param("account", "SOBJECT", sobjectType="Account"),
        param("parcel", None, apexClass="AcmeShipping$Parcel"),
        param("names", "STRING", maxOccurs=2000),
    ]
    return describe(name, inputs=params, outputs=params, label=name)


@pytest.fixture(scope="module")
def echo_root(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, FakeOrg]]:
    """A package of one echoing action per kind, generated from a snapshot
    the fake org also serves."""
    root = tmp_path_factory.mktemp("echo")
    snapshot = write_actions_snapshot(root / "snapshot")
    for folder, name in ECHOES.items():
        (snapshot / "actions" / folder / f"{name}.json").write_text(
            json.dumps(_echo_describe(name))
        )
    kinds = "apex,prompt,standard:" + ECHOES["standard"]
    out = root / "echo_flows"
    done = run_flowgen(
        "generate", "--snapshot", str(snapshot), "--out", str(out),
        "--package", "echo_flows", "--actions", kinds, "-q", cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with FakeOrg(snapshot) as fake:
        for folder, name in ECHOES.items():
            fake.on(name, dict, kind=folder)  # outputs = the inputs, as received
        sys.path.insert(0, str(root))
        yield root, fake
        sys.path.remove(str(root))
    for module in [m for m in sys.modules if m.split(".")[0] == "echo_flows"]:
        del sys.modules[module]


@pytest.mark.parametrize(
    ("subpackage", "function"),
    [("apex", "echo_every_type"), ("prompts", "echo_every_type"),
     ("standard", "echo_every_type")],
)  # fmt: skip
def test_every_type_goes_out_and_comes_back_through_each_kind(
    echo_root: tuple[Path, FakeOrg], subpackage: str, function: str
) -> None:
    root, org = echo_root
    module = importlib.import_module(f"echo_flows.{subpackage}")
    apex = importlib.import_module("echo_flows.apex_types")
    client_type = importlib.import_module("echo_flows").FlowClient
    values: dict[str, Any] = {key: value for key, (_, value) in EVERY_TYPE.items()}
    values["account"] = {"attributes": {"type": "Account"}, "Name": "Acme"}
    values["parcel"] = apex.AcmeShipping_Parcel(
        weight_kg=Decimal("0.123456789012345678"), contents=["books"]
    )
    values["names"] = ("x", "y")
    with client_type(org.instance_url, org.access_token) as client:
        output = getattr(module, function)(client, **values)
        (result,) = getattr(module, f"{function}_many")(
            client, [module.EchoEveryTypeInput(**values)]
        )
    assert result.output == output
    for key, (_, value) in EVERY_TYPE.items():
        assert getattr(output, key) == value, key
        assert type(getattr(output, key)) is type(value), key
    assert output.account == values["account"]
    assert output.parcel == values["parcel"]
    assert output.names == ["x", "y"]
