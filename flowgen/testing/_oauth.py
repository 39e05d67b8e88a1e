"""The OAuth token endpoint: client credentials, refresh token and JWT bearer."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TOKEN_PATH = "/services/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Salesforce's login hosts; the org's own URL is accepted as audience too.
LOGIN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
_FORM = "application/x-www-form-urlencoded"
# Parameters never to be echoed or recorded.
_SECRETS = frozenset({"client_secret", "refresh_token", "assertion"})
_REDACTED = b"<redacted>"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(Exception):
    """A refused token request: answered 400 ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        """The OAuth error body; it never holds a parameter's value."""
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class OAuthClient:
    """A connected app the org trusts, and what each grant checks against it."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    username: str | None = None
    public_key: rsa.RSAPublicKey | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """An RSA public key from a PEM public key or certificate (what Salesforce keeps)."""
    if pem.lstrip().startswith(b"-----BEGIN CERTIFICATE"):
        key: object = x509.load_pem_x509_certificate(pem).public_key()
    else:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"jwt_public_key must be an RSA key, not {type(key).__name__}")
    return key


def form_params(content_type: str, body: bytes) -> dict[str, str]:
    """The form's parameters (first of each name); empty unless form-encoded.

    Salesforce too reads only form bodies: a JSON body has no ``grant_type``.
    """
    if content_type.split(";", 1)[0].strip().lower() != _FORM:
        return {}
    params: dict[str, str] = {}
    text = body.decode("utf-8", errors="replace")
    for name, value in parse_qsl(text, keep_blank_values=True):
        params.setdefault(name, value)
    return params


def redact(content_type: str, body: bytes) -> bytes:
    """The body to record: secret form values replaced by ``<redacted>``.

    Other pairs keep their exact bytes. A body that is not a form cannot be
    redacted piecewise, so it is recorded as ``<redacted>`` whole.
    """
    if not body:
        return body
    if content_type.split(";", 1)[0].strip().lower() != _FORM:
        return _REDACTED
    pairs = []
    for pair in body.split(b"&"):
        raw_name = pair.split(b"=", 1)[0]
        name = unquote_plus(raw_name.decode("utf-8", errors="replace"))
        pairs.append(raw_name + b"=" + _REDACTED if name in _SECRETS else pair)
    return b"&".join(pairs)


def authenticate(
    clients: Mapping[str, OAuthClient],
    params: Mapping[str, str],
    *,
    audiences: tuple[str, ...],
    now: float,
) -> None:
    """Check a token request; raises ``TokenError`` for anything Salesforce refuses."""
    grant = params.get("grant_type")
    if grant == "client_credentials":
        client = _client(clients, params.get("client_id"))
        if client.client_secret is None:
            raise TokenError("invalid_client", "client credentials flow not enabled")
        _check_secret(client, params)
    elif grant == "refresh_token":
        client = _client(clients, params.get("client_id"))
        if client.client_secret is not None:
            _check_secret(client, params)
        if not _same(client.refresh_token, params.get("refresh_token")):
            raise TokenError("invalid_grant", "expired access/refresh token")
    elif grant == JWT_BEARER:
        _check_assertion(clients, params.get("assertion", ""), audiences, now)
    else:
        raise TokenError("unsupported_grant_type", "grant type not supported")


def success(access_token: str, instance_url: str, now: float) -> dict[str, str]:
    """The body of a granted token request."""
    return {
        "access_token": access_token,
        "instance_url": instance_url,
        "id": f"{instance_url}/id/00DFAKE/005FAKE",
        "token_type": "Bearer",
        "issued_at": str(int(now * 1000)),
        "signature": "fake",
    }


def _client(clients: Mapping[str, OAuthClient], client_id: str | None) -> OAuthClient:
    client = clients.get(client_id or "")
    if client is None:
        raise TokenError("invalid_client_id", "client identifier invalid")
    return client


def _same(expected: str | None, given: str | None) -> bool:
    # Constant time, as a real server compares secrets.
    return (
        expected is not None
        and given is not None
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def _check_secret(client: OAuthClient, params: Mapping[str, str]) -> None:
    if not _same(client.client_secret, params.get("client_secret")):
        raise TokenError("invalid_client", "invalid client credentials")


def _check_assertion(
    clients: Mapping[str, OAuthClient],
    assertion: str,
    audiences: tuple[str, ...],
    now: float,
) -> None:
    parts = assertion.split(".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
        raise TokenError("invalid_grant", "invalid assertion: not a compact JWS")
    header = _json_part(parts[0])
    claims = _json_part(parts[1])
    if header.get("alg") != "RS256":
        raise TokenError("invalid_grant", "invalid assertion: alg must be RS256")
    issuer = claims.get("iss")
    client = _client(clients, issuer if isinstance(issuer, str) else None)
    if client.public_key is None:
        raise TokenError("invalid_client", "no certificate registered for client")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    try:
        client.public_key.verify(
            _decode(parts[2]), signed, padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        raise TokenError("invalid_grant", "invalid assertion signature") from None
    if client.username is None or claims.get("sub") != client.username:
        raise TokenError("invalid_grant", "user not found for subject")
    audience = claims.get("aud")
    given = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(aud, str) and aud in audiences for aud in given):
        raise TokenError("invalid_grant", "audience is invalid")
    expiry = claims.get("exp")
    if isinstance(expiry, bool) or not isinstance(expiry, (int, float)):
        raise TokenError("invalid_grant", "invalid assertion: exp must be a number")
    if expiry <= now:
        raise TokenError("invalid_grant", "expired assertion")


def _decode(part: str) -> bytes:
    # JWS drops base64 padding; put it back for the standard decoder.
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except binascii.Error:  # e.g. a length no encoder produces
        raise TokenError("invalid_grant", "invalid assertion: bad base64url") from None


def _json_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decode(part))
    except ValueError:  # bad UTF-8 or JSON
        value = None
    if not isinstance(value, dict):
        raise TokenError("invalid_grant", "invalid assertion: not a JSON object")
    return value
