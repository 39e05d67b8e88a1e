"""The committed example package is exactly what flowgen generates, and it type-checks.

To update the golden files after a deliberate change: `scripts/update-golden`
(it runs `flowgen generate`), then review the diff of generated_example/.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import black

from flowgen.generate import layout, pipeline, plan
from flowgen.output.write import existing_files
from flowgen.sources.snapshot import open_snapshot, read_snapshot
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE, write_hostile_snapshot

PACKAGE_DIR = GENERATED_EXAMPLE / "acme_flows"


def _keep(path: str, data: bytes) -> tuple[str, bytes]:
    return path, data


def _render_example() -> dict[str, bytes]:
    # The path flowgen generate takes: flows, then the sObject describes.
    generated = pipeline.generate(
        open_snapshot(EXAMPLE_SNAPSHOT), package="acme_flows", emit=_keep
    )
    return dict(generated.results)


def test_generating_the_example_reproduces_the_committed_package_byte_for_byte() -> (
    None
):
    files = _render_example()
    assert files == existing_files(PACKAGE_DIR)
    assert files == _render_example()  # and a second run gives the same bytes


def test_the_committed_package_is_black_stable() -> None:
    mode = black.Mode(line_length=layout.LINE_LENGTH)
    for path, data in existing_files(PACKAGE_DIR).items():
        if path.endswith(".py"):
            source = data.decode("utf-8")
            assert black.format_str(source, mode=mode) == source, path


USAGE = """
import datetime
from decimal import Decimal

import acme_flows
from acme_flows import FlowClient, FlowResult, UNSET
from acme_flows.apex_types import AcmeShipping_Parcel

client = FlowClient("https://acme.my.salesforce.com", "token")
totals = acme_flows.calculate_invoice_totals(
    client, invoice={"Name": "INV-1"}, line_amounts=(Decimal("1.00"), Decimal("2"))
)  # a collection input takes any sequence: a tuple here
acme_flows.tag_contacts(client, contacts=[], tags=("VIP", "Renewal"))
subtotal: Decimal | None = totals.subtotal
rates: list[float] | None = totals.applied_rates
visit = acme_flows.schedule_site_visit(
    client, visit_date=datetime.date(2026, 1, 1), site_address="x", preferred_start=UNSET
)
start: datetime.datetime | None = visit.scheduled_start
many: list[FlowResult[acme_flows.UpdateOrderStatusOutput]] = acme_flows.update_order_status_many(
    client, [acme_flows.UpdateOrderStatusInput(order_id="1", new_status="Shipped")]
)
account: acme_flows.records.Account = {
    "Name": "Acme",
    "AnnualRevenue": Decimal("1200.50"),
    "Parent": {"Name": "Acme Holding"},
    "attributes": {"type": "Account"},
}
acme_flows.create_support_case(client, account=account, subject="Broken")
invoice = totals.updated_invoice
invoice_total: Decimal | int | None = invoice["Invoice_Total__c"] if invoice else None
related: acme_flows.records.Account | None = invoice.get("Account__r") if invoice else None
shipping = acme_flows.quote_shipping_rates(
    client,
    parcel=AcmeShipping_Parcel(weight_kg=Decimal("1.5"), contents=["books"]),
    destination="1 Main St",
)
best_price: Decimal | None = shipping.best_quote.price if shipping.best_quote else None
"""

MISUSE = """
import acme_flows
from acme_flows import FlowClient

client = FlowClient("https://acme.my.salesforce.com", "token")
acme_flows.create_support_case(client, account={}, subject=5)
acme_flows.create_support_case(client, subject="no account")
acme_flows.tag_contacts(client, contacts=[], tags=[1])
acme_flows.create_support_case(client, account={"Nmae": "Acme"}, subject="typo")
acme_flows.create_support_case(client, account={"AnnualRevenue": 1.5}, subject="float")
acme_flows.quote_shipping_rates(client, parcel={"weightKg": 1}, destination="x")
"""


def _mypy(*targets: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.10",
            *targets,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_generated_packages_pass_mypy_strict_and_catch_misuse(tmp_path: Path) -> None:
    # The example package, a package built from hostile metadata, and code using them.
    work = tmp_path / "work"
    work.mkdir()
    (work / "acme_flows").symlink_to(PACKAGE_DIR, target_is_directory=True)
    snap = read_snapshot(write_hostile_snapshot(tmp_path / "hostile"))
    hostile = plan.render_package(
        snap.flows, package="hostile_flows", api_version="62.0"
    )
    for relative, data in hostile.files.items():
        target = work / "hostile_flows" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (work / "usage.py").write_text(textwrap.dedent(USAGE))
    (work / "misuse.py").write_text(textwrap.dedent(MISUSE))

    good = _mypy("acme_flows", "hostile_flows", "usage.py", cwd=work)
    assert good.returncode == 0, good.stdout + good.stderr

    bad = _mypy("misuse.py", cwd=work)
    assert bad.returncode == 1, bad.stdout
    assert (
        'Argument "subject" to "create_support_case" has incompatible type "int"'
        in bad.stdout
    )
    assert 'Missing named argument "account"' in bad.stdout
    # A str is a Sequence[str] to a type checker: the runtime refuses it
    # (tests/runtime/test_codecs.py); a list of the wrong type is caught here.
    assert 'List item 0 has incompatible type "int"; expected "str"' in bad.stdout
    # Records are typed from the sObject describes in the snapshot.
    assert 'Extra key "Nmae" for TypedDict "Account"' in bad.stdout
    assert (
        '(expression has type "float", TypedDict item "AnnualRevenue" has type "Decimal | int | None")'
        in bad.stdout
    )
    # Apex-defined types are dataclasses: a dict of members is refused.
    assert (
        'Argument "parcel" to "quote_shipping_rates" has incompatible type'
        in bad.stdout
    )
