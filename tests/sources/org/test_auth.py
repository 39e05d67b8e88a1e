"""Logging in: every credential kind, its errors, and no secret in any message."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from flowgen.errors import AuthError
from flowgen.sources.org import auth
from tests.sources.org.test_http import closed_port

TOKEN = "00Dxx0000001gPL!AQ4AQFake.Token.Value"


def _token_endpoint(
    seen: list[dict[str, str]], *, status: int = 200, body: Any = None
) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/services/oauth2/token"
        seen.append(dict(urllib.parse.parse_qsl(request.content.decode())))
        answer = body or {
            "access_token": TOKEN,
            "instance_url": "https://acme.my.salesforce.com",
        }
        return httpx.Response(status, json=answer)

    return httpx.Client(transport=httpx.MockTransport(handle), timeout=5)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_an_access_token_is_used_as_given_and_kept_out_of_repr() -> None:
    credential = auth.AccessToken("https://acme.my.salesforce.com/", TOKEN)
    session = credential.login(httpx.Client())
    assert session.instance_url == "https://acme.my.salesforce.com"
    assert session.access_token == TOKEN
    assert TOKEN not in repr(session) and TOKEN not in repr(credential)
    assert not credential.refreshable


@pytest.mark.parametrize(
    "url", ["http://acme.my.salesforce.com", "ftp://x", "acme.my.salesforce.com"]
)
def test_only_https_urls_except_loopback(url: str) -> None:
    with pytest.raises(AuthError):
        auth.check_instance_url(url)
    assert auth.check_instance_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"


def test_jwt_bearer_signs_a_verifiable_assertion(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    seen: list[dict[str, str]] = []
    credential = auth.JwtBearer(
        "3MVG9client", "ci@acme.com", key_file, login_url=auth.login_url("test")
    )
    session = credential.login(_token_endpoint(seen))
    assert session.access_token == TOKEN
    (form,) = seen
    assert form["grant_type"] == auth.JWT_GRANT
    header, claims, signature = form["assertion"].split(".")
    assert json.loads(_b64decode(header)) == {"alg": "RS256"}
    payload = json.loads(_b64decode(claims))
    assert payload["iss"] == "3MVG9client" and payload["sub"] == "ci@acme.com"
    assert payload["aud"] == "https://test.salesforce.com"
    key.public_key().verify(  # raises when the signature is wrong
        _b64decode(signature),
        f"{header}.{claims}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_a_bad_key_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    with pytest.raises(AuthError, match="not an unencrypted PEM private key"):
        auth.JwtBearer("id", "u", bad).login(_token_endpoint([]))
    with pytest.raises(AuthError, match="cannot read the JWT private key"):
        auth.JwtBearer("id", "u", tmp_path / "missing.key").login(_token_endpoint([]))


def test_client_credentials_post_the_secret_and_never_show_it() -> None:
    seen: list[dict[str, str]] = []
    credential = auth.ClientCredentials(
        "3MVG9client", "s3cr3t", login_url="https://acme.my.salesforce.com"
    )
    assert credential.login(_token_endpoint(seen)).access_token == TOKEN
    assert seen == [
        {
            "grant_type": "client_credentials",
            "client_id": "3MVG9client",
            "client_secret": "s3cr3t",
        }
    ]
    assert "s3cr3t" not in repr(credential)
    refusing = _token_endpoint(
        [],
        status=400,
        body={"error": "invalid_client", "error_description": "bad secret s3cr3t"},
    )
    with pytest.raises(AuthError) as caught:
        credential.login(refusing)
    assert "invalid_client" in str(caught.value) and "s3cr3t" not in str(caught.value)


def test_an_auth_url_is_parsed_and_uses_the_refresh_token_grant() -> None:
    credential = auth.AuthUrl.parse(
        "force://PlatformCLI::5Aep861refresh@acme.my.salesforce.com"
    )
    assert credential.login_url == "https://acme.my.salesforce.com"
    seen: list[dict[str, str]] = []
    assert credential.login(_token_endpoint(seen)).access_token == TOKEN
    assert seen == [
        {
            "grant_type": "refresh_token",
            "client_id": "PlatformCLI",
            "refresh_token": "5Aep861refresh",
        }
    ]
    assert "5Aep861refresh" not in repr(credential)


@pytest.mark.parametrize(
    "url", ["https://acme.com", "force://only-id@host", "force://id:secret:@host"]
)
def test_a_malformed_auth_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(AuthError) as caught:
        auth.AuthUrl.parse(url)
    assert url not in str(caught.value)


def test_choose_follows_flags_then_environment() -> None:
    env = {"SF_ACCESS_TOKEN": TOKEN, "SF_CLIENT_SECRET": "s", "SF_USERNAME": "u"}
    assert isinstance(auth.choose(target_org="dev", env=env), auth.SalesforceCli)
    jwt = auth.choose(jwt_key_file="k.pem", client_id="id", env=env)
    assert isinstance(jwt, auth.JwtBearer) and jwt.username == "u"
    assert isinstance(auth.choose(client_id="id", env=env), auth.ClientCredentials)
    by_url = auth.choose(instance_url="https://acme.my.salesforce.com", env=env)
    assert isinstance(by_url, auth.AccessToken)
    from_env = auth.choose(env={"SF_INSTANCE_URL": "https://a.com", **env})
    assert isinstance(from_env, auth.AccessToken)
    assert isinstance(
        auth.choose(env={"SF_AUTH_URL": "force://id::r@h.com"}), auth.AuthUrl
    )
    with pytest.raises(AuthError, match="SF_ACCESS_TOKEN"):
        auth.choose(instance_url="https://acme.my.salesforce.com", env={})
    with pytest.raises(AuthError, match="--username"):
        auth.choose(jwt_key_file="k.pem", client_id="id", env={})
    with pytest.raises(AuthError, match="no way to log in"):
        auth.choose(env={})


# -- the Salesforce CLI, replaced by a stub executable on PATH -----------------


def _stub_sf(directory: Path, answer: dict[str, Any], exit_code: int = 0) -> None:
    script = directory / "sf"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "assert sys.argv[1:4] == ['org', 'display', '--target-org'], sys.argv\n"
        "assert sys.argv[5:] == ['--json'], sys.argv\n"
        "print('Warning: a newer sf is available')\n"
        f"print(json.dumps({answer!r}))\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def sf_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", str(directory))
    return directory


@pytest.mark.skipif(os.name == "nt", reason="a shebang stub needs POSIX")
def test_the_salesforce_cli_login_is_reused(sf_dir: Path) -> None:
    _stub_sf(
        sf_dir,
        {
            "status": 0,
            "result": {
                "instanceUrl": "https://acme.my.salesforce.com",
                "accessToken": TOKEN,
                "connectedStatus": "Connected",
            },
        },
    )
    session = auth.SalesforceCli("dev").login(httpx.Client())
    assert session == auth.Session("https://acme.my.salesforce.com", TOKEN)


@pytest.mark.skipif(os.name == "nt", reason="a shebang stub needs POSIX")
def test_an_unknown_alias_says_how_to_log_in(sf_dir: Path) -> None:
    _stub_sf(
        sf_dir,
        {
            "status": 1,
            "name": "NamedOrgNotFoundError",
            "message": "No authorization information found for nope.",
        },
        exit_code=1,
    )
    with pytest.raises(AuthError) as caught:
        auth.SalesforceCli("nope").login(httpx.Client())
    message = str(caught.value)
    assert "No authorization information found" in message
    assert "sf org login web --alias nope" in message


@pytest.mark.skipif(os.name == "nt", reason="a shebang stub needs POSIX")
def test_an_expired_cli_login_is_reported_without_its_token(sf_dir: Path) -> None:
    _stub_sf(
        sf_dir,
        {
            "status": 0,
            "result": {
                "instanceUrl": "https://acme.my.salesforce.com",
                "accessToken": TOKEN,
                "connectedStatus": "RefreshTokenAuthError",
            },
        },
    )
    with pytest.raises(AuthError) as caught:
        auth.SalesforceCli("dev").login(httpx.Client())
    assert "has expired" in str(caught.value) and TOKEN not in str(caught.value)


def test_a_missing_salesforce_cli_is_named(sf_dir: Path) -> None:
    with pytest.raises(AuthError, match="Salesforce CLI .* is not installed"):
        auth.SalesforceCli("dev").login(httpx.Client())


def test_a_login_host_that_does_not_resolve_is_named() -> None:
    credential = auth.ClientCredentials(
        "3MVG9client", "s3cr3t", login_url="https://nonexistent.invalid"
    )
    with httpx.Client(timeout=5) as client, pytest.raises(AuthError) as caught:
        credential.login(client)
    message = str(caught.value)
    assert message.startswith(
        "logging in with the client credentials of 3MVG9cli...: could not resolve "
        "host nonexistent.invalid ("
    )
    assert message.endswith(
        "check the login URL (--login-url, or login_url in [tool.flowgen])"
    )
    assert "s3cr3t" not in message


def test_a_refused_login_connection_names_the_auth_url_host() -> None:
    port = closed_port()
    credential = auth.AuthUrl.parse(
        f"force://PlatformCLI::5Aep-refresh@127.0.0.1:{port}"
    )
    with httpx.Client(timeout=5) as client, pytest.raises(AuthError) as caught:
        credential.login(client)
    assert str(caught.value) == (
        f"logging in with the auth URL in SF_AUTH_URL: 127.0.0.1:{port} refused the "
        "connection: check the host and port of SF_AUTH_URL (after its @), and "
        "that no firewall or proxy is in the way"
    )
