import json
from pathlib import Path

import pytest

from flowgen.errors import SourceError
from flowgen.sources.snapshot import read_snapshot
from tests.conftest import EXAMPLE_SNAPSHOT, describe, param, write_snapshot


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
