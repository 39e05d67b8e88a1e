"""`flowgen pull`, `list` and `describe` as a user runs them, against the fake org.

Each way to log in is exercised end to end: a whole flowgen process talks
HTTP to the fake org's token endpoint and REST API.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowgen.testing import FakeOrg
from tests.conftest import describe, param

TOKEN = "00D-fake!session-token-value"


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    fake = FakeOrg(access_token=TOKEN)
    fake.add_flow(
        describe(
            "Create_Case",
            [param("subject", required=True), param("priority", "PICKLIST")],
            [param("caseId", "ID")],
            label="Create Case",
        )
    )
    fake.add_flow(describe("acme__Sync_Stock", [param("sku")]))
    fake.add_flow(describe("Intake_Wizard"), process_type="Flow")
    with fake:
        yield fake


def flowgen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SF_")}
    return subprocess.run(
        [sys.executable, "-m", "flowgen", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _assert_pulled(result: subprocess.CompletedProcess[str], root: Path) -> None:
    assert result.returncode == 0, result.stderr
    assert "pulled 3 flow(s)" in result.stderr and "3 added" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    names = sorted(p.stem for p in (root / "flows").glob("*.json"))
    assert names == ["Create_Case", "Intake_Wizard", "acme__Sync_Stock"]
    for path in root.rglob("*.json"):
        assert TOKEN not in path.read_text()


def test_pull_with_a_token_from_the_environment(org: FakeOrg, tmp_path: Path) -> None:
    result = flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    again = flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert "0 added, 0 changed, 0 removed, 3 unchanged (2 request(s))" in again.stderr


def test_pull_reuses_the_salesforce_cli_login(org: FakeOrg, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "sf"
    answer = {
        "status": 0,
        "result": {
            "instanceUrl": org.instance_url,
            "accessToken": TOKEN,
            "connectedStatus": "Connected",
        },
    }
    stub.write_text(f"#!{sys.executable}\nimport json\nprint(json.dumps({answer!r}))\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snap"\ntarget_org = "dev"\n'
    )
    result = flowgen("pull", cwd=tmp_path, env={"PATH": str(bin_dir)})
    _assert_pulled(result, tmp_path / "snap")


def test_pull_with_the_jwt_bearer_flow(org: FakeOrg, tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    org.add_oauth_client("3MVG9jwt", username="ci@acme.com", jwt_public_key=public)
    result = flowgen(
        "pull", "--snapshot", "snap", "--jwt-key-file", str(key_file),
        "--client-id", "3MVG9jwt", "--username", "ci@acme.com",
        "--login-url", org.instance_url, cwd=tmp_path,
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    recorded = [r for r in org.requests if r.path == "/services/oauth2/token"]
    assert len(recorded) == 1 and b"<redacted>" in recorded[0].body


def test_pull_with_client_credentials(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("3MVG9cc", client_secret="cc-secret")
    result = flowgen(
        "pull", "--snapshot", "snap", "--client-id", "3MVG9cc",
        "--login-url", org.instance_url, cwd=tmp_path,
        env={"SF_CLIENT_SECRET": "cc-secret"},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    assert "cc-secret" not in result.stderr


def test_pull_with_an_sfdx_auth_url(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("PlatformCLI", refresh_token="5Aep-refresh")
    host = org.instance_url.removeprefix("http://")
    result = flowgen(
        "pull", "--snapshot", "snap", cwd=tmp_path,
        env={"SF_AUTH_URL": f"force://PlatformCLI::5Aep-refresh@{host}"},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")


def test_a_refused_login_is_one_clear_line(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("3MVG9cc", client_secret="right")
    result = flowgen(
        "pull", "--snapshot", "snap", "--client-id", "3MVG9cc",
        "--login-url", org.instance_url, cwd=tmp_path,
        env={"SF_CLIENT_SECRET": "wrong-secret"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(
        "flowgen: error: logging in with the client credentials"
    )
    assert "Traceback" not in result.stderr and "wrong-secret" not in result.stderr
    assert not (tmp_path / "snap").exists()


def test_no_login_given_lists_the_ways(tmp_path: Path) -> None:
    result = flowgen("pull", "--snapshot", "snap", cwd=tmp_path)
    assert result.returncode == 2
    assert "--target-org" in result.stderr and "SF_AUTH_URL" in result.stderr


def test_pull_refuses_to_replace_a_directory_that_is_no_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("keep me\n")
    result = flowgen(
        "pull", "--snapshot", "src", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.returncode == 2 and "not a snapshot directory" in result.stderr
    assert (tmp_path / "src" / "app.py").read_text() == "keep me\n"


def test_list_and_describe_from_the_org_and_from_a_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    from_org = flowgen(
        "list", "--instance-url", org.instance_url, cwd=tmp_path, env=env
    )
    assert from_org.returncode == 0, from_org.stderr
    lines = from_org.stdout.splitlines()
    assert lines[0].split() == ["NAME", "LABEL", "INPUTS", "OUTPUTS", "INVOCABLE"]
    assert lines[1].split() == ["Create_Case", "Create", "Case", "2", "1", "yes"]
    assert lines[2].split() == [
        "Intake_Wizard",
        "Intake_Wizard",
        "0",
        "0",
        "no",
        "(Flow)",
    ]
    flowgen("pull", "--snapshot", "snap", "--instance-url", org.instance_url,
            cwd=tmp_path, env=env)  # fmt: skip
    assert flowgen("list", "--snapshot", "snap", cwd=tmp_path).stdout == from_org.stdout

    shown = flowgen(
        "describe", "Create_Case", "--instance-url", org.instance_url,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("def create_case(\n    client: _rt.FlowClient,\n")
    assert "    subject: str,\n" in shown.stdout
    assert "class CreateCaseOutput:\n    case_id: str | None = None\n" in shown.stdout
    offline = flowgen("describe", "create_case", "--snapshot", "snap", cwd=tmp_path)
    assert offline.stdout == shown.stdout
    missing = flowgen("describe", "Nope", "--snapshot", "snap", cwd=tmp_path)
    assert missing.returncode == 2 and "no flow named 'Nope'" in missing.stderr
    screen = flowgen("describe", "Intake_Wizard", "--snapshot", "snap", cwd=tmp_path)
    assert screen.returncode == 2 and "cannot run" in screen.stderr


def test_a_pulled_snapshot_generates(org: FakeOrg, tmp_path: Path) -> None:
    flowgen("pull", "--snapshot", "snap", "--instance-url", org.instance_url,
            cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN})  # fmt: skip
    result = flowgen(
        "generate",
        "--snapshot",
        "snap",
        "--out",
        "pkg/acme",
        "--package",
        "acme",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "skipped flow Intake_Wizard" in result.stderr
    modules = sorted(p.name for p in (tmp_path / "pkg" / "acme" / "flows").glob("*.py"))
    assert modules == ["__init__.py", "acme_sync_stock.py", "create_case.py"]
    manifest = json.loads((tmp_path / "snap" / "flowgen-snapshot.json").read_text())
    assert manifest["flows"]["acme__Sync_Stock"]["namespace"] == "acme"


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowgen.cli_org import _progress

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress(quiet=False) as advance:
        assert advance is not None
        advance(25, 50)
        advance(50, 50)
    assert "describing flows" in terminal.text and "100%" in terminal.text
    with _progress(quiet=True) as silent:
        assert silent is None
    monkeypatch.setattr(terminal, "isatty", lambda: False)
    with _progress(quiet=False) as piped:
        assert piped is None


def test_quiet_pull_prints_nothing_on_success(org: FakeOrg, tmp_path: Path) -> None:
    result = flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url, "-q",
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "snap" / "flows" / "Create_Case.json").is_file()
