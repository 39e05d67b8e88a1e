"""`flowgen init`: the [tool.flowgen] section it writes, appends or refuses to write."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flowgen import cli, config
from flowgen.config import tomllib
from tests.conftest import EXAMPLE_SNAPSHOT, run_flowgen

EXISTING = (
    b"[project]\n"
    b'name = "app"  # a comment, kept\n'
    b"\n"
    b"[tool.black]\n"
    b"line-length = 100\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def init(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["init", *args])


def settings_of(directory: Path) -> dict[str, object]:
    table, _ = config.load_table(directory)  # also validates every setting
    return dict(table)


def test_creates_pyproject_with_every_setting_described(here: Path) -> None:
    done = init()
    assert done.exit_code == 0, done.output
    assert settings_of(here) == {
        "snapshot": "flowgen-snapshot",
        "package": "salesforce_flows",
        "out": "salesforce_flows",
    }
    lines = (here / "pyproject.toml").read_text().splitlines()
    assert lines[0] == "[tool.flowgen]"
    for key, setting in config.SETTINGS.items():
        (index,) = [
            i for i, line in enumerate(lines) if re.match(rf"(# )?{key} = ", line)
        ]
        assert (
            lines[index - 1].startswith("# ") and setting.help[1:] in lines[index - 1]
        )
        if key not in ("snapshot", "package", "out"):
            assert lines[index] == f"# {key} = {setting.example}"


def test_prints_the_section_and_the_next_steps(here: Path) -> None:
    done = init()
    assert (
        "[tool.flowgen]" in done.output
        and 'snapshot = "flowgen-snapshot"' in done.output
    )
    steps = done.output[done.output.index("Next:") :]
    for step in ("flowgen pull", "flowgen generate", "git add", "flowgen check"):
        assert step in steps
    assert steps.index("flowgen pull") < steps.index("flowgen generate")


def test_the_commented_examples_are_valid_settings(here: Path) -> None:
    assert init().exit_code == 0
    path = here / "pyproject.toml"
    text = path.read_text()
    path.write_text(re.sub(r"^# (\w+ = )", r"\1", text, flags=re.MULTILINE))
    assert set(settings_of(here)) == set(config.SETTINGS)


@pytest.mark.parametrize(
    "existing",
    [
        EXISTING,
        EXISTING.rstrip(b"\n"),  # no newline at the end
        EXISTING.replace(b"\n", b"\r\n"),
        '[project]\nname = "flöws"\n'.encode(),
    ],
)
def test_appends_leaving_the_existing_bytes_as_they_are(
    here: Path, existing: bytes
) -> None:
    (here / "pyproject.toml").write_bytes(existing)
    done = init("--package", "acme_flows")
    assert done.exit_code == 0, done.output
    assert "appended" in done.output
    data = (here / "pyproject.toml").read_bytes()
    assert data.startswith(existing) and len(data) > len(existing)
    parsed = tomllib.loads(data.decode("utf-8"))
    assert parsed["project"]["name"] in ("app", "flöws")
    assert parsed["tool"]["flowgen"]["package"] == "acme_flows"
    if b"\r\n" in existing:
        assert b"\n" not in data.replace(b"\r\n", b"")  # one kind of line ending


@pytest.mark.parametrize(
    "existing",
    [
        '[tool.flowgen]\nsnapshot = "snap"\n',
        "[tool.flowgen]\n",
        '[tool]\nflowgen = { snapshot = "snap" }\n',
        'tool.flowgen.snapshot = "snap"\n',
    ],
)
def test_refuses_when_the_table_is_there(here: Path, existing: str) -> None:
    (here / "pyproject.toml").write_text(existing)
    done = init()
    assert done.exit_code == 2
    assert "already has a [tool.flowgen] table; nothing written" in done.output
    assert (here / "pyproject.toml").read_text() == existing


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ("[project\n", "not valid TOML"),
        ("tool = { black = { line-length = 100 } }\n", "cannot be appended"),
    ],
)
def test_refuses_a_file_it_cannot_append_to(
    here: Path, existing: str, message: str
) -> None:
    (here / "pyproject.toml").write_text(existing)
    done = init()
    assert done.exit_code == 2 and message in done.output
    assert (here / "pyproject.toml").read_text() == existing


def test_an_sfdx_project_here_is_the_source(here: Path) -> None:
    (here / "sfdx-project.json").write_text('{"packageDirectories": []}')
    done = init()
    assert done.exit_code == 0, done.output
    assert settings_of(here) == {
        "project": ".",
        "package": "salesforce_flows",
        "out": "salesforce_flows",
    }
    assert '# snapshot = "flowgen-snapshot"' in (here / "pyproject.toml").read_text()
    assert "flowgen pull" not in done.output[done.output.index("Next:") :]


def test_package_and_target_org_flags(here: Path) -> None:
    done = init("--package", "acme_flows", "--target-org", 'dev "sandbox"\\1')
    assert done.exit_code == 0, done.output
    table = settings_of(here)
    assert (table["package"], table["out"]) == ("acme_flows", "acme_flows")
    assert table["target_org"] == 'dev "sandbox"\\1'
    assert "logs in as" in done.output


@pytest.mark.parametrize("package", ["class", "acme-flows", "1flows", "flöws"])
def test_a_bad_package_name_writes_nothing(here: Path, package: str) -> None:
    done = init("--package", package)
    assert done.exit_code == 2 and "not a valid Python import name" in done.output
    assert not (here / "pyproject.toml").exists()


def test_help_says_what_init_does() -> None:
    done = CliRunner().invoke(cli.main, ["init", "--help"])
    assert done.exit_code == 0
    for text in ("[tool.flowgen]", "pyproject.toml", "sfdx-project.json", "--package"):
        assert text in done.output
    assert "init" in CliRunner().invoke(cli.main, ["--help"]).output


def test_init_then_generate_and_check(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(EXISTING)
    done = run_flowgen("init", "--package", "acme_flows", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shutil.copytree(EXAMPLE_SNAPSHOT, tmp_path / "flowgen-snapshot")
    generated = run_flowgen("generate", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "acme_flows" / "flows" / "__init__.py").is_file()
    assert run_flowgen("check", cwd=tmp_path).returncode == 0


def test_init_then_generate_from_an_sfdx_project(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "force-app", "default": true}]}'
    )
    flows = tmp_path / "force-app" / "main" / "default" / "flows"
    flows.mkdir(parents=True)
    (flows / "Ping.flow-meta.xml").write_text(
        '<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>Ping</label>'
        "<processType>AutoLaunchedFlow</processType></Flow>"
    )
    assert run_flowgen("init", cwd=tmp_path).returncode == 0
    generated = run_flowgen("generate", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "salesforce_flows" / "flows" / "ping.py").is_file()


def test_appends_to_an_empty_file(here: Path) -> None:
    (here / "pyproject.toml").write_bytes(b"")
    done = init()
    assert done.exit_code == 0 and "appended" in done.output, done.output
    assert settings_of(here)["snapshot"] == "flowgen-snapshot"


def test_toml_strings_read_back_whatever_they_hold() -> None:
    from flowgen.cli.init import toml_string

    for text in ['dev "sandbox"\\1', "tab\there\nnew\x00\x1f\x7fend", "café ✓"]:
        assert tomllib.loads(f"key = {toml_string(text)}")["key"] == text
