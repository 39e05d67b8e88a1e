import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowgen.errors import SourceError
from flowgen.sources.snapshot import read_snapshot
from flowgen.sources.snapshot_write import foreign_files
from flowgen.sources.snapshot_write import write_snapshot as write_snapshot_dir
from flowgen.testing import FakeOrg
from tests.conftest import (
    EXAMPLE_SNAPSHOT,
    describe,
    param,
    run_flowgen,
    write_snapshot,
)


def test_minimal_manifest_and_raw_describes_are_enough(tmp_path: Path) -> None:
    root = write_snapshot(tmp_path, [describe("B", [param("x")]), describe("A")])
    snap = read_snapshot(root)
    assert snap.api_version == "62.0"
    assert [spec.api_name for spec in snap.flows] == ["A", "B"]
    assert snap.flows[0].process_type is None


def test_process_type_comes_from_the_manifest(tmp_path: Path) -> None:
    root = write_snapshot(tmp_path, [describe("S")], process_types={"S": "Flow"})
    assert read_snapshot(root).flows[0].process_type == "Flow"


def test_a_malformed_file_is_skipped_with_a_reason_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    root = write_snapshot(
        tmp_path,
        [describe("Good")],
        raw_files={
            "Broken.json": b'{"name": "Broken", ',
            "Latin1.json": b'{"name": "\xe9"}',
            "List.json": b"[]",
        },
    )
    snap = read_snapshot(root)
    assert [spec.api_name for spec in snap.flows] == ["Good"]
    reasons = {Path(path).name: reason for path, reason in snap.skipped.items()}
    assert reasons["Broken.json"].startswith("not valid JSON")
    assert "not UTF-8" in reasons["Latin1.json"]
    assert "expected a JSON object" in reasons["List.json"]


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (None, "missing"),
        (b"{nope", "not valid JSON"),
        (json.dumps({"format": 2, "api_version": "62.0"}).encode(), "format 2"),
        (json.dumps({"format": 1}).encode(), "'api_version'"),
        (json.dumps({"format": 1, "api_version": 62}).encode(), "'api_version'"),
    ],
)
def test_a_bad_manifest_is_fatal_and_says_why(
    tmp_path: Path, manifest: bytes | None, problem: str
) -> None:
    (tmp_path / "flows").mkdir()
    if manifest is not None:
        (tmp_path / "flowgen-snapshot.json").write_bytes(manifest)
    with pytest.raises(SourceError) as info:
        read_snapshot(tmp_path)
    assert problem in str(info.value)
    assert "flowgen-snapshot.json" in str(info.value)


def test_missing_directory_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_snapshot(tmp_path / "absent")
    assert str(info.value) == (
        f"{tmp_path / 'absent'}: no such snapshot directory; run flowgen pull to "
        "write it (or, to generate from an SFDX project instead, set project in "
        "[tool.flowgen])"
    )


def test_the_example_org_reads_cleanly() -> None:
    snap = read_snapshot(EXAMPLE_SNAPSHOT)
    assert snap.skipped == {}
    assert snap.warnings == ()
    assert 12 <= len(snap.flows) <= 20
    assert any(spec.namespace == "acme" for spec in snap.flows)


# --- writing: a user's files, and what a killed pull left ---------------------


def _pulled(tmp_path: Path, org: FakeOrg) -> Path:
    done = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return tmp_path / "snap"


TOKEN = "00Dsnapshot!token"


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    fake = FakeOrg(access_token=TOKEN)
    fake.add_flow(describe("Create_Case", inputs=[param("subject")]))
    with fake:
        yield fake


@pytest.mark.parametrize("user_file", ["README.md", "flows/notes.txt", "extra/x.json"])
def test_a_pull_refuses_a_snapshot_holding_a_users_file(
    tmp_path: Path, org: FakeOrg, user_file: str
) -> None:
    snap = _pulled(tmp_path, org)
    (snap / user_file).parent.mkdir(exist_ok=True)
    (snap / user_file).write_text("mine\n")
    org.add_flow(describe("Brand_New"))
    before = {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()}
    refused = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert user_file in refused.stderr and "did not write" in refused.stderr
    assert {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_check_org_refuses_a_users_file_as_pull_does(
    tmp_path: Path, org: FakeOrg
) -> None:
    snap = _pulled(tmp_path, org)
    (snap / "README.md").write_text("mine\n")
    checked = run_flowgen(
        "check", "--snapshot", "snap", "--out", "pkg", "--package", "pkg", "--org",
        "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert checked.returncode == 2 and "README.md" in checked.stderr


def test_write_snapshot_owns_only_its_files(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    write_snapshot_dir(
        root,
        manifest={"format": 1, "api_version": "62.0"},
        changed={"A": b"{}\n"},
        sobjects={"Account": b"{}\n"},
    )
    assert foreign_files(root) == []
    (root / "notes.md").write_text("mine\n")
    (root / "sobjects" / "Account.txt").write_text("mine\n")
    (root / "flows" / "deeper").mkdir()
    (root / "flows" / "deeper" / "B.json").write_text("{}")
    assert foreign_files(root) == [
        "flows/deeper/B.json", "notes.md", "sobjects/Account.txt"
    ]  # fmt: skip
    with pytest.raises(SourceError, match="notes.md"):
        write_snapshot_dir(
            root, manifest={"format": 1, "api_version": "62.0"}, changed={}
        )
    assert (root / "flows" / "A.json").read_bytes() == b"{}\n"


def test_a_later_pull_removes_a_killed_pulls_leftovers(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    dead = 2**22 + 1
    for name in (f".snap.new-{dead}-00112233aabb", f".snap.old-{dead}-00112233aabb"):
        (tmp_path / name / "flows").mkdir(parents=True)
    (tmp_path / ".snap.old-notmine").mkdir()
    write_snapshot_dir(root, manifest={"format": 1, "api_version": "62.0"}, changed={})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snap.old-notmine", "snap"]
