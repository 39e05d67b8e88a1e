"""``flowgen diff`` as a user runs it: snapshots on disk and in git, three formats."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import (
    describe,
    param,
    run_flowgen,
    write_actions_snapshot,
    write_snapshot,
)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _snapshot(
    directory: Path, *, required: bool = False, extra_flow: bool = True
) -> None:
    flows = [
        describe(
            "Create_Case",
            [param("subject", required=True), param("priority", required=required)],
            [param("caseId", "ID")],
        )
    ]
    if extra_flow:
        flows.append(describe("Close_Case", [param("caseId", "ID", required=True)]))
    write_snapshot(directory, flows)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's repository with its snapshot committed."""
    _snapshot(tmp_path / "sf" / "snapshot")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "sf/snapshot"\npackage = "acme_flows"\n'
    )
    git("init", "-q", "-b", "main", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-q", "-m", "first pull", cwd=tmp_path)
    return tmp_path


def test_no_arguments_compares_the_committed_snapshot_with_the_working_one(
    repo: Path,
) -> None:
    same = run_flowgen("diff", cwd=repo)
    assert (same.returncode, same.stdout) == (0, "no changes\n"), same.stderr

    # A pull that made an input required and removed a flow.
    _snapshot(repo / "sf" / "snapshot", required=True, extra_flow=False)
    (repo / "sf" / "snapshot" / "flows" / "Close_Case.json").unlink()
    changed = run_flowgen("diff", cwd=repo)
    assert changed.returncode == 1, changed.stderr
    assert changed.stdout.splitlines() == [
        "BREAKING  Close_Case: flow removed",
        "BREAKING  Create_Case: input priority became required",
        "2 breaking, 0 non-breaking changes",
    ]


def test_two_revisions_and_an_explicit_path(repo: Path) -> None:
    (repo / "sf" / "snapshot" / "flows" / "Close_Case.json").unlink()
    git("commit", "-q", "-am", "flow deleted", cwd=repo)
    result = run_flowgen(
        "diff", "git:HEAD~1", "git:HEAD:sf/snapshot", "--format", "json", cwd=repo
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == {"breaking": 1, "non-breaking": 0}
    assert [(c["kind"], c["flow"]) for c in report["changes"]] == [
        ("flow-removed", "Close_Case")
    ]
    back = run_flowgen("diff", "git:HEAD", "git:HEAD~1", cwd=repo)
    assert back.returncode == 0, back.stderr
    assert "NON-BREAKING  Close_Case: flow added" in back.stdout


def test_markdown_for_a_pull_request_comment(repo: Path) -> None:
    _snapshot(repo / "sf" / "snapshot", required=True)
    result = run_flowgen("diff", "--format", "markdown", cwd=repo)
    assert result.returncode == 1
    assert "### Breaking" in result.stdout
    assert "input `priority` became required" in result.stdout


def test_errors_exit_2_and_say_what_to_do(repo: Path, tmp_path: Path) -> None:
    unknown = run_flowgen("diff", "git:no-such-rev", cwd=repo)
    assert unknown.returncode == 2
    assert "git:no-such-rev" in unknown.stderr and "no-such-rev" in unknown.stderr
    assert unknown.stdout == ""

    missing = run_flowgen("diff", "git:HEAD", str(tmp_path / "nowhere"), cwd=repo)
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr

    # A broken flow file would otherwise read as a removed flow.
    (repo / "sf" / "snapshot" / "flows" / "Close_Case.json").write_text("{not json")
    broken = run_flowgen("diff", cwd=repo)
    assert broken.returncode == 2
    assert "Close_Case.json" in broken.stderr and "cannot compare" in broken.stderr


def test_outside_a_git_repository(tmp_path: Path) -> None:
    _snapshot(tmp_path / "old")
    _snapshot(tmp_path / "new", required=True)
    plain = run_flowgen("diff", "old", "new", cwd=tmp_path)
    assert plain.returncode == 1
    assert "became required" in plain.stdout
    no_git = run_flowgen("diff", "git:HEAD:old", "new", cwd=tmp_path)
    assert no_git.returncode == 2
    assert "not inside a git repository" in no_git.stderr


def test_a_removed_apex_invocable_variable_breaks(tmp_path: Path) -> None:
    # Other kinds of action are compared as flows are, once the setting
    # selects them; an Apex action and a flow of one name stay apart.
    for side in ("old", "new"):
        write_actions_snapshot(tmp_path / side)
    edited = tmp_path / "new" / "actions" / "apex" / "Create311Case.json"
    body = json.loads(edited.read_text())
    body["inputs"] = [p for p in body["inputs"] if p["name"] != "visits"]
    edited.write_text(json.dumps(body))
    (tmp_path / "new" / "actions" / "prompt" / "Summarize_Case.json").unlink()

    done = run_flowgen("diff", "old", "new", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # flows alone: nothing changed
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nactions = ["flow", "apex", "prompt"]\n'
    )
    done = run_flowgen("diff", "old", "new", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = {
        (c["flow"], c["kind"], c["param"], c["detail"])
        for c in json.loads(done.stdout)["changes"]
    }
    assert found == {
        ("apex/Create311Case", "input-removed", "visits", "removed"),
        ("prompt/Summarize_Case", "flow-removed", None, "prompt template removed"),
    }
    text = run_flowgen("diff", "old", "new", cwd=tmp_path).stdout
    assert "apex/Create311Case" in text and "visits" in text
