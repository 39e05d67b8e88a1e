"""What the README and docs tell users to install is what this tree builds: the
distribution's name, and the version its CI recipe and pre-commit pin."""

from __future__ import annotations

import re

import flowgen
from flowgen.config import tomllib
from tests.conftest import REPO

PAGES = ["README.md", "docs/index.md", "docs/commands.md"]


def test_every_install_names_the_distribution_and_pins_this_version() -> None:
    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    assert name == "salesforce-flowgen"
    pins = []
    for page in PAGES:
        text = (REPO / page).read_text(encoding="utf-8")
        # "pip install flowgen" would fetch the unrelated project of that name.
        assert not re.search(r"pip install [\"']?flowgen\b", text), page
        pins += re.findall(r'pip install "([\w.-]+)==([^"]+)"', text)
    assert pins and set(pins) == {(name, flowgen.__version__)}


def test_the_pre_commit_example_pins_this_release() -> None:
    text = (REPO / "docs/commands.md").read_text(encoding="utf-8")
    assert re.findall(r"\n    rev: (\S+)\n", text) == [f"v{flowgen.__version__}"]


def test_the_changelog_has_this_release() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {flowgen.__version__}\n" in text
