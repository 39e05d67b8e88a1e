"""The generated code against the checkers users run in CI on what they commit.

bandit, pyright strict, mypy --strict and ruff run on the committed example
package, on a package generated from the whole flow corpus, and (the type
checkers) on tests/checkers/user_script.py: a downstream script calling flows
of every shape, which must type-check on the user's side.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GENERATED_EXAMPLE, REPO
from tests.sources.test_sfdx import CORPUS

USER_SCRIPT = REPO / "tests" / "checkers" / "user_script.py"
APP_TESTS = REPO / "tests" / "checkers" / "app_tests.py"
RUFF_RULES = "E4,E7,E9,F,W,I,B,UP"


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The pyright wrapper asks npm for a newer release unless told not to.
    env = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
    command = [str(arg) for arg in args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def _bandit(target: Path) -> list[str]:
    """bandit's MEDIUM and HIGH findings under target (LOW ones are allowed)."""
    args = ("-m", "bandit", "-r", target, "-f", "json", "-q")
    done = _run(sys.executable, *args, cwd=target.parent)
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 0, f"bandit read no code in {target}"
    return [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_severity']}"
        f" (confidence {r['issue_confidence']}): {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]


def _pyright(root: Path, target: str) -> tuple[int, str]:
    """pyright strict on root/target: its error count and its diagnostics."""
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    assert pyright, f"no pyright beside {sys.executable}: install the dev extra"
    config = root / f"pyrightconfig-{Path(target).stem}.json"
    settings = {
        "include": [target],
        "typeCheckingMode": "strict",
        "pythonVersion": "3.10",
    }
    config.write_text(json.dumps(settings))
    args = ("-p", config, "--pythonpath", sys.executable, "--outputjson")
    done = _run(pyright, *args, cwd=root)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright failed to run:\n{done.stdout}{done.stderr}")
    assert report["summary"]["filesAnalyzed"] > 0, f"pyright found no {target}"
    lines = [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['severity']}:"
        f" {d['message']} ({d.get('rule', '-')})"
        for d in report["generalDiagnostics"]
    ]
    return report["summary"]["errorCount"], "\n".join(lines)


def _mypy(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Run in root, which holds no mypy config: the repo's settings do not apply.
    base = ("-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.10")
    return _run(sys.executable, *base, *args, cwd=root)


def _ruff(target: Path) -> subprocess.CompletedProcess[str]:
    # --isolated: the repo's ruff settings exclude generated_example.
    rules = ("--select", RUFF_RULES, "--target-version", "py310")
    args = ("check", "--no-cache", "--isolated", "--output-format", "concise", *rules)
    return _run(sys.executable, "-m", "ruff", *args, target, cwd=target.parent)


def _copy_example(root: Path, extra: str = "") -> Path:
    """acme_flows and the user script (plus extra code) side by side in root."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(
        GENERATED_EXAMPLE / "acme_flows", root / "acme_flows", ignore=ignore
    )
    (root / "user_script.py").write_text(USER_SCRIPT.read_text() + extra)
    shutil.copyfile(APP_TESTS, root / "app_tests.py")
    return root


@pytest.fixture(scope="module")
def example_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_example(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package generated from every corpus flow, active or not (once)."""
    if not (CORPUS / "flows").is_dir():
        pytest.skip(f"no flow corpus at {CORPUS}")
    root = tmp_path_factory.mktemp("corpus")
    source = ("--project", CORPUS / "flows", "--include-inactive")
    target = ("--out", root / "corpus_flows", "--package", "corpus_flows", "-q")
    done = _run(sys.executable, "-m", "flowgen", "generate", *source, *target, cwd=root)
    # Exit 1: a few flows are in the corpus twice; only the second copy is left out.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert all("again" in line for line in errors), done.stderr
    assert (root / "corpus_flows" / "__init__.py").is_file(), done.stderr
    return root


def _package(request: pytest.FixtureRequest, which: str) -> Path:
    if which == "example":
        return GENERATED_EXAMPLE / "acme_flows"
    root: Path = request.getfixturevalue("corpus_root")
    return root / "corpus_flows"


@pytest.mark.parametrize("which", ["example", "corpus"])
def test_bandit_finds_nothing_of_medium_or_high_severity(
    request: pytest.FixtureRequest, which: str
) -> None:
    findings = _bandit(_package(request, which))
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("which", ["example", "corpus"])
def test_ruff_is_clean(request: pytest.FixtureRequest, which: str) -> None:
    done = _ruff(_package(request, which))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("target", ["acme_flows", "user_script.py", "app_tests.py"])
def test_pyright_strict_on_the_example_and_a_user_script(
    example_root: Path, target: str
) -> None:
    # Only target is reported: for the script, errors in its own lines that
    # the package's types cause (an Unknown leaking out), as a user sees them.
    errors, output = _pyright(example_root, target)
    assert errors == 0, output


def test_pyright_strict_on_the_corpus_package(corpus_root: Path) -> None:
    errors, output = _pyright(corpus_root, "corpus_flows")  # ~5 s
    assert errors == 0, output


def test_mypy_strict_on_the_example(example_root: Path) -> None:
    done = _mypy(example_root, "acme_flows")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("script", ["user_script.py", "app_tests.py"])
def test_mypy_strict_on_a_user_script(example_root: Path, script: str) -> None:
    # An installed package's own errors are not the user's: only the script's.
    done = _mypy(example_root, "--follow-imports=silent", script)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_user_script_imports_without_running_anything(tmp_path: Path) -> None:
    code = "import user_script; assert callable(user_script.main)"
    path = os.pathsep.join([str(GENERATED_EXAMPLE), str(USER_SCRIPT.parent)])
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stdout


_BROKEN = """

def untyped(value):
    return value


def wrong_call(client: FlowClient) -> None:
    acme_flows.get_open_case_count(client, account=1)
"""


def test_the_type_checkers_catch_a_broken_user_script(tmp_path: Path) -> None:
    # The harness is not vacuous: strict-only and package-typed mistakes fail.
    root = _copy_example(tmp_path, extra=_BROKEN)
    errors, output = _pyright(root, "user_script.py")
    assert errors >= 2, output
    assert "reportMissingParameterType" in output and '"account"' in output, output
    done = _mypy(root, "--follow-imports=silent", "user_script.py")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[no-untyped-def]" in done.stdout and '"account"' in done.stdout, done.stdout


def test_bandit_and_ruff_catch_planted_problems(tmp_path: Path) -> None:
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import subprocess\nimport os\n\n\n"
        "def run(command: str) -> None:\n"
        "    subprocess.call(command, shell=True)\n"
    )
    assert any(" B602 HIGH " in finding for finding in _bandit(package))
    done = _ruff(package)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "F401" in done.stdout and "I001" in done.stdout, done.stdout


_WRONG_HANDLER = """

def wrong_handler(fake: FakeFlows) -> None:
    def count(inp: GetOpenCaseCountInput) -> GetOpenCaseCountOutput:
        return GetOpenCaseCountOutput()

    fake.on(calculate_invoice_totals, count)
"""


def test_a_handler_of_another_flow_is_a_type_error(tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    imports = (
        "from acme_flows import GetOpenCaseCountInput, GetOpenCaseCountOutput\n"
        "from acme_flows import calculate_invoice_totals\n"
        "from acme_flows.testing import FakeFlows\n"
    )
    (root / "wrong.py").write_text(imports + _WRONG_HANDLER)
    errors, output = _pyright(root, "wrong.py")
    assert errors >= 1, output
    assert 'No overloads for "on"' in output, output
    assert '"GetOpenCaseCountInput"' in output, output
    done = _mypy(root, "--follow-imports=silent", "wrong.py")
    assert done.returncode == 1, done.stdout + done.stderr
    # mypy names the first overload it tried, and the handler's type.
    assert 'to "on" of "FakeFlows"' in done.stdout, done.stdout
    assert "GetOpenCaseCountInput" in done.stdout, done.stdout
