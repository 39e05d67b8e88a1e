"""flowgen installed from its wheel (no checkout around) finds its templates and generates."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from flowgen.output.write import existing_files
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE, REPO


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_wheel_install_generates_the_example(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
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
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("flowgen-*.whl")

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
