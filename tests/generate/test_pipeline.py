"""Generation over many flow files: bad files left out, names decided from all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import describe, param, write_snapshot

FLOWS = 150


def _snapshot(root: Path) -> Path:
    describes = [
        describe(
            f"Flow_{n:03d}",
            [
                param("recordId", "ID", required=True),
                # Invoice__c is only in the last flow: names are decided from all.
                param(
                    "account",
                    "SOBJECT",
                    sobjectType="Invoice__c" if n == FLOWS - 1 else "Account",
                ),
                param("quote", None, apexClass="Shipping$Quote"),
            ],
            [param("total", "CURRENCY"), param("mystery", "GEOLOCATION")],
            description=f"Flow number {n}.",
        )
        for n in range(FLOWS)
    ]
    describes.append(describe("Screen_Flow"))
    # Same flow as Flow_000 under another file name: a later file loses.
    describes_again = json.dumps(describe("Flow_000")).encode()
    return write_snapshot(
        root,
        describes,
        process_types={"Screen_Flow": "Flow"},
        raw_files={"broken.json": b"{not json", "zzz_Flow_000.json": describes_again},
    )


def _generate(snapshot: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowgen", "generate", "--snapshot", str(snapshot),
         "--out", str(out), "--package", "many_flows"],
        capture_output=True, text=True, check=False, cwd=snapshot.parent,
    )  # fmt: skip


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_broken_file_stops_the_run_and_a_duplicate_is_left_out(
    tmp_path: Path,
) -> None:
    snapshot = _snapshot(tmp_path / "snapshot")
    broken = _generate(snapshot, tmp_path / "out1")
    assert broken.returncode == 1
    assert "broken.json: not valid JSON" in broken.stderr
    assert "zzz_Flow_000.json: describes flow 'Flow_000' again" in broken.stderr
    assert "nothing written; " in broken.stderr
    assert not (tmp_path / "out1").exists()

    (snapshot / "flows" / "broken.json").unlink()
    one = _generate(snapshot, tmp_path / "out1")
    assert one.returncode == 1  # the duplicate was left out, Flow_000 generated
    assert (
        "zzz_Flow_000.json: describes flow 'Flow_000' again; that file was left out"
        in one.stderr
    )
    assert "'GEOLOCATION'" in one.stderr and "skipped flow Screen_Flow" in one.stderr
    tree = _tree(tmp_path / "out1")
    assert len([p for p in tree if p.startswith("flows/flow_")]) == FLOWS
    assert b"\nInvoice__c: _typing.TypeAlias" in tree["records.py"]
    assert b"_records.Invoice__c" in tree[f"flows/flow_{FLOWS - 1:03d}.py"]


def test_the_described_types_read_come_back_with_their_digests(tmp_path: Path) -> None:
    # The run's record takes them from here rather than reading a large
    # org's describes a second time.
    import hashlib
    import shutil

    from flowgen.generate import pipeline
    from flowgen.sources.snapshot import open_snapshot
    from tests.conftest import EXAMPLE_SNAPSHOT

    snapshot = tmp_path / "snapshot"
    shutil.copytree(EXAMPLE_SNAPSHOT, snapshot)
    index = open_snapshot(snapshot)
    generated = pipeline.generate(index, package="acme", emit=lambda path, data: path)
    described = sorted((snapshot / "sobjects").glob("*.json"))
    assert [p.stem for p in described] == ["Account", "Case", "Invoice__c"]
    for path in described:
        assert (
            generated.file_digests[str(path)]
            == hashlib.sha256(path.read_bytes()).digest()
        )
        stat = path.stat()
        assert generated.file_stamps[str(path)] == (stat.st_size, stat.st_mtime_ns)
    # Only the package's files are results.
    assert "records.py" in generated.results and all(
        isinstance(result, str) for result in generated.results
    )
