"""Why a request to an org got no answer, said so a user can act on it.

httpx says "ConnectError"; the user needs the host, the cause (no such host,
refused, a certificate, a timeout) and what to check. Whether a retry could
help decides between failing at once and retrying: a host that does not
resolve resolves no better a second later.
"""

from __future__ import annotations

import socket
import ssl
import urllib.parse
from typing import NamedTuple

import httpx


class NetworkProblem(NamedTuple):
    """Why a request got no answer, for a message; and whether it will last."""

    text: str  # names the host and the cause, and says what to check
    lasting: bool  # a retry cannot help: no such host, refused, a bad certificate


def network_problem(exc: httpx.TransportError, url: str, check: str) -> NetworkProblem:
    """What kept a request to ``url`` from an answer. ``check`` names where the
    URL came from ("the login URL (--login-url)"), for the advice."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or url
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 443
    address = f"{host}:{port}"
    cause = _os_cause(exc)
    if isinstance(cause, socket.gaierror):
        if cause.errno == socket.EAI_AGAIN:
            return NetworkProblem(
                f"could not resolve host {host} (a temporary DNS failure): check "
                "the network connection",
                False,
            )
        return NetworkProblem(
            f"could not resolve host {host} ({cause.strerror}): check {check}", True
        )
    if isinstance(cause, ssl.SSLCertVerificationError):
        return NetworkProblem(
            f"the TLS certificate of {host} did not verify "
            f"({cause.verify_message or cause.reason}): check {check}; behind a "
            "proxy that inspects TLS, set SSL_CERT_FILE to a CA bundle that holds "
            "its certificate",
            True,
        )
    if isinstance(cause, ssl.SSLError):
        # A plain http server on the port answers a TLS hello with nonsense.
        lasting = cause.reason == "WRONG_VERSION_NUMBER"
        return NetworkProblem(
            f"the TLS handshake with {address} failed ({cause.reason or cause}): "
            f"is it an https server? Check the scheme and port of {check}",
            lasting,
        )
    if isinstance(cause, ConnectionRefusedError):
        return NetworkProblem(
            f"{address} refused the connection: check the host and port of "
            f"{check}, and that no firewall or proxy is in the way",
            True,
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return NetworkProblem(
            f"{address} did not accept a connection in time: check {check}, and "
            "the network (a firewall or proxy?)",
            False,
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkProblem(f"{host} did not answer in time", False)
    if cause is not None and cause.strerror:
        return NetworkProblem(f"cannot reach {address} ({cause.strerror})", False)
    return NetworkProblem(
        f"the connection to {host} broke off ({type(exc).__name__}: {exc})", False
    )


def _os_cause(exc: BaseException) -> OSError | None:
    # httpx wraps httpcore's error, which wraps the socket's (or ssl's) OSError,
    # which may wrap another ("All connection attempts failed": refused): the
    # deepest OSError is the cause.
    found = None
    seen: BaseException | None = exc
    for _ in range(10):  # a chain is short; never follow a cycle for ever
        if seen is None:
            break
        if isinstance(seen, OSError):
            found = seen
        seen = seen.__cause__ or seen.__context__
    return found
