"""The synchronous client: one org, one connection pool, threads for bulk calls."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from ._errors import FlowConfigError, FlowError
from ._flow import DEFAULT_API_VERSION, FLOW_PATH, Flow, FlowResult, Request
from ._http import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONNECT_RETRIES,
    DEFAULT_TIMEOUT,
    ClientSettings,
    checked_token,
    env_settings,
    headers,
    log_attempt,
    parse_answers,
    stops_the_rest,
    transport_error,
)
from ._json import dumps

_InT = TypeVar("_InT")
_OutT = TypeVar("_OutT")

TokenProvider = Callable[[], str]
"""Returns a fresh access token; called when the org says the session expired."""


class FlowClient(ClientSettings):
    """Calls flows in one org through ``/services/data/vXX.X/actions/custom/flow``.

    Give ``access_token``, or a ``token_provider`` that returns a fresh one
    (called for the first request without a token, and once more when the
    org says the session expired). Pass an ``http_client`` to reuse your own
    connection pool, proxies or TLS settings; otherwise the client owns one
    and closes it in :meth:`close`. ``batch_size`` inputs go to a request in
    bulk calls, ``max_in_flight`` requests at a time. A request is resent
    only where it provably did not run, unless ``unsafe_retries`` says
    otherwise.
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str | None = None,
        *,
        token_provider: TokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_in_flight: int = 1,
        connect_retries: int = DEFAULT_CONNECT_RETRIES,
        unsafe_retries: int = 0,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            instance_url,
            access_token,
            has_token_provider=token_provider is not None,
            api_version=api_version,
            timeout=timeout,
            batch_size=batch_size,
            max_in_flight=max_in_flight,
            connect_retries=connect_retries,
            unsafe_retries=unsafe_retries,
        )
        self._token_provider = token_provider
        self._refresh_lock = threading.Lock()
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()

    @classmethod
    def from_env(cls, **kwargs: Any) -> FlowClient:
        """A client from ``SF_INSTANCE_URL``, ``SF_ACCESS_TOKEN`` and ``SF_API_VERSION``."""
        url, token = env_settings(kwargs)
        return cls(url, token, **kwargs)

    def __enter__(self) -> FlowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool, unless it was passed in."""
        if self._owns_http:
            self._http.close()

    def run(self, flow: Flow[_InT, _OutT], value: _InT) -> _OutT:
        """Run ``flow`` for one input; raise if it failed. Generated functions call this."""
        (result,) = self.run_many(flow, [value])
        return result.unwrap()

    def run_many(
        self,
        flow: Flow[_InT, _OutT],
        values: Sequence[_InT],
        *,
        batch_size: int | None = None,
        max_in_flight: int | None = None,
    ) -> list[FlowResult[_OutT]]:
        """Run ``flow`` once per input: one result per input, in order.

        Inputs go ``batch_size`` to a request, up to ``max_in_flight``
        requests at a time (the client's settings unless given here).
        """
        size = self._setting(batch_size, self.batch_size)
        requests = flow.encode(values, size)
        fatal: list[FlowError] = []  # once set, requests not yet sent stay unsent

        def send(request: Request) -> list[FlowResult[_OutT]]:
            if fatal:
                return flow.failed(request, fatal[0])
            try:
                answers = self._post(
                    flow.name,
                    flow.api_version,
                    request.content,
                    request.size,
                    flow.path,
                )
            except FlowError as exc:
                if stops_the_rest(exc):
                    fatal.append(exc)
                return flow.failed(request, exc)
            return flow.results(request.start, answers)

        in_flight = min(self._setting(max_in_flight, self.max_in_flight), len(requests))
        if in_flight <= 1:
            per_chunk = [send(request) for request in requests]
        else:
            with concurrent.futures.ThreadPoolExecutor(in_flight) as pool:
                per_chunk = list(pool.map(send, requests))
        return [result for results in per_chunk for result in results]

    def invoke(
        self,
        flow_name: str,
        inputs: Sequence[Mapping[str, Any]],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[Mapping[str, Any]]:
        """POST the inputs in one request; one raw answer per input, in order.

        Raises :class:`FlowHTTPError` (and subclasses) when Salesforce refuses
        the request as a whole, :class:`FlowTransportError` when it fails in
        transit.
        """
        content = dumps({"inputs": list(inputs)})
        return self._post(flow_name, api_version, content, len(inputs))

    def _post(
        self,
        flow_name: str,
        api_version: str,
        content: bytes,
        count: int,
        path: str = FLOW_PATH,
    ) -> list[Mapping[str, Any]]:
        # One request's sends and resends; ``count`` inputs are in ``content``.
        url = self.flow_url(flow_name, api_version=api_version, path=path)
        tries = self._tries()
        attempt = 0
        while True:
            attempt += 1
            token = self._token or self._fresh_token("")
            started = time.perf_counter()
            try:
                response = self._http.post(
                    url, content=content, headers=headers(token), timeout=self._timeout
                )
            except httpx.TransportError as exc:
                log_attempt(flow_name, count, type(exc).__name__, started, attempt)
                delay = tries.after_transport_error(exc)
                if delay is None:
                    raise transport_error(flow_name, exc, path) from exc
                time.sleep(delay)
                continue
            outcome = f"HTTP {response.status_code}"
            log_attempt(flow_name, count, outcome, started, attempt)
            if tries.refresh_due(response, self._token_provider is not None):
                self._fresh_token(token)
                continue
            delay = tries.resend_due(response)
            if delay is not None:
                time.sleep(delay)
                continue
            return parse_answers(flow_name, response, count, path)

    def _fresh_token(self, refused: str) -> str:
        with self._refresh_lock:
            if self._token != refused:  # another thread renewed it meanwhile
                return self._token
            if self._token_provider is None:
                raise FlowConfigError("no access token given, and no token_provider")
            self._token = checked_token(self._token_provider())
            return self._token
