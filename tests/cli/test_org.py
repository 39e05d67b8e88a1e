"""`flowgen pull`, `list`, `describe` and `check --org` as a user runs them, against the fake org.

Each way to log in is exercised end to end: a whole flowgen process talks
HTTP to the fake org's token endpoint and REST API.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowgen.cli.pull import MOST_ADDED_LISTED
from flowgen.testing import FakeOrg
from tests.conftest import describe, param, run_flowgen, write_snapshot
from tests.sources.org.test_http import closed_port

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


def _assert_pulled(result: subprocess.CompletedProcess[str], root: Path) -> None:
    assert result.returncode == 0, result.stderr
    assert "pulled 3 flow(s)" in result.stderr and "3 added" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    names = sorted(p.stem for p in (root / "flows").glob("*.json"))
    assert names == ["Create_Case", "Intake_Wizard", "acme__Sync_Stock"]
    for path in root.rglob("*.json"):
        assert TOKEN not in path.read_text()


def test_pull_with_a_token_from_the_environment(org: FakeOrg, tmp_path: Path) -> None:
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    again = run_flowgen(
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
    result = run_flowgen("pull", cwd=tmp_path, env={"PATH": str(bin_dir)})
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
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--jwt-key-file", str(key_file),
        "--client-id", "3MVG9jwt", "--username", "ci@acme.com",
        "--login-url", org.instance_url, cwd=tmp_path,
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    recorded = [r for r in org.requests if r.path == "/services/oauth2/token"]
    assert len(recorded) == 1 and b"<redacted>" in recorded[0].body


def test_pull_with_client_credentials(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("3MVG9cc", client_secret="cc-secret")
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--client-id", "3MVG9cc",
        "--login-url", org.instance_url, cwd=tmp_path,
        env={"SF_CLIENT_SECRET": "cc-secret"},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")
    assert "cc-secret" not in result.stderr


def test_pull_with_an_sfdx_auth_url(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("PlatformCLI", refresh_token="5Aep-refresh")
    host = org.instance_url.removeprefix("http://")
    result = run_flowgen(
        "pull", "--snapshot", "snap", cwd=tmp_path,
        env={"SF_AUTH_URL": f"force://PlatformCLI::5Aep-refresh@{host}"},
    )  # fmt: skip
    _assert_pulled(result, tmp_path / "snap")


def test_a_refused_login_is_one_clear_line(org: FakeOrg, tmp_path: Path) -> None:
    org.add_oauth_client("3MVG9cc", client_secret="right")
    result = run_flowgen(
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
    result = run_flowgen("pull", "--snapshot", "snap", cwd=tmp_path)
    assert result.returncode == 2
    assert "--target-org" in result.stderr and "SF_AUTH_URL" in result.stderr


def test_pull_refuses_to_replace_a_directory_that_is_no_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("keep me\n")
    result = run_flowgen(
        "pull", "--snapshot", "src", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.returncode == 2 and "not a snapshot directory" in result.stderr
    assert (tmp_path / "src" / "app.py").read_text() == "keep me\n"


def test_list_and_describe_from_the_org_and_from_a_snapshot(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    from_org = run_flowgen(
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
    run_flowgen("pull", "--snapshot", "snap", "--instance-url", org.instance_url,
            cwd=tmp_path, env=env)  # fmt: skip
    assert (
        run_flowgen("list", "--snapshot", "snap", cwd=tmp_path).stdout
        == from_org.stdout
    )

    shown = run_flowgen(
        "describe", "Create_Case", "--instance-url", org.instance_url,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("def create_case(\n    client: _rt.FlowClient,\n")
    assert "    subject: str,\n" in shown.stdout
    assert "class CreateCaseOutput:\n    case_id: str | None = None\n" in shown.stdout
    offline = run_flowgen("describe", "create_case", "--snapshot", "snap", cwd=tmp_path)
    assert offline.stdout == shown.stdout
    missing = run_flowgen("describe", "Nope", "--snapshot", "snap", cwd=tmp_path)
    assert missing.returncode == 2 and "no flow named 'Nope'" in missing.stderr
    screen = run_flowgen(
        "describe", "Intake_Wizard", "--snapshot", "snap", cwd=tmp_path
    )
    assert screen.returncode == 2 and "cannot run" in screen.stderr


def test_list_asks_the_org_for_flows_only(org: FakeOrg, tmp_path: Path) -> None:
    # A flow with a record variable: a pull would describe Account as well.
    org.add_flow(
        describe("Touch_Account", [param("acct", "SOBJECT", sobjectType="Account")])
    )
    before = org.request_count()
    listed = run_flowgen(
        "list", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "Touch_Account" in listed.stdout
    # The flow list, one page of versions, one batch of describes.
    assert org.request_count() - before == 3


def test_a_pulled_snapshot_generates(org: FakeOrg, tmp_path: Path) -> None:
    run_flowgen("pull", "--snapshot", "snap", "--instance-url", org.instance_url,
            cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN})  # fmt: skip
    result = run_flowgen(
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
    from flowgen.cli.pull import _progress

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
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url, "-q",
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "snap" / "flows" / "Create_Case.json").is_file()


def test_org_text_in_warnings_cannot_steer_the_terminal(
    org: FakeOrg, tmp_path: Path
) -> None:
    # An sObject type that is no file name is left out with a warning that
    # quotes it: its CR and terminal-title sequence must arrive escaped.
    hostile = "Evil\rFAKE\x1b]0;pwned\x07"
    org.add_flow(
        describe("Odd_Records", [param("rec", "SOBJECT", sobjectType=hostile)])
    )
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Evil\\x0dFAKE\\x1b]0;pwned\\x07" in result.stderr
    assert not {"\r", "\x1b", "\x07"} & set(result.stderr)


def test_pull_logs_in_with_login_settings(org: FakeOrg, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.flowgen]\nsnapshot = "snap"\ninstance_url = "{org.instance_url}"\n'
        'api_version = "62.0"\ninclude = ["Create_*"]\n'
    )
    result = run_flowgen("pull", cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in (tmp_path / "snap" / "flows").glob("*.json")) == [
        "Create_Case"
    ]
    listed = run_flowgen("list", cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN})
    assert listed.returncode == 0 and "acme__Sync_Stock" in listed.stdout


def test_pull_with_the_jwt_bearer_flow_from_settings(
    org: FakeOrg, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "server.key").write_bytes(
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
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snap"\njwt_key_file = "keys/server.key"\n'
        f'client_id = "3MVG9jwt"\nusername = "ci@acme.com"\nlogin_url = "{org.instance_url}"\n'
    )
    _assert_pulled(run_flowgen("pull", cwd=tmp_path), tmp_path / "snap")


@pytest.fixture
def no_sf_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [name for name in os.environ if name.startswith("SF_")]:
        monkeypatch.delenv(name)
    return monkeypatch


JWT_SETTINGS = {
    "jwt_key_file": "keys/server.key",
    "client_id": "3MVG9set",
    "username": "set@acme.com",
    "login_url": "test",
}


def test_login_settings_choose_like_flags(
    no_sf_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flowgen.cli.org import credential_for
    from flowgen.sources.org import auth

    assert credential_for({"target_org": "dev"}, {}) == auth.SalesforceCli("dev")
    no_sf_env.setenv("SF_ACCESS_TOKEN", TOKEN)
    url = "https://acme.my.salesforce.com"
    assert credential_for({"instance_url": url}, {}) == auth.AccessToken(url, TOKEN)
    assert credential_for(JWT_SETTINGS, {}, tmp_path) == auth.JwtBearer(
        "3MVG9set",
        "set@acme.com",
        tmp_path / "keys" / "server.key",
        login_url="https://test.salesforce.com",
    )
    no_sf_env.setenv("SF_CLIENT_SECRET", "secret")
    assert credential_for({"client_id": "3MVG9cc"}, {}) == auth.ClientCredentials(
        "3MVG9cc", "secret"
    )


def test_a_login_flag_sets_aside_the_settings_of_other_logins(
    no_sf_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flowgen.cli.org import credential_for
    from flowgen.sources.org import auth

    no_sf_env.setenv("SF_ACCESS_TOKEN", TOKEN)
    no_sf_env.setenv("SF_CLIENT_SECRET", "secret")
    url = "https://acme.my.salesforce.com"
    everything = {**JWT_SETTINGS, "target_org": "dev", "instance_url": url}
    assert credential_for(everything, {"instance_url": url}) == auth.AccessToken(
        url, TOKEN
    )
    assert credential_for(everything, {"target_org": "ci"}) == auth.SalesforceCli("ci")
    # --client-id alone is the client credentials flow, not the settings' JWT.
    assert credential_for(everything, {"client_id": "3MVG9cc"}) == (
        auth.ClientCredentials(
            "3MVG9cc", "secret", login_url="https://test.salesforce.com"
        )
    )
    # --jwt-key-file: the settings still give the client id, user and login URL.
    assert credential_for(everything, {"jwt_key_file": "/k.pem"}, tmp_path) == (
        auth.JwtBearer(
            "3MVG9set",
            "set@acme.com",
            Path("/k.pem"),
            login_url="https://test.salesforce.com",
        )
    )


def test_username_and_login_url_flags_only_complete_the_settings(
    no_sf_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flowgen.cli.org import credential_for
    from flowgen.sources.org import auth

    assert credential_for(
        {"target_org": "dev"}, {"username": "x@acme.com"}
    ) == auth.SalesforceCli("dev")
    flags = {"username": "flag@acme.com", "login_url": "login"}
    assert credential_for(JWT_SETTINGS, flags, tmp_path) == auth.JwtBearer(
        "3MVG9set",
        "flag@acme.com",
        tmp_path / "keys" / "server.key",
        login_url="https://login.salesforce.com",
    )


def test_pull_says_what_it_changed_in_the_flows_interfaces(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    pull = ("pull", "--snapshot", "snap", "--instance-url", org.instance_url)
    first = run_flowgen(*pull, cwd=tmp_path, env=env)
    assert "flow interface changes: 0 breaking, 2 non-breaking changes" in first.stderr
    assert "NON-BREAKING  Create_Case: flow added" in first.stderr

    org.add_flow(
        describe(
            "Create_Case",
            [
                param("subject", required=True),
                param("priority", "PICKLIST", required=True),
            ],
            [param("caseId", "ID"), param("caseNumber")],
            label="Create Case",
        )
    )
    org.remove_flow("acme__Sync_Stock")
    second = run_flowgen(*pull, cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    lines = second.stderr.splitlines()
    start = lines.index(
        "flowgen: flow interface changes: 2 breaking, 1 non-breaking change"
    )
    assert lines[start + 1 :] == [
        "  BREAKING  Create_Case: input priority became required",
        "  BREAKING  acme__Sync_Stock: flow removed",
        "  NON-BREAKING  Create_Case: output caseNumber added",
    ]

    # --full describes everything again and still sees what it removed.
    org.remove_flow("Create_Case")
    full = run_flowgen(*pull, "--full", cwd=tmp_path, env=env)
    assert "  BREAKING  Create_Case: flow removed" in full.stderr.splitlines()
    assert "flow interface changes: 1 breaking, 0 non-breaking changes" in full.stderr
    # The one flow left was described again: changed, not added.
    assert "0 added, 1 changed, 1 removed, 0 unchanged" in full.stderr


def test_pull_include_refreshes_one_flow_and_keeps_the_others(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    pull = ("pull", "--snapshot", "snap", "--instance-url", org.instance_url)
    assert run_flowgen(*pull, cwd=tmp_path, env=env).returncode == 0
    flows = tmp_path / "snap" / "flows"
    before = {p.name: p.read_bytes() for p in flows.iterdir()}
    org.add_flow(describe("Create_Case", [param("subject")], [param("caseId", "ID")]))
    org.add_flow(describe("acme__Sync_Stock", [param("sku"), param("bin")]))

    one = run_flowgen(*pull, "--include", "Create_Case", cwd=tmp_path, env=env)
    assert one.returncode == 0, one.stderr
    assert "0 added, 1 changed, 0 removed, 2 unchanged" in one.stderr
    assert "2 flow(s) outside --include/--exclude were not refreshed" in one.stderr
    assert "  NON-BREAKING  Create_Case: input subject became optional" in one.stderr
    assert "flow removed" not in one.stderr and "acme__Sync_Stock" not in one.stderr
    after = {p.name: p.read_bytes() for p in flows.iterdir()}
    assert after.keys() == before.keys()
    assert after["Create_Case.json"] != before["Create_Case.json"]
    for name in ("Intake_Wizard.json", "acme__Sync_Stock.json"):
        assert after[name] == before[name]

    # --exclude likewise; a flow the org deleted stays while it is left out.
    org.remove_flow("Intake_Wizard")
    rest = run_flowgen(
        *pull, "--exclude", "intake_*", "--exclude", "Create_*", cwd=tmp_path, env=env
    )
    assert rest.returncode == 0, rest.stderr
    assert "0 added, 1 changed, 0 removed, 2 unchanged" in rest.stderr
    assert "flow Intake_Wizard is no longer in the org; kept" in rest.stderr
    assert (flows / "Intake_Wizard.json").read_bytes() == before["Intake_Wizard.json"]
    assert b'"bin"' in (flows / "acme__Sync_Stock.json").read_bytes()

    # The settings define what the snapshot keeps: outside them, removed.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snap"\ninclude = ["Create_Case", "acme__*"]\n'
    )
    scoped = run_flowgen(*pull, "--include", "Create_Case", cwd=tmp_path, env=env)
    assert scoped.returncode == 0, scoped.stderr
    assert "0 added, 0 changed, 1 removed, 2 unchanged" in scoped.stderr
    assert not (flows / "Intake_Wizard.json").exists()


def test_pull_help_says_the_filters_narrow_the_refresh(tmp_path: Path) -> None:
    shown = run_flowgen("pull", "--help", cwd=tmp_path)
    text = " ".join(shown.stdout.split())
    assert "Refresh only flows whose API name matches" in text
    assert "the snapshot's other flows stay as they are" in text


def test_check_org_reports_where_the_org_moved_ahead_and_writes_nothing(
    org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    login = ("--instance-url", org.instance_url)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowgen]\nsnapshot = "snap"\nout = "acme"\npackage = "acme"\n'
    )
    assert run_flowgen("pull", *login, cwd=tmp_path, env=env).returncode == 0
    assert run_flowgen("generate", cwd=tmp_path).returncode == 0
    current = run_flowgen("check", "--org", *login, cwd=tmp_path, env=env)
    assert current.returncode == 0, current.stderr
    assert "snap is what the org has now" in current.stderr

    snapshot_before = {
        p: p.read_bytes() for p in (tmp_path / "snap").rglob("*") if p.is_file()
    }
    org.add_flow(describe("Create_Case", [param("subject")], label="Create Case"))
    ahead = run_flowgen("check", "--org", *login, cwd=tmp_path, env=env)
    assert ahead.returncode == 1, ahead.stderr
    assert "the org has moved ahead of" in ahead.stderr
    assert "snap: 2 file(s) differ" in ahead.stderr
    assert "(flowgen-snapshot.json, flows/Create_Case.json)" in ahead.stderr
    assert "  BREAKING  Create_Case: output caseId removed" in ahead.stderr
    assert "  NON-BREAKING  Create_Case: input subject became optional" in ahead.stderr
    assert TOKEN not in ahead.stdout + ahead.stderr
    snapshot_after = {
        p: p.read_bytes() for p in (tmp_path / "snap").rglob("*") if p.is_file()
    }
    assert snapshot_after == snapshot_before  # nothing written

    # Without --org, the same state passes: the package matches the snapshot.
    assert run_flowgen("check", cwd=tmp_path).returncode == 0
    refused = run_flowgen("check", "--org", cwd=tmp_path)  # no login at all
    assert refused.returncode == 2
    assert "flowgen: error:" in refused.stderr


def test_list_and_describe_read_the_configured_snapshot_without_a_login(
    tmp_path: Path,
) -> None:
    write_snapshot(
        tmp_path / "snap",
        [describe("Create_Case", [param("subject", required=True)], label="Create")],
    )
    (tmp_path / "pyproject.toml").write_text('[tool.flowgen]\nsnapshot = "snap"\n')
    listed = run_flowgen("list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split() == [
        "Create_Case",
        "Create",
        "1",
        "0",
        "yes",
    ]
    assert listed.stderr == (
        f"flowgen: reading the snapshot {tmp_path / 'snap'} (snapshot in "
        "[tool.flowgen]); give a login to read the org instead (see --help)\n"
    )
    shown = run_flowgen("describe", "Create_Case", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "    subject: str,\n" in shown.stdout
    helped = run_flowgen("list", "--help", cwd=tmp_path)
    assert "Without a login it reads the snapshot" in " ".join(helped.stdout.split())


def test_a_login_flag_reads_the_org_though_a_snapshot_is_configured(
    org: FakeOrg, tmp_path: Path
) -> None:
    write_snapshot(tmp_path / "snap", [describe("Only_In_Snapshot")])
    (tmp_path / "pyproject.toml").write_text('[tool.flowgen]\nsnapshot = "snap"\n')
    listed = run_flowgen(
        "list", "--instance-url", org.instance_url,
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "Create_Case" in listed.stdout and "Only_In_Snapshot" not in listed.stdout
    assert listed.stderr == ""


def test_a_login_in_the_environment_alone_reads_the_org(
    org: FakeOrg, tmp_path: Path
) -> None:
    write_snapshot(tmp_path / "snap", [describe("Only_In_Snapshot")])
    (tmp_path / "pyproject.toml").write_text('[tool.flowgen]\nsnapshot = "snap"\n')
    env = {"SF_INSTANCE_URL": org.instance_url, "SF_ACCESS_TOKEN": TOKEN}
    listed = run_flowgen("list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "Create_Case" in listed.stdout and "Only_In_Snapshot" not in listed.stdout


def test_login_given_counts_flags_login_settings_and_the_environment() -> None:
    from flowgen.cli.org import login_given

    assert not login_given({}, {}, env={})
    assert not login_given({"snapshot": "s", "login_url": "test"}, {}, env={})
    assert not login_given({}, {}, env={"SF_ACCESS_TOKEN": TOKEN})  # no URL
    assert login_given({}, {"login_url": "test"}, env={})  # a flag asks for the org
    assert login_given({}, {"api_version": "61.0"}, env={})
    assert login_given({"target_org": "dev"}, {}, env={})
    assert login_given({}, {}, env={"SF_AUTH_URL": "force://x::y@h"})
    assert login_given({}, {}, env={"SF_CLIENT_ID": "id", "SF_CLIENT_SECRET": "s"})


def test_list_with_neither_a_login_nor_a_snapshot_says_both_ways(
    tmp_path: Path,
) -> None:
    result = run_flowgen("list", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("flowgen: error: no way to log in to an org: ")
    assert result.stderr.endswith(
        "; or read a snapshot: pass --snapshot DIR, or set snapshot in [tool.flowgen]\n"
    )


def test_a_mistyped_instance_url_is_named_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--instance-url", "https://nonexistent.invalid",
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert time.monotonic() - started < 3
    assert result.returncode == 2
    assert result.stderr.startswith(
        "flowgen: error: cannot reach the org: could not resolve host "
        "nonexistent.invalid ("
    )
    assert result.stderr.endswith(
        "check the instance URL (--instance-url, instance_url in [tool.flowgen], "
        "or SF_INSTANCE_URL); nothing was written\n"
    )
    assert not (tmp_path / "snap").exists()


def test_a_refused_port_is_named_at_once(tmp_path: Path) -> None:
    port = closed_port()
    started = time.monotonic()
    result = run_flowgen(
        "list", "--instance-url", f"http://127.0.0.1:{port}",
        cwd=tmp_path, env={"SF_ACCESS_TOKEN": TOKEN},
    )  # fmt: skip
    assert time.monotonic() - started < 3
    assert result.returncode == 2
    assert result.stderr == (
        f"flowgen: error: cannot reach the org: 127.0.0.1:{port} refused the "
        "connection: check the host and port of the instance URL (--instance-url, "
        "instance_url in [tool.flowgen], or SF_INSTANCE_URL), and that no firewall "
        "or proxy is in the way; nothing was written\n"
    )


def test_a_mistyped_login_url_is_named(tmp_path: Path) -> None:
    result = run_flowgen(
        "pull", "--snapshot", "snap", "--client-id", "3MVG9cc",
        "--login-url", "https://nonexistent.invalid", cwd=tmp_path,
        env={"SF_CLIENT_SECRET": "cc-secret"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(
        "flowgen: error: logging in with the client credentials of 3MVG9cc...: "
        "could not resolve host nonexistent.invalid ("
    )
    assert result.stderr.endswith(
        "check the login URL (--login-url, or login_url in [tool.flowgen])\n"
    )
    assert "cc-secret" not in result.stderr


@pytest.fixture
def big_org() -> Iterator[FakeOrg]:
    """An org with more flows than a pull lists one by one."""
    fake = FakeOrg(access_token=TOKEN)
    for n in range(MOST_ADDED_LISTED + 5):
        fake.add_flow(describe(f"Flow_{n:02d}", [param("recordId", "ID")]))
    with fake:
        yield fake


def test_a_first_pull_of_many_flows_says_how_many_in_one_line(
    big_org: FakeOrg, tmp_path: Path
) -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN}
    pull = ("pull", "--instance-url", big_org.instance_url)
    added = MOST_ADDED_LISTED + 5
    first = run_flowgen(*pull, "--snapshot", "snap", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    start = lines.index(
        f"flowgen: flow interface changes: 0 breaking, {added} non-breaking changes"
    )
    assert lines[start + 1 :] == [
        f"  NON-BREAKING  {added} flows added (flowgen pull --verbose lists them)"
    ]

    verbose = run_flowgen(*pull, "--snapshot", "other", "-v", cwd=tmp_path, env=env)
    assert verbose.returncode == 0, verbose.stderr
    assert "  NON-BREAKING  Flow_00: flow added" in verbose.stderr.splitlines()
    assert verbose.stderr.count(": flow added") == added

    # Breaking changes stay one line each beside the folded flows added.
    big_org.remove_flow("Flow_00")
    for n in range(100, 100 + added):
        big_org.add_flow(describe(f"Flow_{n}"))
    again = run_flowgen(*pull, "--snapshot", "snap", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    lines = again.stderr.splitlines()
    start = lines.index(
        f"flowgen: flow interface changes: 1 breaking, {added} non-breaking changes"
    )
    assert lines[start + 1 :] == [
        "  BREAKING  Flow_00: flow removed",
        f"  NON-BREAKING  {added} flows added (flowgen pull --verbose lists them)",
    ]


def test_say_changes_folds_only_past_the_limit_and_only_flows_added(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flowgen.changes import Change, Severity
    from flowgen.cli.pull import say_changes

    def added(count: int) -> list[Change]:
        return [
            Change(
                Severity.NON_BREAKING, "flow-added", f"F{n}", None, None, "flow added"
            )
            for n in range(count)
        ]

    output = Change(Severity.NON_BREAKING, "output-added", "G", "output", "o", "added")
    say_changes([*added(MOST_ADDED_LISTED), output], "changes", verbose=False)
    listed = capsys.readouterr().err.splitlines()
    assert len(listed) == 1 + MOST_ADDED_LISTED + 1  # at the limit: each listed
    say_changes([*added(MOST_ADDED_LISTED + 1), output], "changes", verbose=False)
    assert capsys.readouterr().err.splitlines() == [
        f"flowgen: changes: 0 breaking, {MOST_ADDED_LISTED + 2} non-breaking changes",
        "  NON-BREAKING  G: output o added",
        f"  NON-BREAKING  {MOST_ADDED_LISTED + 1} flows added (flowgen pull "
        "--verbose lists them)",
    ]
    say_changes(added(MOST_ADDED_LISTED + 1), "changes")  # check --org: complete
    assert len(capsys.readouterr().err.splitlines()) == 1 + MOST_ADDED_LISTED + 1
