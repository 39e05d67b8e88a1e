"""The generated ``testing`` module, used as a downstream app uses it.

tests/checkers/app_tests.py imports only the committed example package and
pytest; it runs here in a fresh interpreter with generated_example on the
path (and is type-checked in test_generated_checkers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import GENERATED_EXAMPLE, REPO

APP_TESTS = REPO / "tests" / "checkers" / "app_tests.py"


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(GENERATED_EXAMPLE),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_an_apps_tests_pass_against_the_fakes(tmp_path: Path) -> None:
    app = tmp_path / "test_app.py"
    app.write_text(APP_TESTS.read_text())
    args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest", str(app))
    done = _python(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 passed" in done.stdout, done.stdout


def test_importing_the_package_does_not_import_testing(tmp_path: Path) -> None:
    code = (
        "import sys, acme_flows\n"
        "acme_flows.calculate_invoice_totals\n"
        "assert 'acme_flows.testing' not in sys.modules, sorted(sys.modules)\n"
        "assert 'acme_flows._runtime._fake' not in sys.modules\n"
    )
    done = _python("-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
