"""``flowgen list`` and ``describe`` for the org's other kinds of action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flowgen.testing import FakeOrg
from tests.conftest import run_flowgen, write_actions_snapshot

KINDS = "flow,apex,prompt,standard:emailSimple"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_actions_snapshot(tmp_path_factory.mktemp("s") / "snapshot")


@pytest.fixture(scope="module")
def org(snapshot: Path) -> Iterator[FakeOrg]:
    with FakeOrg(snapshot) as fake:
        yield fake


def _names(listing: str) -> list[str]:
    return [line.split()[0] for line in listing.splitlines()[1:]]


def test_list_names_each_kind_from_the_snapshot_and_the_org(
    snapshot: Path, org: FakeOrg, tmp_path: Path
) -> None:
    from_snapshot = run_flowgen(
        "list", "--snapshot", str(snapshot), "--actions", KINDS, cwd=tmp_path
    )
    assert from_snapshot.returncode == 0, from_snapshot.stderr
    names = _names(from_snapshot.stdout)
    for key in (
        "apex/Create311Case",
        "apex/Create_Support_Case",
        "Create_Support_Case",  # the flow of the same name
        "prompt/Summarize_Case",
        "standard/emailSimple",
    ):
        assert key in names
    assert "standard/chatterPost" not in names
    login = {"SF_ACCESS_TOKEN": org.access_token}
    from_org = run_flowgen(
        "list", "--instance-url", org.instance_url, "--actions", KINDS,
        cwd=tmp_path, env=login,
    )  # fmt: skip
    assert from_org.returncode == 0, from_org.stderr
    assert _names(from_org.stdout) == names
    flows_only = run_flowgen("list", "--snapshot", str(snapshot), cwd=tmp_path)
    assert not [name for name in _names(flows_only.stdout) if "/" in name]


def test_describe_shows_another_kinds_function(
    snapshot: Path, org: FakeOrg, tmp_path: Path
) -> None:
    done = run_flowgen(
        "describe", "prompt/Summarize_Case", "--snapshot", str(snapshot),
        "--actions", KINDS, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "def summarize_case(" in done.stdout
    assert "    input_query: str," in done.stdout
    assert "class SummarizeCaseOutput:" in done.stdout
    login = {"SF_ACCESS_TOKEN": org.access_token}
    from_org = run_flowgen(
        "describe", "apex/create311case", "--instance-url", org.instance_url,
        "--actions", "apex", cwd=tmp_path, env=login,
    )  # fmt: skip
    assert from_org.returncode == 0, from_org.stderr
    assert "def create311_case(" in from_org.stdout
    missing = run_flowgen(
        "describe", "apex/Nope", "--snapshot", str(snapshot), "--actions", KINDS,
        cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no flow named 'apex/Nope'" in missing.stderr
    assert "<kind>/<Name>" in missing.stderr
