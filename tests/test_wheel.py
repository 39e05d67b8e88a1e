"""flowgen as its wheel ships it: the metadata PyPI shows, and, installed with
no checkout around, a flowgen that finds its templates, generates and type-checks."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import sysconfig
import zipfile
from email.message import Message
from pathlib import Path

import pytest

import flowgen
from flowgen.config import tomllib
from flowgen.output.write import existing_files
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE, REPO

DIST_INFO = f"salesforce_flowgen-{flowgen.__version__}.dist-info"
PROJECT_URL = "https://github.com/flowgen-dev/salesforce-flowgen"


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        wheels,
        REPO,
        cwd=wheels,
    )
    (built,) = wheels.glob("salesforce_flowgen-*.whl")
    return built


def _metadata(archive: zipfile.ZipFile) -> Message:
    return email.parser.Parser().parsestr(
        archive.read(f"{DIST_INFO}/METADATA").decode("utf-8")
    )


def test_the_wheel_says_what_it_is(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = _metadata(archive)
        licence = archive.read(f"{DIST_INFO}/licenses/LICENSE")
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()

    assert meta["Name"] == "salesforce-flowgen"
    assert meta["Version"] == flowgen.__version__
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert licence == (REPO / "LICENSE").read_bytes()
    assert "flowgen/py.typed" in names
    assert "flowgen/templates/flow_module.py.jinja" in names
    assert "[console_scripts]\nflowgen = flowgen.cli:run" in entry_points

    urls = dict(line.split(", ", 1) for line in meta.get_all("Project-URL", []))
    assert sorted(urls) == [
        "Changelog", "Documentation", "Homepage", "Issues", "Repository",
    ]  # fmt: skip
    assert all(url.startswith(PROJECT_URL) for url in urls.values()), urls

    classifiers = meta.get_all("Classifier", [])
    assert "Typing :: Typed" in classifiers
    # PEP 639: the expression replaces the licence classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]
    # One classifier per minor version requires-python admits, up to 3.13.
    assert meta["Requires-Python"] == ">=3.10"
    minors = [
        c for c in classifiers if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert minors == [f"Programming Language :: Python :: 3.{m}" for m in range(10, 14)]

    # flowgen, its templates and the metadata: no tests, caches or checkout files.
    assert {name.split("/")[0] for name in names} == {"flowgen", DIST_INFO}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]


def test_wheel_install_generates_the_example(wheel: Path, tmp_path: Path) -> None:
    # A fresh venv holding only the wheel; its dependencies come from this
    # environment's site-packages through a .pth file (the registry is not needed).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path,
        ).stdout.strip()
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--target",
        site,
        wheel,
        cwd=tmp_path,
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = _run(
        python, "-c", "import flowgen; print(flowgen.__file__)", cwd=tmp_path
    ).stdout.strip()
    assert Path(where).is_relative_to(site), where  # the wheel's copy, not the checkout
    assert (site / "flowgen" / "templates" / "flow_module.py.jinja").is_file()
    # --version reads the installed distribution's metadata.
    version = _run(python, "-m", "flowgen", "--version", cwd=tmp_path).stdout
    assert version.endswith(f", version {flowgen.__version__}\n"), version

    out = tmp_path / "out" / "acme_flows"
    _run(
        python,
        "-m",
        "flowgen",
        "generate",
        "--snapshot",
        EXAMPLE_SNAPSHOT,
        "--out",
        out,
        "--package",
        "acme_flows",
        "-q",
        cwd=tmp_path,
    )
    assert existing_files(out) == existing_files(GENERATED_EXAMPLE / "acme_flows")

    # py.typed: a user's mypy --strict reads the installed flowgen's types
    # rather than calling it an untyped import.
    user = tmp_path / "user"
    user.mkdir()
    (user / "check_fake.py").write_text(
        "from flowgen.testing import FakeOrg\n\n"
        "def start(org: FakeOrg) -> str:\n"
        "    return org.instance_url\n"
    )
    _run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        python,
        "check_fake.py",
        cwd=user,
    )
