"""Reading an org that cannot be reached: the host and the cause, at once when
no retry can help, after the retries when one might."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from flowgen.errors import OrgError
from flowgen.sources.org import http
from flowgen.sources.org.auth import AccessToken, SalesforceCli
from flowgen.testing import FakeOrg


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _read(instance_url: str) -> tuple[OrgError, int, float]:
    """The error of one GET from ``instance_url``, the requests sent, the seconds taken."""
    session = http.OrgSession(
        AccessToken(instance_url, "token"), api_version="62.0", backoff_base=0.01
    )

    async def run() -> None:
        async with session:
            await session.get(session.data_path("limits"))

    started = time.monotonic()
    with pytest.raises(OrgError) as caught:
        asyncio.run(run())
    return caught.value, session.requests, time.monotonic() - started


def test_a_host_that_does_not_resolve_is_named_at_once() -> None:
    error, requests, seconds = _read("https://nonexistent.invalid")
    assert str(error).startswith(
        "cannot reach the org: could not resolve host nonexistent.invalid ("
    )
    assert "check the instance URL (--instance-url" in str(error)
    assert requests == 1 and seconds < 3  # no retry: none could resolve it


def test_a_refused_connection_names_host_and_port_at_once() -> None:
    port = closed_port()
    error, requests, _ = _read(f"http://127.0.0.1:{port}")
    assert str(error) == (
        f"cannot reach the org: 127.0.0.1:{port} refused the connection: check the "
        "host and port of the instance URL (--instance-url, instance_url in "
        "[tool.flowgen], or SF_INSTANCE_URL), and that no firewall or proxy is in "
        "the way; nothing was written"
    )
    assert requests == 1


def test_https_to_a_plain_http_server_is_a_failed_tls_handshake() -> None:
    with FakeOrg() as org:
        address = org.instance_url.removeprefix("http://")
        error, requests, _ = _read(f"https://{address}")
    assert f"the TLS handshake with {address} failed (WRONG_VERSION_NUMBER)" in str(
        error
    )
    assert "is it an https server?" in str(error) and requests == 1


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[int]:
    """An https port on 127.0.0.1 whose certificate no CA signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed: the test is over
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (OSError, ssl.SSLError):
                conn.close()  # the client gave up on the certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()


def test_a_certificate_that_does_not_verify_is_named(self_signed_server: int) -> None:
    error, requests, _ = _read(f"https://127.0.0.1:{self_signed_server}")
    assert (
        "the TLS certificate of 127.0.0.1 did not verify (self-signed certificate)"
    ) in str(error)
    assert "SSL_CERT_FILE" in str(error) and requests == 1


def test_a_timeout_is_retried_then_named_with_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http, "TIMEOUT", httpx.Timeout(0.2))
    with FakeOrg(latency=0.5) as org:
        address = org.instance_url.removeprefix("http://")
        error, requests, _ = _read(org.instance_url)
    assert requests == http.ATTEMPTS  # a slow org may answer the next time
    assert str(error).startswith(
        f"GET /services/data/v62.0/limits at {address} failed 5 times "
        "(last: 127.0.0.1 did not answer in time); nothing was written"
    )


def test_the_instance_url_of_a_login_is_said_to_come_from_it() -> None:
    session = http.OrgSession(SalesforceCli("dev"), api_version="62.0")
    assert session._instance_url_source() == (
        "the instance URL that the Salesforce CLI login 'dev' gave"
    )
    asyncio.run(session.aclose())
