"""The OAuth token endpoint: each grant, its refusals, rotation and redaction."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from flowgen.testing import FakeOrg
from tests.testing.conftest import FLOWS, TIMEOUT, http_client

TOKEN_PATH = "/services/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SECRET = "s3cret-value"
REFRESH = "refresh-token-value"
USERNAME = "ci@example.com"
LOGIN = "https://login.salesforce.com"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def org(key: rsa.RSAPrivateKey) -> Iterator[FakeOrg]:
    with FakeOrg() as running:
        running.add_oauth_client("cc-app", client_secret=SECRET)
        running.add_oauth_client("refresh-app", refresh_token=REFRESH)
        running.add_oauth_client(
            "refresh-secret-app", client_secret=SECRET, refresh_token=REFRESH
        )
        running.add_oauth_client("jwt-app", username=USERNAME, jwt_public_key=_pem(key))
        yield running


@pytest.fixture
def login(org: FakeOrg) -> Iterator[httpx.Client]:
    # No Authorization header: logging in is how a client gets one.
    with httpx.Client(base_url=org.instance_url, timeout=TIMEOUT, verify=False) as c:
        yield c


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(
    private_key: rsa.RSAPrivateKey,
    claims: Mapping[str, Any] | None = None,
    *,
    header: Mapping[str, Any] | None = None,
) -> str:
    """A compact RS256 JWS, built by hand as a client would."""
    body = {"iss": "jwt-app", "sub": USERNAME, "aud": LOGIN, "exp": time.time() + 300}
    body.update(claims or {})
    head = dict(header or {"alg": "RS256", "typ": "JWT"})
    signing_input = (
        f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(body).encode())}"
    )
    signature = private_key.sign(
        signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{signing_input}.{_b64(signature)}"


def _token(client: httpx.Client, **form: str) -> httpx.Response:
    return client.post(TOKEN_PATH, data=form)


def _assert_granted(response: httpx.Response, org: FakeOrg) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    issued_at = body.pop("issued_at")
    assert body == {
        "access_token": org.access_token,
        "instance_url": org.instance_url,
        "id": f"{org.instance_url}/id/00DFAKE/005FAKE",
        "token_type": "Bearer",
        "signature": "fake",
    }
    assert isinstance(issued_at, str)
    assert abs(int(issued_at) / 1000 - time.time()) < 60


# --- grants --------------------------------------------------------------------


def test_client_credentials(org: FakeOrg, login: httpx.Client) -> None:
    response = _token(
        login, grant_type="client_credentials", client_id="cc-app", client_secret=SECRET
    )

    _assert_granted(response, org)
    token = response.json()["access_token"]
    with http_client(org, token=token) as api:
        assert api.get(FLOWS).status_code == 200


def test_refresh_token(org: FakeOrg, login: httpx.Client) -> None:
    response = _token(
        login,
        grant_type="refresh_token",
        client_id="refresh-app",
        refresh_token=REFRESH,
    )

    _assert_granted(response, org)


def test_refresh_token_with_client_secret(org: FakeOrg, login: httpx.Client) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": "refresh-secret-app",
        "refresh_token": REFRESH,
    }

    without_secret = _token(login, **form)
    with_secret = _token(login, **form, client_secret=SECRET)

    assert without_secret.status_code == 400
    assert without_secret.json()["error"] == "invalid_client"
    _assert_granted(with_secret, org)


@pytest.mark.parametrize(
    "audience",
    [LOGIN, "https://test.salesforce.com", "own", ["https://other", LOGIN]],
    ids=["login", "test", "instance-url", "list"],
)
def test_jwt_bearer(
    org: FakeOrg, login: httpx.Client, key: rsa.RSAPrivateKey, audience: Any
) -> None:
    aud = org.instance_url if audience == "own" else audience

    response = _token(login, grant_type=JWT_BEARER, assertion=_jwt(key, {"aud": aud}))

    _assert_granted(response, org)


def test_jwt_bearer_with_a_certificate_registered(
    org: FakeOrg, login: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    import datetime

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flowgen-ci")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    org.add_oauth_client(
        "cert-app",
        username=USERNAME,
        jwt_public_key=certificate.public_bytes(serialization.Encoding.PEM),
    )

    response = _token(
        login, grant_type=JWT_BEARER, assertion=_jwt(key, {"iss": "cert-app"})
    )

    _assert_granted(response, org)


# --- refusals ------------------------------------------------------------------


def _refused(response: httpx.Response, error: str) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert sorted(body) == ["error", "error_description"]
    assert body["error"] == error
    assert isinstance(body["error_description"], str) and body["error_description"]
    return response.text


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (
            {
                "grant_type": "client_credentials",
                "client_id": "cc-app",
                "client_secret": "wrong",
            },
            "invalid_client",
        ),
        ({"grant_type": "client_credentials", "client_id": "cc-app"}, "invalid_client"),
        (
            {
                "grant_type": "client_credentials",
                "client_id": "nobody",
                "client_secret": SECRET,
            },
            "invalid_client_id",
        ),
        # A client without a secret cannot use client credentials at all.
        (
            {
                "grant_type": "client_credentials",
                "client_id": "refresh-app",
                "client_secret": "",
            },
            "invalid_client",
        ),
        (
            {
                "grant_type": "refresh_token",
                "client_id": "refresh-app",
                "refresh_token": "wrong",
            },
            "invalid_grant",
        ),
        (
            {
                "grant_type": "refresh_token",
                "client_id": "cc-app",
                "refresh_token": REFRESH,
                "client_secret": SECRET,
            },
            "invalid_grant",
        ),
        ({"grant_type": "password", "client_id": "cc-app"}, "unsupported_grant_type"),
        ({"client_id": "cc-app", "client_secret": SECRET}, "unsupported_grant_type"),
    ],
    ids=[
        "wrong-secret",
        "missing-secret",
        "unknown-client",
        "no-secret-registered",
        "wrong-refresh-token",
        "no-refresh-token-registered",
        "unknown-grant",
        "no-grant",
    ],
)
def test_refused_grants(login: httpx.Client, form: dict[str, str], error: str) -> None:
    text = _refused(_token(login, **form), error)

    for value in form.values():
        if value in (SECRET, REFRESH, "wrong"):
            assert value not in text


def test_json_body_is_not_a_grant(login: httpx.Client) -> None:
    form = {"grant_type": "client_credentials", "client_id": "cc-app"}

    response = login.post(TOKEN_PATH, json={**form, "client_secret": SECRET})

    _refused(response, "unsupported_grant_type")


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"exp": time.time() - 10}, "invalid_grant"),
        ({"exp": "tomorrow"}, "invalid_grant"),
        ({"aud": "https://evil.example.com"}, "invalid_grant"),
        ({"aud": None}, "invalid_grant"),
        ({"sub": "someone@else.com"}, "invalid_grant"),
        ({"iss": "nobody"}, "invalid_client_id"),
    ],
    ids=[
        "expired",
        "bad-exp",
        "wrong-audience",
        "no-audience",
        "wrong-subject",
        "unknown-issuer",
    ],
)
def test_refused_assertions(
    login: httpx.Client, key: rsa.RSAPrivateKey, claims: dict[str, Any], error: str
) -> None:
    assertion = _jwt(key, claims)

    text = _refused(_token(login, grant_type=JWT_BEARER, assertion=assertion), error)

    assert assertion not in text


def test_assertion_signed_by_another_key_is_refused(
    login: httpx.Client, other_key: rsa.RSAPrivateKey
) -> None:
    response = _token(login, grant_type=JWT_BEARER, assertion=_jwt(other_key))

    _refused(response, "invalid_grant")
    assert "signature" in response.json()["error_description"]


def test_tampered_claims_break_the_signature(
    login: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    header, _, signature = _jwt(key).split(".")
    forged = _b64(json.dumps({"iss": "jwt-app", "sub": "admin@example.com"}).encode())

    response = _token(
        login, grant_type=JWT_BEARER, assertion=f"{header}.{forged}.{signature}"
    )

    _refused(response, "invalid_grant")


@pytest.mark.parametrize(
    "assertion",
    [
        "",
        "a.b",
        "not base64!.x.y",
        f"{_b64(b'not json')}.{_b64(b'{}')}.{_b64(b'sig')}",
        f"{_b64(b'[]')}.{_b64(b'{}')}.{_b64(b'sig')}",
        "a.b.c",
    ],
)
def test_malformed_assertions_are_invalid_grant(
    login: httpx.Client, assertion: str
) -> None:
    _refused(_token(login, grant_type=JWT_BEARER, assertion=assertion), "invalid_grant")


@pytest.mark.parametrize("alg", ["HS256", "none", "RS512"])
def test_only_rs256_is_accepted(
    login: httpx.Client, key: rsa.RSAPrivateKey, alg: str
) -> None:
    assertion = _jwt(key, header={"alg": alg})

    _refused(_token(login, grant_type=JWT_BEARER, assertion=assertion), "invalid_grant")


def test_client_without_key_cannot_use_jwt(
    login: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    assertion = _jwt(key, {"iss": "cc-app"})

    _refused(
        _token(login, grant_type=JWT_BEARER, assertion=assertion), "invalid_client"
    )


def test_non_rsa_key_is_rejected_at_registration(org: FakeOrg) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    with pytest.raises(ValueError, match="RSA"):
        org.add_oauth_client("ec-app", jwt_public_key=ec_pem)


# --- rotation and redaction ------------------------------------------------------


def test_token_endpoint_hands_out_the_current_token(
    org: FakeOrg, login: httpx.Client
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "cc-app",
        "client_secret": SECRET,
    }
    old = _token(login, **form).json()["access_token"]

    org.access_token = "rotated-token"
    new = _token(login, **form).json()["access_token"]

    assert (old, new) == ("fake-access-token", "rotated-token")
    with http_client(org, token=old) as stale, http_client(org, token=new) as fresh:
        assert stale.get(FLOWS).status_code == 401
        assert fresh.get(FLOWS).status_code == 200


def test_recorded_token_requests_redact_secrets(
    org: FakeOrg, login: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    assertion = _jwt(key)
    _token(
        login, grant_type="client_credentials", client_id="cc-app", client_secret=SECRET
    )
    _token(
        login,
        grant_type="refresh_token",
        client_id="refresh-app",
        refresh_token=REFRESH,
    )
    _token(login, grant_type=JWT_BEARER, assertion=assertion)
    login.post(TOKEN_PATH, json={"client_secret": SECRET})
    login.post(
        TOKEN_PATH,
        data={"client_secret": SECRET},
        headers={"Authorization": f"Basic {SECRET}"},
    )

    recorded = [r for r in org.requests if r.path == TOKEN_PATH]
    assert len(recorded) == 5
    for request in recorded:
        text = request.body.decode() + repr(request.headers)
        for secret in (SECRET, REFRESH, assertion):
            assert secret not in text
    forms = [parse_qs(r.body.decode()) for r in recorded[:3]]
    assert forms[0] == {
        "grant_type": ["client_credentials"],
        "client_id": ["cc-app"],
        "client_secret": ["<redacted>"],
    }
    assert forms[1]["refresh_token"] == ["<redacted>"]
    assert forms[1]["client_id"] == ["refresh-app"]
    assert forms[2] == {"grant_type": [JWT_BEARER], "assertion": ["<redacted>"]}
    assert recorded[3].body == b"<redacted>"  # not a form: redacted whole
    assert recorded[4].headers["Authorization"] == "<redacted>"


def test_token_endpoint_needs_post(login: httpx.Client) -> None:
    response = login.get(TOKEN_PATH)

    _refused(response, "invalid_request")
