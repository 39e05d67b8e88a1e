"""The asyncio client; imported only when an app asks for it (asyncio is slow to import)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
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

AsyncTokenProvider = Callable[[], "str | Awaitable[str]"]
"""A token provider that may also be a coroutine function."""


class AsyncFlowClient(ClientSettings):
    """:class:`FlowClient` for asyncio: the same settings over ``httpx.AsyncClient``.

    ``token_provider`` may be a plain function or a coroutine function.
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str | None = None,
        *,
        token_provider: AsyncTokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_in_flight: int = 4,
        connect_retries: int = DEFAULT_CONNECT_RETRIES,
        unsafe_retries: int = 0,
        http_client: httpx.AsyncClient | None = None,
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
        self._refresh_lock: asyncio.Lock | None = None  # made in the running loop
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()

    @classmethod
    def from_env(cls, **kwargs: Any) -> AsyncFlowClient:
        """A client from ``SF_INSTANCE_URL``, ``SF_ACCESS_TOKEN`` and ``SF_API_VERSION``."""
        url, token = env_settings(kwargs)
        return cls(url, token, **kwargs)

    async def __aenter__(self) -> AsyncFlowClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def run(self, flow: Flow[_InT, _OutT], value: _InT) -> _OutT:
        """Run ``flow`` for one input; raise if it failed. Generated functions call this."""
        (result,) = await self.run_many(flow, [value])
        return result.unwrap()

    async def run_many(
        self,
        flow: Flow[_InT, _OutT],
        values: Sequence[_InT],
        *,
        batch_size: int | None = None,
        max_in_flight: int | None = None,
    ) -> list[FlowResult[_OutT]]:
        """:meth:`FlowClient.run_many`, awaited: up to ``max_in_flight``
        requests at a time on the running event loop."""
        size = self._setting(batch_size, self.batch_size)
        requests = flow.encode(values, size)
        gate = asyncio.Semaphore(self._setting(max_in_flight, self.max_in_flight))
        fatal: list[FlowError] = []

        async def send(request: Request) -> list[FlowResult[_OutT]]:
            async with gate:
                if fatal:
                    return flow.failed(request, fatal[0])
                try:
                    answers = await self._post(
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
            # Let the next chunk's request go out before reading this answer,
            # so the org is never kept waiting on our decoding.
            await asyncio.sleep(0)
            return flow.results(request.start, answers)

        per_chunk = await asyncio.gather(*map(send, requests))
        return [result for results in per_chunk for result in results]

    async def invoke(
        self,
        flow_name: str,
        inputs: Sequence[Mapping[str, Any]],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[Mapping[str, Any]]:
        """:meth:`FlowClient.invoke`, awaited."""
        content = dumps({"inputs": list(inputs)})
        return await self._post(flow_name, api_version, content, len(inputs))

    async def _post(
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
            token = self._token or await self._fresh_token("")
            started = time.perf_counter()
            try:
                response = await self._http.post(
                    url, content=content, headers=headers(token), timeout=self._timeout
                )
            except httpx.TransportError as exc:
                log_attempt(flow_name, count, type(exc).__name__, started, attempt)
                delay = tries.after_transport_error(exc)
                if delay is None:
                    raise transport_error(flow_name, exc, path) from exc
                await asyncio.sleep(delay)
                continue
            outcome = f"HTTP {response.status_code}"
            log_attempt(flow_name, count, outcome, started, attempt)
            if tries.refresh_due(response, self._token_provider is not None):
                await self._fresh_token(token)
                continue
            delay = tries.resend_due(response)
            if delay is not None:
                await asyncio.sleep(delay)
                continue
            return parse_answers(flow_name, response, count, path)

    async def _fresh_token(self, refused: str) -> str:
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if self._token != refused:  # another task renewed it meanwhile
                return self._token
            if self._token_provider is None:
                raise FlowConfigError("no access token given, and no token_provider")
            token = self._token_provider()
            if inspect.isawaitable(token):
                token = await token
            self._token = checked_token(token)
            return self._token
