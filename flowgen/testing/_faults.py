"""Injected faults: what goes wrong, and which requests it goes wrong for."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from . import _wire
from ._server import Reply

# What Salesforce says for the statuses clients most often have to handle.
_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    401: (_wire.INVALID_SESSION, "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    404: (_wire.NOT_FOUND, "The requested resource does not exist"),
    429: ("TOO_MANY_REQUESTS", "Too many requests; try again later"),
    500: (_wire.UNKNOWN_EXCEPTION, "An unexpected error occurred"),
    503: ("SERVER_UNAVAILABLE", "Server unavailable; try again later"),
}
# Statuses a client is expected to retry; they say when (at once, in tests).
_RETRY_AFTER = frozenset({429, 503})
# Cut off mid-document, so any JSON parser rejects it.
_MALFORMED_BODY = b'{"malformed": [1, 2'


@dataclass(frozen=True)
class Fault:
    """A wrong answer for ``FakeOrg.inject``; build one with a constructor below.

    ``status`` answers an HTTP error with a Salesforce error list, ``drop``
    closes the connection without answering, ``malformed`` answers 200 with
    a body that is not JSON, ``html`` answers an error page.
    """

    kind: Literal["status", "drop", "malformed", "html"]
    status_code: int | None = None  # None: no answer at all
    error_code: str | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("status", "drop", "malformed", "html"):
            raise ValueError(f"unknown fault kind {self.kind!r}")

    @classmethod
    def status(
        cls, code: int, error_code: str | None = None, message: str | None = None
    ) -> Fault:
        """Answer HTTP ``code`` (400-599) with ``[{"errorCode", "message"}]``.

        Missing parts default to what Salesforce sends for that status;
        429 and 503 also carry ``Retry-After: 0``.
        """
        if not 400 <= code <= 599:
            raise ValueError(f"a fault status must be 400-599, not {code}")
        default_code, default_message = _DEFAULT_ERRORS.get(
            code, (_wire.UNKNOWN_EXCEPTION, f"HTTP {code}")
        )
        return cls(
            "status",
            code,
            default_code if error_code is None else error_code,
            default_message if message is None else message,
        )

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without sending any response."""
        return cls("drop")

    @classmethod
    def malformed(cls) -> Fault:
        """Answer 200 ``application/json`` with a body that is not valid JSON."""
        return cls("malformed", 200)

    @classmethod
    def html(cls, code: int = 502) -> Fault:
        """Answer HTTP ``code`` with an HTML page, as a proxy or load balancer
        in front of the org does."""
        if not 400 <= code <= 599:
            raise ValueError(f"a fault status must be 400-599, not {code}")
        return cls("html", code)

    def error_body(self) -> list[dict[str, str]]:
        """The Salesforce error list a status fault answers with."""
        return _wire.error(
            self.error_code or _wire.UNKNOWN_EXCEPTION, self.message or ""
        )

    def reply(self) -> Reply:
        """The server's answer for this fault."""
        if self.kind == "drop":
            return Reply(drop=True)
        status = self.status_code or 200
        if self.kind == "malformed":
            return Reply(status, raw=_MALFORMED_BODY)
        if self.kind == "html":
            page = f"<html><body><h1>{status} Server Error</h1></body></html>"
            return Reply(
                status,
                raw=page.encode("ascii"),
                headers=(("Content-Type", "text/html; charset=utf-8"),),
            )
        headers = (("Retry-After", "0"),) if status in _RETRY_AFTER else ()
        return Reply(status, self.error_body(), headers=headers)


@dataclass
class _Pending:
    fault: Fault
    target: str | None  # None matches any
    method: str | None  # upper case; None matches any
    exact: bool  # target must equal, not just occur in, what is matched
    remaining: int


class FaultQueue:
    """Faults waiting for matching requests, handed out in order of injection."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()

    def add(
        self,
        fault: Fault,
        *,
        target: str | None,
        method: str | None,
        times: int,
        exact: bool = False,
    ) -> None:
        """Queue ``fault`` for the next ``times`` matching requests."""
        if not isinstance(fault, Fault):
            raise TypeError(f"expected a Fault, not {type(fault).__name__}")
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        method = None if method is None else method.upper()
        with self._lock:
            self._pending.append(_Pending(fault, target, method, exact, times))

    def take(self, method: str, subject: str) -> Fault | None:
        """The fault for a request (consuming one use of it), or None."""
        with self._lock:
            for index, pending in enumerate(self._pending):
                if pending.method not in (None, method.upper()):
                    continue
                target = pending.target
                if target is not None and not (
                    target == subject if pending.exact else target in subject
                ):
                    continue
                pending.remaining -= 1
                if pending.remaining == 0:
                    del self._pending[index]
                return pending.fault
        return None
