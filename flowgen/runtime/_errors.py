"""The errors a generated package raises: one tree under :class:`FlowError`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import cast


class FlowError(Exception):
    """Root of every error the generated package raises."""


class FlowConfigError(FlowError):
    """The client is not set up right (a missing setting, an unsafe URL)."""


class FlowTransportError(FlowError):
    """The request did not complete: no connection, a timeout, a dropped line.

    ``may_have_run`` is False only when the request provably never reached
    Salesforce; when True the flow may have run, so it is not resent. The
    httpx error is the ``__cause__``.
    """

    def __init__(self, message: str, *, flow_name: str, may_have_run: bool) -> None:
        super().__init__(message)
        self.flow_name = flow_name
        self.may_have_run = may_have_run


class FlowHTTPError(FlowError):
    """Salesforce refused the whole request with an HTTP error."""

    def __init__(
        self,
        message: str,
        *,
        flow_name: str,
        status_code: int,
        error_code: str | None,
        sf_message: str | None,
    ) -> None:
        super().__init__(message)
        self.flow_name = flow_name
        self.status_code = status_code
        self.error_code = error_code
        self.sf_message = sf_message


class SessionExpiredError(FlowHTTPError):
    """401 ``INVALID_SESSION_ID``: the access token expired or was revoked."""


class ApiLimitError(FlowHTTPError):
    """403 ``REQUEST_LIMIT_EXCEEDED``: the org used up its API requests."""


class FlowResponseError(FlowError):
    """Salesforce answered in a shape the runtime cannot read."""


@dataclasses.dataclass(frozen=True)
class SalesforceError:
    """One error Salesforce reported for one flow input."""

    status_code: str | None
    message: str | None
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.status_code or 'ERROR'}: {self.message or '(no message)'}"
        return f"{text} (fields: {', '.join(self.fields)})" if self.fields else text


# What messages call one action, by its path under actions/ (flows' first).
_NOUNS = {
    "custom/flow": "flow",
    "custom/apex": "Apex action",
    "custom/generatePromptResponse": "prompt template",
    "standard": "standard action",
}


def subject(name: str, path: str = "custom/flow") -> str:
    """How a message names an action: ``flow 'Name'``, ``Apex action 'Name'``."""
    return f"{_NOUNS.get(path, 'action')} {name!r}"


def noun(path: str) -> str:
    """What one action under ``actions/<path>`` is called: flow, Apex action..."""
    return _NOUNS.get(path, "action")


class FlowInterviewError(FlowError):
    """The flow ran for this input and failed (its fault path, a validation rule...).

    The other kinds of action fail with it too (an Apex action's exception...).
    """

    def __init__(
        self,
        flow_name: str,
        index: int,
        errors: Sequence[SalesforceError],
        path: str = "custom/flow",
    ) -> None:
        details = (
            "; ".join(str(error) for error in errors) or "no error details were given"
        )
        advice = (
            "Check the input values, or the flow's fault handling in Setup > Flows."
            if path == "custom/flow"
            else "Check the input values."
        )
        super().__init__(
            f"{subject(flow_name, path)} failed for input {index}: {details}. {advice}"
        )
        self.flow_name = flow_name
        self.index = index
        self.errors = tuple(errors)


def salesforce_errors(raw: object) -> tuple[SalesforceError, ...]:
    """The ``errors`` array of one answer; anything unreadable in it is skipped."""
    if not isinstance(raw, list):
        return ()
    errors: list[SalesforceError] = []
    for item in cast("list[object]", raw):
        if not isinstance(item, dict):
            continue
        error = cast("dict[str, object]", item)
        fields = error.get("fields")
        errors.append(
            SalesforceError(
                status_code=_str_or_none(
                    error.get("statusCode") or error.get("errorCode")
                ),
                message=_str_or_none(error.get("message")),
                fields=(
                    tuple(str(f) for f in cast("list[object]", fields))
                    if isinstance(fields, list)
                    else ()
                ),
            )
        )
    return tuple(errors)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
