"""What both clients share: settings, the resend rules, and reading answers."""

from __future__ import annotations

import ipaddress
import logging
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

import httpx

from ._errors import (
    ApiLimitError,
    FlowConfigError,
    FlowError,
    FlowHTTPError,
    FlowResponseError,
    FlowTransportError,
    SessionExpiredError,
    noun,
    subject,
)
from ._flow import DEFAULT_API_VERSION, FLOW_PATH
from ._json import loads

# A flow may run for a while before it answers; connecting should not.
DEFAULT_TIMEOUT: Final = httpx.Timeout(120.0, connect=10.0)
DEFAULT_BATCH_SIZE: Final = 200
# Resends after a refused connection: nothing was sent, so nothing ran.
DEFAULT_CONNECT_RETRIES: Final = 2

# Under the generated package's own name (``acme_flows``), so an app can
# turn these debug lines on for that package alone.
_log = logging.getLogger((__package__ or __name__).removesuffix("._runtime"))


class Tries:
    """The resend rules for one POST, shared by both clients.

    A flow run is not idempotent, so a request is sent again only when it
    provably did not run: the connection was refused before anything was
    sent, or the org refused the session (401) and a fresh token was got.
    ``unsafe_retries`` (0 unless the caller opts in) allows resending after
    failures where the flow may have run: timeouts, dropped connections,
    429 and 5xx answers.
    """

    def __init__(self, connect_retries: int, unsafe_retries: int) -> None:
        self.connect_retries = connect_retries
        self.unsafe_retries = unsafe_retries
        self.refreshed = False
        self.resent = 0

    def after_transport_error(self, exc: httpx.TransportError) -> float | None:
        """Seconds to wait before resending, or None: give up."""
        if _sent_nothing(exc) and self.connect_retries > 0:
            self.connect_retries -= 1
            return self._pause()
        if self.unsafe_retries > 0:
            self.unsafe_retries -= 1
            return self._pause()
        return None

    def refresh_due(self, response: httpx.Response, can_refresh: bool) -> bool:
        """Whether to get a fresh token and resend (once per request)."""
        if response.status_code != 401 or not can_refresh or self.refreshed:
            return False
        self.refreshed = True
        return True

    def resend_due(self, response: httpx.Response) -> float | None:
        """Seconds to wait before resending after a failed answer, or None."""
        status = response.status_code
        if (status == 429 or status >= 500) and self.unsafe_retries > 0:
            self.unsafe_retries -= 1
            return self._pause()
        return None

    def _pause(self) -> float:
        self.resent += 1
        return min(4.0, 0.25 * 2.0 ** (self.resent - 1))


class ClientSettings:
    """The org, the token and the call settings of either client."""

    def __init__(
        self,
        instance_url: str,
        access_token: str | None,
        *,
        has_token_provider: bool,
        api_version: str | None,
        timeout: float | httpx.Timeout,
        batch_size: int,
        max_in_flight: int,
        connect_retries: int,
        unsafe_retries: int,
    ) -> None:
        if not access_token and not has_token_provider:
            raise FlowConfigError(
                "no access token given, and no token_provider to get one"
            )
        if batch_size < 1 or max_in_flight < 1:
            raise FlowConfigError("batch_size and max_in_flight must be at least 1")
        if connect_retries < 0 or unsafe_retries < 0:
            raise FlowConfigError("retry counts cannot be negative")
        self.instance_url = _check_instance_url(instance_url)
        # None: each flow is called at the API version it was generated for.
        self.api_version = api_version.removeprefix("v") if api_version else None
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self._token = access_token or ""
        self._timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        self._connect_retries = connect_retries
        self._unsafe_retries = unsafe_retries
        self._urls: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(instance_url={self.instance_url!r}, "
            f"api_version={self.api_version!r})"
        )

    def flow_url(
        self,
        flow_name: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        path: str = FLOW_PATH,
    ) -> str:
        """The flow's REST URL (another action's, under ``actions/<path>``);
        the client's own api_version, when set, wins."""
        version = self.api_version or api_version.removeprefix("v")
        quoted = urllib.parse.quote(flow_name, safe="")
        return f"{self.instance_url}/services/data/v{version}/actions/{path}/{quoted}"

    @staticmethod
    def _setting(given: int | None, default: int) -> int:
        # A bulk call's own batch_size or max_in_flight, else the client's.
        if given is None:
            return default
        if given < 1:
            raise FlowConfigError("batch_size and max_in_flight must be at least 1")
        return given

    def _tries(self) -> Tries:
        return Tries(self._connect_retries, self._unsafe_retries)


def headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


def log_attempt(
    flow_name: str, count: int, outcome: str, started: float, attempt: int
) -> None:
    # Never the headers or the token: only what was called and how it went.
    if not _log.isEnabledFor(logging.DEBUG):
        return  # the common case: nothing to format on the hot path
    _log.debug(
        "flow %s: %d input(s), %s in %.0f ms%s",
        flow_name,
        count,
        outcome,
        (time.perf_counter() - started) * 1000,
        f" (attempt {attempt})" if attempt > 1 else "",
    )


def _check_instance_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise FlowConfigError(
            f"instance URL {url!r} is not an http(s) URL like https://acme.my.salesforce.com"
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise FlowConfigError(
            f"instance URL {url!r} uses plain http; the access token must travel over https"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def env_settings(kwargs: dict[str, Any]) -> tuple[str, str]:
    """The instance URL and token from ``SF_*`` variables; ``SF_API_VERSION``
    goes into ``kwargs`` unless the caller gave one."""
    url = os.environ.get("SF_INSTANCE_URL", "")
    token = os.environ.get("SF_ACCESS_TOKEN", "")
    missing = [
        name
        for name, value in (("SF_INSTANCE_URL", url), ("SF_ACCESS_TOKEN", token))
        if not value
    ]
    if missing:
        raise FlowConfigError(
            f"{' and '.join(missing)} not set; set them to your org's instance URL and an "
            "access token (e.g. from `sf org display --json`)"
        )
    version = os.environ.get("SF_API_VERSION")
    if version:
        kwargs.setdefault("api_version", version)
    return url, token


def checked_token(token: object) -> str:
    """What a token provider returned, if it is a token."""
    if not isinstance(token, str) or not token:
        raise FlowConfigError("the token_provider returned no token")
    return token


def stops_the_rest(exc: FlowError) -> bool:
    """Whether every later request of a bulk call would fail the same way."""
    return isinstance(exc, (SessionExpiredError, ApiLimitError, FlowConfigError))


def _sent_nothing(exc: httpx.TransportError) -> bool:
    # A refused or unresolved connection sent nothing; anything later may
    # have run the flow.
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))


def transport_error(
    flow_name: str, exc: httpx.TransportError, path: str = FLOW_PATH
) -> FlowTransportError:
    """The error for a request that did not complete; raise it ``from exc``."""
    sent_nothing = _sent_nothing(exc)
    advice = (
        "nothing was sent; check the instance URL and the network"
        if sent_nothing
        else f"the {noun(path)} may have run; check in the org before trying again"
    )
    return FlowTransportError(
        f"{subject(flow_name, path)}: {type(exc).__name__}: {exc or 'no details'}; "
        f"{advice}",
        flow_name=flow_name,
        may_have_run=not sent_nothing,
    )


def parse_answers(
    flow_name: str, response: httpx.Response, count: int, path: str = FLOW_PATH
) -> list[Mapping[str, Any]]:
    """The per-input answers of a response, or the error it stands for."""
    status = response.status_code
    try:
        body: object = loads(response.content)
    except ValueError:
        body = None
    # A partly failed call comes back 400 with the full per-input array.
    answers = _answer_list(body) if status in (200, 400) else None
    if answers is not None:
        if len(answers) != count:
            raise FlowResponseError(
                f"{subject(flow_name, path)}: sent {count} input(s) but got "
                f"{len(answers)} result(s)"
            )
        return answers
    if status == 200:
        raise FlowResponseError(
            f"{subject(flow_name, path)}: HTTP 200 with an unreadable body: "
            f"{_snippet(response)}"
        )
    raise _http_error(flow_name, status, body, response, path)


def _answer_list(body: object) -> list[Mapping[str, Any]] | None:
    if not isinstance(body, list) or not body:
        return None
    items = cast("list[object]", body)
    # dict, not Mapping: json.loads makes dicts, and an ABC check per element
    # is a real cost in a bulk answer of thousands.
    if all(
        type(item) is dict and ("isSuccess" in item or "outputValues" in item)
        for item in items
    ):
        return cast("list[Mapping[str, Any]]", items)
    return None


def _http_error(
    flow_name: str, status: int, body: object, response: httpx.Response, path: str
) -> FlowHTTPError:
    first: Mapping[str, object] = {}
    if isinstance(body, list) and body:
        head = cast("list[object]", body)[0]
        if isinstance(head, dict):
            first = cast("dict[str, object]", head)
    elif isinstance(body, dict):
        first = cast("dict[str, object]", body)
    error_code = _str_or_none(first.get("errorCode"))
    sf_message = _str_or_none(first.get("message"))
    said = (
        f"{error_code}: {sf_message}"
        if error_code or sf_message
        else _snippet(response)
    )
    what = f"{subject(flow_name, path)}: HTTP {status}: {said}"
    error_type: Callable[..., FlowHTTPError] = FlowHTTPError
    if status == 401:
        what += ". Log in again and use a fresh access token."
        error_type = SessionExpiredError
    elif status == 403 and error_code == "REQUEST_LIMIT_EXCEEDED":
        what += (
            ". The org has used its API requests for now; try again later "
            "or ask an admin about the limit."
        )
        error_type = ApiLimitError
    elif status == 404 and path == FLOW_PATH:
        what += (
            ". Is the flow active, autolaunched and visible to this user, "
            "and the bindings generated from this org?"
        )
    elif status == 404:
        what += (
            f". Is the {noun(path)} in the org and may this user run it (an Apex "
            "class needs the user's access; a prompt template API 60.0+ and the "
            "Prompt Template User permission set), and the bindings generated "
            "from this org?"
        )
    return error_type(
        what,
        flow_name=flow_name,
        status_code=status,
        error_code=error_code,
        sf_message=sf_message,
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    if not text:
        return "(empty body)"
    return repr(text[:200] + ("..." if len(text) > 200 else ""))
