"""Getting an instance URL and an access token for an org.

Every way Salesforce developers already log in: the Salesforce CLI's stored
login (``sf org display``), a token in the environment, the OAuth 2.0 JWT
bearer flow, the client credentials flow, and an SFDX auth URL (refresh
token). A :class:`Credential` turns into a :class:`Session`; one that can be
renewed without the user (``refreshable``) is asked again once when the org
says the session expired.

Tokens and secrets never reach a message: errors name the login method and
what to do, and anything the server says is scrubbed of known secrets.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from flowgen.errors import AuthError
from flowgen.sources.org.network import network_problem

# Salesforce's login hosts, by the short names users know from the sf CLI.
LOGIN_URLS: Mapping[str, str] = {
    "login": "https://login.salesforce.com",
    "test": "https://test.salesforce.com",
}
TOKEN_PATH = "/services/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Seconds a signed JWT assertion stays valid; Salesforce accepts up to 3 minutes.
JWT_LIFETIME = 180
SF_TIMEOUT = 60.0  # seconds for `sf org display`, which may refresh a token itself


@dataclass(frozen=True)
class Session:
    """An instance URL and a bearer token; the token stays out of ``repr``."""

    instance_url: str
    access_token: str = field(repr=False)


class Credential(Protocol):
    """A way to log in to one org."""

    @property
    def description(self) -> str:
        """How the user asked to log in, for messages (never a secret)."""

    @property
    def refreshable(self) -> bool:
        """Whether :meth:`login` can be called again for a fresh token."""

    @property
    def relogin_hint(self) -> str:
        """One sentence on how to log in again when the session is refused."""

    def login(self, http: httpx.Client) -> Session:
        """A session; raises :class:`AuthError` with a message that says what to do."""


@dataclass(frozen=True)
class AccessToken:
    """A token the user already has: ``SF_ACCESS_TOKEN`` beside an instance URL."""

    instance_url: str
    token: str = field(repr=False)
    description: str = "the access token in SF_ACCESS_TOKEN"
    refreshable: bool = False
    relogin_hint: str = (
        "Put a fresh token in SF_ACCESS_TOKEN (for example the accessToken of "
        "`sf org display --target-org ALIAS --json`), or log in with --target-org."
    )

    def login(self, http: httpx.Client) -> Session:
        return Session(check_instance_url(self.instance_url), self.token)


@dataclass(frozen=True)
class SalesforceCli:
    """Reuse the Salesforce CLI's login: ``sf org display --target-org ALIAS --json``."""

    alias: str
    executable: str = "sf"
    refreshable: bool = True  # sf renews an expired token from its refresh token

    @property
    def description(self) -> str:
        return f"the Salesforce CLI login {self.alias!r}"

    @property
    def relogin_hint(self) -> str:
        return f"Log in again with `sf org login web --alias {self.alias}`."

    def login(self, http: httpx.Client) -> Session:
        program = shutil.which(self.executable)
        if program is None:
            raise AuthError(
                f"the Salesforce CLI ({self.executable!r}) is not installed or not on "
                "PATH; install it (https://developer.salesforce.com/tools/salesforcecli) "
                "or log in another way (flowgen pull --help)"
            )
        command = [program, "org", "display", "--target-org", self.alias, "--json"]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=SF_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise AuthError(
                f"`sf org display --target-org {self.alias}` did not answer within "
                f"{SF_TIMEOUT:.0f} s"
            ) from None
        except OSError as exc:
            raise AuthError(f"cannot run the Salesforce CLI: {exc.strerror}") from None
        answer = _sf_json(done.stdout)
        result = answer.get("result") if isinstance(answer, dict) else None
        if done.returncode != 0 or not isinstance(result, dict):
            said = answer.get("message") if isinstance(answer, dict) else None
            said = said or done.stderr.strip() or "no answer"
            raise AuthError(
                f"the Salesforce CLI has no usable login {self.alias!r}: "
                f"{_scrub(str(said))}. Log in with `sf org login web --alias {self.alias}` "
                "(or check the name with `sf org list`)"
            )
        status = result.get("connectedStatus")
        url, token = result.get("instanceUrl"), result.get("accessToken")
        if (status not in (None, "Connected")) or not (url and token):
            shown = f" (status: {_scrub(str(status))})" if status else ""
            raise AuthError(
                f"the Salesforce CLI login {self.alias!r} has expired{shown}. "
                + self.relogin_hint
            )
        return Session(check_instance_url(str(url)), str(token))


@dataclass(frozen=True)
class JwtBearer:
    """OAuth 2.0 JWT bearer flow: a connected app's client id, a user, a private key."""

    client_id: str
    username: str
    key_file: Path
    login_url: str = LOGIN_URLS["login"]
    refreshable: bool = True

    @property
    def description(self) -> str:
        return f"the JWT bearer login of {self.username!r}"

    @property
    def relogin_hint(self) -> str:
        return (
            "Check that the connected app still has the certificate of "
            f"{self.key_file} and that {self.username!r} is pre-authorized for it."
        )

    def login(self, http: httpx.Client) -> Session:
        assertion = sign_jwt(
            _read_private_key(self.key_file),
            {
                "iss": self.client_id,
                "sub": self.username,
                "aud": self.login_url,
                "exp": int(time.time()) + JWT_LIFETIME,
            },
        )
        return token_request(
            http,
            self.login_url,
            {"grant_type": JWT_GRANT, "assertion": assertion},
            what=self.description,
            secrets=[assertion],
        )


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth 2.0 client credentials flow against the org's My Domain."""

    client_id: str
    client_secret: str = field(repr=False)
    login_url: str = LOGIN_URLS["login"]
    refreshable: bool = True

    @property
    def description(self) -> str:
        return f"the client credentials of {self.client_id[:8]}..."

    @property
    def relogin_hint(self) -> str:
        return "Check the connected app's client id and the secret in SF_CLIENT_SECRET."

    def login(self, http: httpx.Client) -> Session:
        return token_request(
            http,
            self.login_url,
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            what=self.description,
            secrets=[self.client_secret],
        )


@dataclass(frozen=True)
class AuthUrl:
    """An SFDX auth URL, ``force://clientId:clientSecret:refreshToken@host``.

    ``sf org display --verbose`` prints one; CI systems keep it in ``SF_AUTH_URL``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    login_url: str = LOGIN_URLS["login"]
    refreshable: bool = True
    description: str = "the auth URL in SF_AUTH_URL"
    relogin_hint: str = (
        "The refresh token in SF_AUTH_URL was refused; make a new auth URL with "
        "`sf org display --verbose --json` after logging in again."
    )

    @classmethod
    def parse(cls, url: str) -> AuthUrl:
        """Read ``force://clientId:clientSecret:refreshToken@host`` (secret may be empty)."""
        prefix = "force://"
        body = url.strip()
        if not body.startswith(prefix) or "@" not in body:
            raise AuthError(
                "SF_AUTH_URL is not an auth URL of the form "
                "force://<clientId>:<clientSecret>:<refreshToken>@<instance host>"
            )
        credentials, _, host = body[len(prefix) :].rpartition("@")
        parts = credentials.split(":", 2)
        if len(parts) != 3 or not parts[0] or not parts[2] or not host:
            raise AuthError(
                "SF_AUTH_URL must hold a client id, a (possibly empty) client secret "
                "and a refresh token: force://<clientId>:<clientSecret>:<refreshToken>@<host>"
            )
        client_id, secret, refresh = (urllib.parse.unquote(part) for part in parts)
        scheme = "http" if _is_loopback(host.split(":")[0].strip("[]")) else "https"
        return cls(client_id, secret, refresh, login_url=f"{scheme}://{host}")

    def login(self, http: httpx.Client) -> Session:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": self.refresh_token,
        }
        if self.client_secret:
            form["client_secret"] = self.client_secret
        return token_request(
            http,
            self.login_url,
            form,
            what=self.description,
            secrets=[self.client_secret, self.refresh_token],
            check="SF_AUTH_URL (after its @)",
        )


def login_url(value: str) -> str:
    """``login``, ``test`` or a My Domain URL, as the URL of the token endpoint's host."""
    return LOGIN_URLS.get(value.strip().lower()) or check_instance_url(value)


def check_instance_url(url: str) -> str:
    """``scheme://host[:port]``; https only, except loopback (tests, local proxies)."""
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise AuthError(
            f"{url!r} is not an http(s) URL like https://acme.my.salesforce.com"
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise AuthError(
            f"{url!r} uses plain http; tokens travel only over https (use https://)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def token_request(
    http: httpx.Client,
    base_url: str,
    form: Mapping[str, str],
    *,
    what: str,
    secrets: Iterable[str],
    check: str = "the login URL (--login-url, or login_url in [tool.flowgen])",
) -> Session:
    """POST an OAuth grant to ``base_url``'s token endpoint; the session it grants.

    ``check`` names where ``base_url`` came from, for a host that cannot be
    reached.
    """
    url = check_instance_url(base_url) + TOKEN_PATH
    try:
        response = http.post(url, data=dict(form))
    except httpx.TransportError as exc:
        problem = network_problem(exc, url, check)
        raise AuthError(f"logging in with {what}: {problem.text}") from None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        said = ""
        if isinstance(body, dict) and body.get("error"):
            said = f": {body.get('error')}"
            if body.get("error_description"):
                said += f" ({body.get('error_description')})"
        raise AuthError(
            _scrub(
                f"logging in with {what} failed: HTTP {response.status_code}{said}",
                secrets,
            )
        )
    token, instance = body.get("access_token"), body.get("instance_url")
    if not isinstance(token, str) or not token or not isinstance(instance, str):
        raise AuthError(
            f"logging in with {what}: the token endpoint's answer has no access "
            "token or instance URL"
        )
    return Session(check_instance_url(instance), token)


def sign_jwt(private_key_pem: bytes, claims: Mapping[str, Any]) -> str:
    """A compact RS256 JWS of ``claims``, as Salesforce's JWT bearer flow wants."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise AuthError(
            f"the JWT private key is not an unencrypted PEM private key ({exc})"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthError("the JWT private key must be an RSA key (RS256)")
    header = _b64url(json.dumps({"alg": "RS256"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{_b64url(signature)}"


def _read_private_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AuthError(
            f"cannot read the JWT private key {path}: {exc.strerror}"
        ) from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sf_json(text: str) -> Any:
    # sf may print warnings before its JSON document.
    start = text.find("{")
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


def _scrub(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def from_environment(env: Mapping[str, str] | None = None) -> Credential | None:
    """A credential from the environment alone, or None: ``SF_AUTH_URL``, else
    ``SF_INSTANCE_URL`` with ``SF_ACCESS_TOKEN``."""
    env = os.environ if env is None else env
    if env.get("SF_AUTH_URL"):
        return AuthUrl.parse(env["SF_AUTH_URL"])
    if env.get("SF_INSTANCE_URL") and env.get("SF_ACCESS_TOKEN"):
        return AccessToken(env["SF_INSTANCE_URL"], env["SF_ACCESS_TOKEN"])
    return None


def choose(
    *,
    target_org: str | None = None,
    instance_url: str | None = None,
    client_id: str | None = None,
    username: str | None = None,
    jwt_key_file: str | None = None,
    login: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Credential:
    """The credential the user's flags and environment ask for.

    In order: a Salesforce CLI alias; a JWT key file (with client id and
    username); a client id with ``SF_CLIENT_SECRET``; an instance URL with
    ``SF_ACCESS_TOKEN``; then ``SF_AUTH_URL`` or ``SF_INSTANCE_URL`` with
    ``SF_ACCESS_TOKEN`` from the environment alone.
    """
    env = os.environ if env is None else env
    base = login_url(login or env.get("SF_LOGIN_URL") or "login")
    client_id = client_id or env.get("SF_CLIENT_ID")
    if target_org:
        return SalesforceCli(target_org)
    if jwt_key_file:
        username = username or env.get("SF_USERNAME")
        if not (client_id and username):
            raise AuthError(
                "the JWT bearer login needs --client-id (or SF_CLIENT_ID) and "
                "--username (or SF_USERNAME) besides --jwt-key-file"
            )
        return JwtBearer(client_id, username, Path(jwt_key_file), login_url=base)
    if client_id and env.get("SF_CLIENT_SECRET"):
        return ClientCredentials(client_id, env["SF_CLIENT_SECRET"], login_url=base)
    if instance_url:
        token = env.get("SF_ACCESS_TOKEN")
        if not token:
            raise AuthError(
                "--instance-url needs the access token in the SF_ACCESS_TOKEN "
                "environment variable (never on the command line, where shell "
                "history would keep it)"
            )
        return AccessToken(instance_url, token)
    found = from_environment(env)
    if found is not None:
        return found
    raise AuthError(
        "no way to log in to an org: pass --target-org ALIAS (a Salesforce CLI "
        "login), or --instance-url URL with SF_ACCESS_TOKEN set, or --jwt-key-file "
        "with --client-id and --username, or --client-id with SF_CLIENT_SECRET set, "
        "or set SF_AUTH_URL"
    )
