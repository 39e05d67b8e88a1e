"""The flowgen command as a user runs it: a whole process, exit codes, files on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from flowgen.cli import main as cli_main
from flowgen.output import write as output
from tests.conftest import REPO, describe, param, run_flowgen, write_snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's repository: a snapshot and [tool.flowgen] pointing at it."""
    write_snapshot(
        tmp_path / "snapshot",
        [
            describe(
                "Create_Case",
                [param("subject", required=True)],
                [param("caseId", "ID")],
            ),
            describe("Screen"),
        ],
        process_types={"Screen": "Flow"},
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snapshot"\nout = "src/acme_flows"\npackage = "acme_flows"\n'
    )
    return tmp_path


def _stamps(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(directory)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_generate_from_settings_then_nothing_changes_on_a_rerun(project: Path) -> None:
    first = run_flowgen("generate", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "skipped flow Screen" in first.stderr
    package = project / "src" / "acme_flows"
    assert (package / "flows" / "create_case.py").is_file()
    assert not (package / "flows" / "screen.py").exists()
    before = _stamps(package)

    second = run_flowgen("generate", cwd=project)
    assert second.returncode == 0
    assert "skipped flow Screen" in second.stderr  # warnings are repeated, not lost
    assert _stamps(package) == before  # same inodes, same times: nothing rewritten


def test_only_changed_files_are_rewritten_and_hand_edits_are_undone(
    project: Path,
) -> None:
    assert run_flowgen("generate", cwd=project).returncode == 0
    package = project / "src" / "acme_flows"
    edited = package / "flows" / "create_case.py"
    pristine = edited.read_bytes()
    edited.write_bytes(pristine + b"# hand edit\n")
    before = _stamps(package)

    done = run_flowgen("generate", cwd=project)
    assert done.returncode == 0
    assert "1 written" in done.stderr
    assert edited.read_bytes() == pristine
    after = _stamps(package)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {"flows/create_case.py"}


def test_check_exit_codes_and_diff(project: Path) -> None:
    assert run_flowgen("check", cwd=project).returncode == 1  # nothing generated yet
    assert run_flowgen("generate", cwd=project).returncode == 0
    clean = run_flowgen("check", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    module = project / "src" / "acme_flows" / "flows" / "create_case.py"
    module.write_text(
        module.read_text().replace("def create_case(", "def create_kase(")
    )
    stale = run_flowgen("check", cwd=project)
    assert stale.returncode == 1
    assert "-def create_kase(" in stale.stdout and "+def create_case(" in stale.stdout
    assert "run flowgen generate" in stale.stderr

    broken = run_flowgen("check", "--snapshot", "missing", cwd=project)
    assert broken.returncode == 2 and "no such snapshot directory" in broken.stderr


def test_a_broken_flow_file_writes_nothing_and_keeps_its_module(
    project: Path,
) -> None:
    write_snapshot(
        project / "snapshot", [describe("Close_Case", [param("caseId", "ID")])]
    )
    (project / "snapshot" / "flowgen-snapshot.json").write_text(
        '{"format": 1, "api_version": "62.0", "flows": {"Screen": '
        '{"process_type": "Flow"}}}'
    )
    assert run_flowgen("generate", cwd=project).returncode == 0
    package = project / "src" / "acme_flows"
    before = {path: (package / path).read_bytes() for path in _stamps(package)}
    assert "flows/close_case.py" in before
    assert b"close_case" in before["__init__.py"] + before["__init__.pyi"]
    broken = project / "snapshot" / "flows" / "Close_Case.json"
    text = broken.read_text()
    broken.write_text(text[: len(text) // 2])  # as a merge conflict leaves it

    done = run_flowgen("generate", cwd=project)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    shown = str(Path("snapshot", "flows", "Close_Case.json"))
    assert f"{shown}: not valid JSON" in done.stderr and "error: " in done.stderr
    assert "nothing written; " in done.stderr and "is as it was" in done.stderr
    assert {path: (package / path).read_bytes() for path in _stamps(package)} == before
    again = run_flowgen("generate", cwd=project)  # never taken for up to date
    assert again.returncode == 1 and "Close_Case.json" in again.stderr

    checked = run_flowgen("check", cwd=project)
    assert checked.returncode == 2 and "Close_Case.json: not valid JSON" in (
        checked.stderr
    )
    assert "cannot check" in checked.stderr and not checked.stdout

    for args in (("list",), ("list", "--snapshot", "snapshot")):
        listed = run_flowgen(*args, cwd=project)
        assert listed.returncode == 2, listed.stderr
        assert "Create_Case" in listed.stdout and "Close_Case" not in listed.stdout
        assert "Close_Case.json: not valid JSON" in listed.stderr
    missing = run_flowgen("describe", "Close_Case", cwd=project)
    assert missing.returncode == 2 and "Close_Case.json: not valid JSON" in (
        missing.stderr
    )
    assert "no flow named" not in missing.stderr
    other = run_flowgen(
        "describe", "Create_Case", "--snapshot", "snapshot", cwd=project
    )
    assert other.returncode == 2 and "def create_case(" in other.stdout
    assert "Close_Case.json" in other.stderr

    broken.write_text(text)  # the conflict resolved: as it was, nothing to do
    fixed = run_flowgen("generate", cwd=project)
    assert fixed.returncode == 0, fixed.stderr
    assert {path: (package / path).read_bytes() for path in _stamps(package)} == before


def test_a_fatal_error_leaves_the_previous_package_untouched(project: Path) -> None:
    assert run_flowgen("generate", cwd=project).returncode == 0
    package = project / "src" / "acme_flows"
    before = {path: (package / path).read_bytes() for path in _stamps(package)}
    (project / "snapshot" / "flowgen-snapshot.json").write_text(
        '{"format": 99, "api_version": "62.0"}'
    )
    failed = run_flowgen("generate", cwd=project)
    assert failed.returncode == 2
    assert "format 99" in failed.stderr and "Traceback" not in failed.stderr
    assert {path: (package / path).read_bytes() for path in _stamps(package)} == before


def test_a_failure_while_writing_leaves_the_previous_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg"
    output.write_package(
        {
            "__init__.py": b"# Generated by flowgen\n",
            "a.py": b"# Generated by flowgen\nold\n",
        },
        out,
    )

    def broken_swap(staging: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output.atomic, "replace_directory", broken_swap)
    with pytest.raises(OSError):
        output.write_package(
            {"__init__.py": b"# Generated by flowgen\n", "a.py": b"new\n"}, out
        )
    assert (out / "a.py").read_bytes() == b"# Generated by flowgen\nold\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pkg"
    ]  # no staging left behind


def test_refuses_to_replace_a_directory_it_did_not_write(project: Path) -> None:
    src = project / "src" / "acme_flows"
    src.mkdir(parents=True)
    (src / "important.py").write_text("keep me\n")
    refused = run_flowgen("generate", cwd=project)
    assert refused.returncode == 2
    assert "not generated by flowgen" in refused.stderr
    assert (src / "important.py").read_text() == "keep me\n"


def test_flags_override_settings_and_bad_settings_are_named(project: Path) -> None:
    done = run_flowgen(
        "generate", "--out", "elsewhere/pkg", "--package", "pkg", cwd=project
    )
    assert done.returncode == 0, done.stderr
    assert (project / "elsewhere" / "pkg" / "flows" / "create_case.py").is_file()

    bad_name = run_flowgen("generate", "--package", "class", cwd=project)
    assert (
        bad_name.returncode == 2 and "not a valid Python import name" in bad_name.stderr
    )

    (project / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snapshot"\nsnapshoot = "x"\n'
    )
    unknown = run_flowgen("generate", cwd=project)
    assert unknown.returncode == 2 and "snapshoot" in unknown.stderr


def test_no_snapshot_configured(tmp_path: Path) -> None:
    done = run_flowgen("generate", cwd=tmp_path)
    assert done.returncode == 2 and "--snapshot" in done.stderr


def test_generate_right_after_init_says_to_pull_first(tmp_path: Path) -> None:
    assert run_flowgen("init", cwd=tmp_path).returncode == 0
    done = run_flowgen("generate", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        f"flowgen: error: {tmp_path / 'flowgen-snapshot'}: no such snapshot "
        "directory; run flowgen pull to write it (or, to generate from an SFDX "
        "project instead, set project in [tool.flowgen])\n",
    )


def test_help_explains_the_commands() -> None:
    top = run_flowgen("--help", cwd=REPO)
    assert top.returncode == 0 and "generate" in top.stdout and "check" in top.stdout
    sub = run_flowgen("generate", "--help", cwd=REPO)
    assert "--snapshot" in sub.stdout and "Exit status" in sub.stdout


def test_flowgen_check_passes_in_this_repo_with_no_arguments(tmp_path: Path) -> None:
    # `flowgen check` in the repo itself: the README's main job, offline.
    done = run_flowgen("check", cwd=REPO)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert os.path.isdir(REPO / "generated_example" / "acme_flows")


def test_a_changed_snapshot_is_never_answered_from_the_last_run(project: Path) -> None:
    assert run_flowgen("generate", cwd=project).returncode == 0
    module = project / "src" / "acme_flows" / "flows" / "create_case.py"
    assert "priority" not in module.read_text()
    write_snapshot(
        project / "snapshot",
        [
            describe(
                "Create_Case",
                [param("subject", required=True), param("priority", "PICKLIST")],
            )
        ],
    )
    done = run_flowgen("generate", cwd=project)
    assert done.returncode == 0 and "up to date" not in done.stderr
    assert "priority: str | None | _rt.Unset = _rt.UNSET" in module.read_text()


def test_an_sfdx_project_is_a_source_from_settings_or_flags(tmp_path: Path) -> None:
    flows = tmp_path / "force-app" / "main" / "default" / "flows"
    flows.mkdir(parents=True)
    (flows / "Ping.flow-meta.xml").write_text(
        '<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>Ping</label>'
        "<processType>AutoLaunchedFlow</processType><variables><name>note</name>"
        "<dataType>String</dataType><isInput>true</isInput></variables></Flow>"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nproject = "."\nout = "pkg/pings"\npackage = "pings"\n'
    )
    first = run_flowgen("generate", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "pkg" / "pings" / "flows" / "ping.py").is_file()
    again = run_flowgen("generate", cwd=tmp_path)
    assert "is up to date" in again.stderr  # the project's files are the inputs
    (flows / "Ping.flow-meta.xml").write_text(
        (flows / "Ping.flow-meta.xml").read_text().replace("note", "memo")
    )
    changed = run_flowgen("generate", cwd=tmp_path)
    assert "1 written" in changed.stderr
    assert run_flowgen("check", cwd=tmp_path).returncode == 0
    both = run_flowgen("generate", "--snapshot", "s", "--project", ".", cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr


def test_generate_loads_no_http_or_schema_tooling_it_does_not_need(
    tmp_path: Path,
) -> None:
    # Each costs a cold run a tenth of a second or more: generate from a
    # snapshot (whose types are cached or absent) must not import them.
    probe = (
        "import sys\n"
        "from flowgen import cli\n"
        "try:\n"
        "    cli.main(['generate', '--snapshot', sys.argv[1], '--out', sys.argv[2],"
        " '--package', 'acme_flows', '-q'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('httpx', 'asyncio', 'black', 'datamodel_code_generator')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for out in ("first", "second"):  # the second run finds records.py kept
        done = subprocess.run(
            [sys.executable, "-c", probe, str(REPO / "examples" / "snapshot"),
             str(tmp_path / out / "acme_flows")],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize(
    "reading", [click.Group, click.Command], ids=["group", "command"]
)
def test_an_interrupt_while_the_command_line_is_read_ends_quietly(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reading: type[click.Command],
) -> None:
    # A signal that lands while click parses the group's or the command's
    # arguments, before any command began: the same quiet line as later,
    # saying nothing was written, not click's "Aborted!".
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reading, "parse_args", interrupted)
    with pytest.raises(SystemExit) as stopped:
        cli_main.main(["list"], prog_name="flowgen")
    assert stopped.value.code == 130
    said = capsys.readouterr().err
    assert "Aborted" not in said
    assert said == "flowgen: interrupted (SIGINT): nothing was written\n", said
