"""Other kinds of invocable action: Apex actions, prompt templates, standard actions.

Generated from ``actions/<kind>/`` folders of a snapshot when the ``actions``
setting selects them: one subpackage per kind, the flow module's shape, and
nothing about the flows' own files changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgen.model import ActionKind, ActionSelection
from flowgen.sources.snapshot import open_snapshot
from tests.conftest import GENERATED_EXAMPLE, run_flowgen, write_actions_snapshot

ALL_KINDS = "flow,apex,prompt,standard:emailSimple"


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _generate(tmp_path: Path, *flags: str) -> dict[str, bytes]:
    snapshot = write_actions_snapshot(tmp_path / "snapshot")
    out = tmp_path / "out" / "acme_flows"
    done = run_flowgen(
        "generate", "--snapshot", str(snapshot), "--out", str(out),
        "--package", "acme_flows", *flags, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return _files(out)


def test_without_the_setting_the_package_is_the_flows_alone(tmp_path: Path) -> None:
    # The snapshot holds other kinds of action; unselected, they change nothing.
    assert _generate(tmp_path) == _files(GENERATED_EXAMPLE / "acme_flows")


def test_each_kind_gets_a_subpackage_and_the_flows_stay_as_they_were(
    tmp_path: Path,
) -> None:
    files = _generate(tmp_path, "--actions", ALL_KINDS)
    golden = _files(GENERATED_EXAMPLE / "acme_flows")
    # testing.py types the fakes of every action; the rest is as it was.
    fakes = files.pop("testing.py").decode()
    assert "Create311CaseOutput as _apex_Create311CaseOutput" in fakes
    assert {path: files[path] for path in golden if path != "testing.py"} == {
        path: data for path, data in golden.items() if path != "testing.py"
    }
    golden.pop("testing.py")
    added = sorted(set(files) - set(golden))
    assert added == [
        "apex/__init__.py",
        "apex/create311_case.py",
        "apex/create_support_case.py",  # beside the flow of the same name
        "prompts/__init__.py",
        "prompts/summarize_case.py",
        "standard/__init__.py",
        "standard/email_simple.py",  # not chatterPost: only those named
    ]
    apex = files["apex/create_support_case.py"].decode()
    assert 'path="custom/apex",' in apex
    assert "interview_status" not in apex  # only flows run as interviews
    assert 'path="standard",' in files["standard/email_simple.py"].decode()
    prompt = files["prompts/summarize_case.py"].decode()
    assert 'path="custom/generatePromptResponse",' in prompt
    # A wire name that is no identifier gets one; the wire name stays data.
    assert "    input_query: str\n" in prompt
    assert "text += ',\"Input:Query\":'\n" in prompt


def test_a_kind_alone_leaves_the_flows_out(tmp_path: Path) -> None:
    files = _generate(tmp_path, "--actions", "apex")
    assert not [
        path
        for path in files
        if path.startswith("flows/") and path != "flows/__init__.py"
    ]
    assert "apex/create311_case.py" in files


def test_bad_actions_entries_are_refused_with_what_is_allowed(tmp_path: Path) -> None:
    snapshot = write_actions_snapshot(tmp_path / "snapshot")
    done = run_flowgen(
        "generate", "--snapshot", str(snapshot), "--actions", "flow,standard",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert (
        "--actions: actions entry 'standard' is none of 'flow', 'apex'" in done.stderr
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snapshot"\nactions = ["flows"]\n'
    )
    done = run_flowgen("generate", cwd=tmp_path)
    assert done.returncode == 2
    assert "actions is not valid: actions entry 'flows' is none of" in done.stderr


def test_the_setting_selects_kinds_and_changing_it_regenerates(tmp_path: Path) -> None:
    write_actions_snapshot(tmp_path / "snapshot")
    settings = '[tool.flowgen]\nsnapshot = "snapshot"\npackage = "acme_flows"\n'
    (tmp_path / "pyproject.toml").write_text(settings + 'actions = ["flow"]\n')
    assert run_flowgen("generate", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "acme_flows" / "apex").exists()
    (tmp_path / "pyproject.toml").write_text(settings + 'actions = ["flow", "apex"]\n')
    done = run_flowgen("generate", cwd=tmp_path)
    assert done.returncode == 0 and "up to date" not in done.stderr, done.stderr
    assert "2 other action(s)" in done.stderr
    assert (tmp_path / "acme_flows" / "apex" / "create311_case.py").is_file()


@pytest.mark.parametrize(
    ("entries", "kinds", "standard"),
    [
        (["flow"], {ActionKind.FLOW}, ()),
        (["apex", "prompt"], {ActionKind.APEX, ActionKind.PROMPT}, ()),
        (["standard:b", "standard:a"], {ActionKind.STANDARD}, ("a", "b")),
    ],
)
def test_the_selection_reads_the_setting(
    entries: list[str], kinds: set[ActionKind], standard: tuple[str, ...]
) -> None:
    selection = ActionSelection.parse(entries)
    assert selection.kinds == kinds
    assert selection.standard_names == standard


def test_the_snapshot_lists_the_selected_kinds_files(tmp_path: Path) -> None:
    snapshot = write_actions_snapshot(tmp_path / "snapshot")
    chosen = ActionSelection.parse(["prompt", "standard:chatterPost"])
    index = open_snapshot(snapshot, actions=chosen)
    assert index.flow_files == (
        "prompt/Summarize_Case.json",
        "standard/chatterPost.json",
    )
    spec = index.read_flow("prompt/Summarize_Case.json").spec
    assert spec is not None and spec.kind is ActionKind.PROMPT
    assert [p.name for p in spec.inputs] == ["Input:Case", "Input:Query"]
    body = json.loads((snapshot / "actions/prompt/Summarize_Case.json").read_text())
    assert body["name"] == spec.api_name


def test_an_sfdx_project_gives_flows_only_and_says_so(tmp_path: Path) -> None:
    from tests.sources.test_sfdx import FLOW_XML, _project

    root = _project(
        tmp_path / "proj",
        {"force-app/main/default/flows/Book_Visit.flow-meta.xml": FLOW_XML},
        {"packageDirectories": [{"path": "force-app"}]},
    )
    done = run_flowgen(
        "generate", "--project", str(root), "--out", str(tmp_path / "pkg"),
        "--package", "pkg", "--actions", "flow,apex", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: actions apex: an SFDX project gives flows only" in done.stderr
    assert (tmp_path / "pkg" / "flows" / "book_visit.py").is_file()
    assert not (tmp_path / "pkg" / "apex").exists()
