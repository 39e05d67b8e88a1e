"""Adding a flow or a parameter to the org never renames what was generated before.

Downstream apps commit the generated package and call it by name; a collision
suffix that counted (``_2``, ``_3``) would move when a colliding name arrives.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from flowgen.generate import naming
from tests.conftest import REPO


def _generate(snapshot: Path, out: Path) -> dict[str, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "flowgen", "generate", "--snapshot", str(snapshot)]
        + ["--out", str(out), "--package", "acme_flows", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _add_flow(snapshot: Path, copy_of: str, name: str) -> None:
    describe = json.loads((snapshot / "flows" / f"{copy_of}.json").read_text())
    describe["name"] = name
    (snapshot / "flows" / f"{name}.json").write_text(json.dumps(describe))


def _add_input(snapshot: Path, flow: str, name: str) -> None:
    path = snapshot / "flows" / f"{flow}.json"
    describe = json.loads(path.read_text())
    describe["inputs"].append(
        {**describe["inputs"][-1], "name": name, "required": False}
    )
    path.write_text(json.dumps(describe))


def test_a_colliding_flow_and_a_new_parameter_rename_nothing(
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(REPO / "examples" / "snapshot", snapshot)
    before = _generate(snapshot, tmp_path / "before")
    # The example org already has a collision: Update_Order_Status holds the
    # plain name, UpdateOrderStatus a suffix of its own.
    suffixed = f"update_order_status_{naming.collision_suffix('UpdateOrderStatus')}"
    assert f"flows/{suffixed}.py" in before
    assert (
        "account_name_1f56: str" in before["flows/merge_duplicate_accounts.py"].decode()
    )

    # A third spelling of the same flow name (Salesforce names are unique
    # regardless of case), and a new input beside Merge_Duplicate_Accounts'
    # colliding accountName / account_name.
    _add_flow(snapshot, "UpdateOrderStatus", "Update_OrderStatus")
    _add_input(snapshot, "Merge_Duplicate_Accounts", "accountNameSuffix")
    after = _generate(snapshot, tmp_path / "after")

    added = (
        f"flows/update_order_status_{naming.collision_suffix('Update_OrderStatus')}.py"
    )
    assert set(after) == set(before) | {added}
    changed = {path for path in before if before[path] != after[path]}
    # The package index and the fakes list the new flow; the flow with the
    # new input has it.
    assert changed == {
        "__init__.py",
        "testing.py",
        "flows/merge_duplicate_accounts.py",
    }
    merge = after["flows/merge_duplicate_accounts.py"].decode()
    for kept in ("account_name_1f56: str", "account_name: str", "master_account:"):
        assert kept in merge
    assert (
        "        text += ',\"accountNameSuffix\":'\n"
        "        text += _rt.boolean_json("
        'value.account_name_suffix, "account_name_suffix")\n' in merge
    )
    # Every name the package exported before is still exported.
    index_before = before["__init__.py"].decode()
    index_after = after["__init__.py"].decode()
    exported = [
        line.strip() for line in index_before.splitlines() if line.startswith('    "')
    ]
    assert all(line in index_after for line in exported)
