"""The pre-commit hook this repository offers: `flowgen check` on every commit."""

from __future__ import annotations

from typing import Any

import yaml
from click.testing import CliRunner

from flowgen import cli
from flowgen.config import tomllib
from tests.conftest import REPO


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list)
    return hooks


def test_the_flowgen_check_hook() -> None:
    (hook,) = [hook for hook in _hooks() if hook["id"] == "flowgen-check"]
    assert hook["entry"] == "flowgen check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    assert hook["name"] and hook["description"]


def test_every_hook_runs_a_flowgen_command() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    for hook in _hooks():
        program, *command = hook["entry"].split()
        assert scripts[program] == "flowgen.cli:run"  # what pre-commit installs
        done = CliRunner().invoke(cli.main, [*command, "--help"])
        assert done.exit_code == 0, done.output
        assert done.output.startswith(f"Usage: main {' '.join(command)} ")
