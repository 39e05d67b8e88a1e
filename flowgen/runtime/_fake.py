"""Test doubles: a fake org behind a real client, over ``httpx.MockTransport``.

A generated package's ``testing`` module types :class:`FakeOrg` per flow;
this module holds the machinery. No socket is opened: the clients it makes
are the package's own :class:`FlowClient` and :class:`AsyncFlowClient` with a
mock transport, so an app's code runs as it would against the org, resend
rules and error mapping included.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import sys
import threading
import types
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import httpx

from ._codecs import WireObject, date_to_wire, datetime_to_wire, time_to_wire
from ._flow import FLOW_PATH, Flow
from ._json import dumps

if TYPE_CHECKING:
    from ._async_client import AsyncFlowClient
    from ._client import FlowClient

FAKE_URL = "https://fake.my.salesforce.com"
_PATH_MARK = "/actions/"  # then <kind path>/<name>: custom/flow/Name, standard/name


class Failure(Exception):
    """Raise it in a handler (or pass ``raises=``) to fail that one input as
    the org does: the app sees :class:`FlowInterviewError` with these fields."""

    def __init__(
        self, status_code: str, message: str, *, fields: Sequence[str] = ()
    ) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.fields = tuple(fields)


@dataclasses.dataclass
class _Entry:
    flow: Flow[Any, Any]
    handler: Callable[[Any], Any]
    waiting: bool = False


def flow_of(function: Callable[..., Any]) -> Flow[Any, Any]:
    """The ``_FLOW`` of a generated flow function's module."""
    module = sys.modules.get(getattr(function, "__module__", ""))
    flow: Flow[Any, Any] | None = getattr(module, "_FLOW", None)
    if not isinstance(flow, Flow):
        raise TypeError(f"{function!r} is not a generated flow function")
    return flow


def _canned(returns: object, raises: Failure | None) -> Callable[[Any], Any]:
    # The handler that ``returns=`` or ``raises=`` stands for.
    def handler(_: Any) -> Any:
        if raises is not None:
            raise raises
        return returns

    return handler


def _key(wire: object) -> str:
    return json.dumps(wire, sort_keys=True, default=str)


def _to_wire(value: object) -> object:
    # An Output's value as the org would send it.
    if isinstance(value, datetime.datetime):
        return datetime_to_wire(value, "output")
    if isinstance(value, datetime.date):
        return date_to_wire(value, "output")
    if isinstance(value, datetime.time):
        return time_to_wire(value, "output")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        items = cast("Mapping[str, object]", value).items()
        return {key: _to_wire(item) for key, item in items}
    if isinstance(value, (list, tuple)):
        return [_to_wire(item) for item in cast("Sequence[object]", value)]
    return value


class FakeOrg:
    """A fake org: handlers per flow, the inputs it received, canned faults."""

    def __init__(self, records: types.ModuleType | None = None) -> None:
        self._records = records
        self._entries: dict[tuple[str, str], _Entry] = {}  # by (path, name)
        self._calls: dict[tuple[str, str], list[Any]] = {}  # by (path, name)
        # Inputs the client is about to send, by their wire form.
        self._pending: dict[tuple[str, str, str], list[Any]] = {}
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._guids = itertools.count(1)

    # -- set-up ----------------------------------------------------------------

    def register(
        self,
        function: Callable[..., Any],
        handler: Callable[[Any], Any] | None = None,
        *,
        returns: object = None,
        raises: Failure | None = None,
        waiting: bool = False,
    ) -> None:
        """Answer ``function``'s flow with ``handler``, ``returns`` or ``raises``."""
        flow = flow_of(function)
        if handler is None:
            if raises is None and returns is None:
                raise TypeError("give a handler, returns= or raises=")
            handler = _canned(returns, raises)
        self._entries[flow.path, flow.name] = _Entry(flow, handler, waiting)

    def recorded(self, function: Callable[..., Any]) -> list[Any]:
        """The inputs ``function``'s flow received, in order."""
        flow = flow_of(function)
        return list(self._calls.get((flow.path, flow.name), []))

    def expire_session(self) -> None:
        """The next request gets the org's 401 INVALID_SESSION_ID."""
        self._faults.append("401")

    def server_error(self) -> None:
        """The next request gets an HTTP 500."""
        self._faults.append("500")

    def drop_after_run(self) -> None:
        """The next request runs its handler, then the connection drops."""
        self._faults.append("drop")

    # -- clients ---------------------------------------------------------------

    def client(self, **kwargs: Any) -> FlowClient:
        """A real :class:`FlowClient` talking to this fake org."""
        from ._client import FlowClient

        org = self

        class _Client(FlowClient):
            def run_many(
                self, flow: Flow[Any, Any], values: Sequence[Any], **kw: Any
            ) -> list[Any]:
                org.expect(flow, values)
                return super().run_many(flow, values, **kw)

        kwargs.setdefault("access_token", "fake-token")
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return _Client(FAKE_URL, http_client=http, **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncFlowClient:
        """A real :class:`AsyncFlowClient` talking to this fake org."""
        from ._async_client import AsyncFlowClient

        org = self

        class _Client(AsyncFlowClient):
            async def run_many(
                self, flow: Flow[Any, Any], values: Sequence[Any], **kw: Any
            ) -> list[Any]:
                org.expect(flow, values)
                return await super().run_many(flow, values, **kw)

        async def handle(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self.handle(request)

        kwargs.setdefault("access_token", "fake-token")
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        return _Client(FAKE_URL, http_client=http, **kwargs)

    def expect(self, flow: Flow[Any, Any], values: Sequence[Any]) -> None:
        """Note the Input objects a client is about to send, by wire form."""
        with self._lock:
            for value in values:
                try:
                    wire = json.loads(flow.to_json(value))
                except (TypeError, ValueError):
                    continue  # the client's own encoding reports it
                self._pending.setdefault((flow.path, flow.name, _key(wire)), []).append(
                    value
                )

    # -- the org ---------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one POST as the org would."""
        fault = self._faults.pop(0) if self._faults else None
        if fault == "401" or not request.headers.get("Authorization"):
            body = [
                {
                    "message": "Session expired or invalid",
                    "errorCode": "INVALID_SESSION_ID",
                }
            ]
            return httpx.Response(401, json=body)
        if fault == "500":
            return httpx.Response(
                500,
                json=[
                    {"errorCode": "UNKNOWN_EXCEPTION", "message": "fake server error"}
                ],
            )
        path, _, name = request.url.path.partition(_PATH_MARK)[2].rpartition("/")
        entry = self._entries.get((path, urllib.parse.unquote(name)))
        if entry is None:
            message = (
                f"no handler for the flow {name!r}: register one with "
                f"fake.on(<its flow function>, handler) or returns=/raises="
            )
            return httpx.Response(
                404, json=[{"errorCode": "NOT_FOUND", "message": message}]
            )
        inputs = cast("list[WireObject]", json.loads(request.content)["inputs"])
        refused = self._unknown_field(inputs)
        if refused is not None:
            return httpx.Response(
                400, json=[{"errorCode": "INVALID_FIELD", "message": refused}]
            )
        answers = [self._run(entry, wire) for wire in inputs]
        if fault == "drop":
            raise httpx.ReadError("fake: the connection dropped after the flow ran")
        failed = any(not answer["isSuccess"] for answer in answers)
        return httpx.Response(400 if failed else 200, content=dumps(answers))

    def _input(self, flow: Flow[Any, Any], wire: WireObject) -> Any:
        with self._lock:
            queue = self._pending.get((flow.path, flow.name, _key(wire)))
            if not queue:
                raise RuntimeError(
                    f"fake: a request to {flow.name!r} came from no fake client"
                )
            return queue.pop(0)

    def _run(self, entry: _Entry, wire: WireObject) -> dict[str, Any]:
        value = self._input(entry.flow, wire)
        with self._lock:
            key = (entry.flow.path, entry.flow.name)
            self._calls.setdefault(key, []).append(value)
        base: dict[str, Any] = {"actionName": entry.flow.name}
        try:
            output = entry.handler(value)
        except Failure as exc:
            error = {
                "statusCode": exc.status_code,
                "message": exc.message,
                "fields": list(exc.fields),
            }
            return {**base, "isSuccess": False, "errors": [error], "outputValues": None}
        keys = list(entry.flow.output_keys)
        fields = dataclasses.fields(output)
        values: dict[str, Any] = {
            key: _to_wire(getattr(output, field.name))
            for key, field in zip(keys, fields, strict=True)
        }
        if entry.flow.path == FLOW_PATH:  # only flows run as interviews
            values["Flow__InterviewStatus"] = "Waiting" if entry.waiting else "Finished"
            values["Flow__InterviewGuid"] = f"0Fo000000{next(self._guids):09d}"
        return {**base, "isSuccess": True, "errors": None, "outputValues": values}

    def _unknown_field(self, inputs: Sequence[object]) -> str | None:
        # A record's fields against its records.py TypedDict, nested ones too.
        for value in inputs:
            if isinstance(value, list):
                found = self._unknown_field(cast("list[object]", value))
            elif isinstance(value, dict):
                found = self._unknown_in(cast("dict[str, object]", value))
            else:
                found = None
            if found is not None:
                return found
        return None

    def _unknown_in(self, record: dict[str, object]) -> str | None:
        attributes = record.get("attributes")
        kind = (
            cast("dict[str, object]", attributes).get("type")
            if isinstance(attributes, dict)
            else None
        )
        declared = getattr(self._records, str(kind), None) if kind else None
        if declared is not None:
            known: frozenset[str] = getattr(declared, "__required_keys__", frozenset())
            known |= getattr(declared, "__optional_keys__", frozenset())
            for field in record:
                if field != "attributes" and field not in known:
                    return f"No such column '{field}' on sobject of type {kind}"
        return self._unknown_field(list(record.values()))
