"""FakeOrg: the flows, handlers and recordings behind the fake REST API."""

from __future__ import annotations

import copy
import decimal
import json
import os
import threading
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from . import _wire
from ._model import FlowFault, FlowHandler, RecordedRequest, record
from ._server import Request, Server

_DEFAULT_API_VERSION = "62.0"
_MANIFEST = "flowgen-snapshot.json"
_SNAPSHOT_FORMAT = 1


class FakeOrg:
    """A Salesforce org's flow-action REST API, served over real HTTP on 127.0.0.1.

    Load flows from a snapshot directory or with ``add_flow``, say what each
    flow does with ``on``, then ``start`` (or use ``with``) and point a client
    at ``instance_url`` with ``access_token``. Everything received is kept in
    ``requests``; every input element a flow ran on is kept in
    ``invocations[flow_name]``. Assigning ``access_token`` while running
    makes the old token fail, as an expired session would.
    """

    def __init__(
        self,
        snapshot: str | os.PathLike[str] | None = None,
        *,
        access_token: str = "fake-access-token",
        api_version: str | None = None,
    ) -> None:
        self.access_token = access_token
        self.requests: list[RecordedRequest] = []
        # defaultdict: a flow never invoked reads as [] instead of KeyError.
        self.invocations: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._flows: dict[str, dict[str, Any]] = {}
        self._handlers: dict[str, FlowHandler] = {}
        # One lock for all shared state; handlers run outside it so
        # concurrent requests really are concurrent.
        self._lock = threading.Lock()
        self._server: Server | None = None
        manifest_version = None
        if snapshot is not None:
            manifest_version, describes = _load_snapshot(Path(snapshot))
            for path, describe in describes:
                try:
                    self.add_flow(describe)
                except ValueError as exc:
                    raise ValueError(f"{path}: {exc}") from None
        self.api_version = api_version or manifest_version or _DEFAULT_API_VERSION

    def add_flow(self, describe: Mapping[str, Any]) -> None:
        """Add a flow, or replace the one with the same ``describe["name"]``.

        ``describe`` is the body ``GET actions/custom/flow/<name>`` returns;
        it must hold at least string ``name`` and ``label`` entries.
        """
        for key in ("name", "label"):
            if not isinstance(describe.get(key), str) or not describe[key]:
                raise ValueError(f"flow describe needs a non-empty string {key!r}")
        # A private copy, so a caller editing its dict cannot change the org.
        stored = copy.deepcopy(dict(describe))
        with self._lock:
            self._flows[stored["name"]] = stored

    def on(self, flow_name: str, handler: FlowHandler) -> None:
        """Make invoking ``flow_name`` call ``handler`` once per input element."""
        with self._lock:
            self._handlers[flow_name] = handler

    @property
    def instance_url(self) -> str:
        """``http://127.0.0.1:<port>``; only known once started."""
        server = self._server
        if server is None:
            raise RuntimeError("FakeOrg is not running; call start() first")
        return f"http://127.0.0.1:{server.server_port}"

    def start(self) -> None:
        """Start serving on an ephemeral port in a daemon thread."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("FakeOrg is already running")
            self._server = Server(self._respond)
            self._server.start()

    def stop(self) -> None:
        """Stop serving and close open connections; does nothing if not running."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> FakeOrg:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _respond(self, request: Request) -> tuple[int, object]:
        recorded = record(
            request.method, request.path, request.header_pairs, request.body
        )
        with self._lock:
            self.requests.append(recorded)
        if request.authorizations != [f"Bearer {self.access_token}"]:
            return 401, _wire.error(_wire.INVALID_SESSION, "Session expired or invalid")
        collection = f"/services/data/v{self.api_version}/actions/custom/flow"
        if request.path == collection and request.method == "GET":
            return 200, self._list(collection)
        if request.path.startswith(collection + "/"):
            name = unquote(request.path[len(collection) + 1 :])
            with self._lock:
                describe = self._flows.get(name)
            if describe is not None and request.method == "GET":
                return 200, describe
            if describe is not None and request.method == "POST":
                return self._invoke(name, request.body)
        return 404, _wire.not_found()

    def _list(self, collection: str) -> dict[str, Any]:
        with self._lock:
            flows = sorted(self._flows.items())
        actions = [
            {
                "label": describe["label"],
                "name": name,
                "type": "FLOW",
                "url": f"{collection}/{name}",
            }
            for name, describe in flows
        ]
        return {"actions": actions}

    def _invoke(self, name: str, body: bytes) -> tuple[int, object]:
        try:
            inputs = _wire.parse_inputs(body)
        except _wire.BadRequest as exc:
            return 400, _wire.error(_wire.JSON_PARSER_ERROR, str(exc))
        with self._lock:
            handler = self._handlers.get(name)
        results: list[dict[str, Any]] = []
        for element in inputs:
            # Recorded before running, so an input that crashes still shows up.
            with self._lock:
                self.invocations[name].append(element)
            try:
                # A copy, so a handler mutating its input cannot rewrite history.
                outputs = {} if handler is None else handler(copy.deepcopy(element))
            except FlowFault as fault:
                results.append(_wire.fault_result(name, fault))
                continue
            except Exception as exc:  # a bug in the test's handler: fail loudly
                return 500, _wire.unexpected(exc)
            if not isinstance(outputs, Mapping):
                problem = TypeError(
                    f"handler for {name} returned {type(outputs).__name__}"
                )
                return 500, _wire.unexpected(problem)
            results.append(_wire.success_result(name, outputs))
        # Salesforce answers 400 with the full per-input array if any input failed.
        status = 200 if all(result["isSuccess"] for result in results) else 400
        return status, results


def _load_snapshot(
    directory: Path,
) -> tuple[str | None, list[tuple[Path, dict[str, Any]]]]:
    """Read a snapshot's API version and flow describes (sorted by file name)."""
    manifest = _read_json(directory / _MANIFEST)
    if not isinstance(manifest, dict):
        raise ValueError(f"{directory / _MANIFEST}: expected a JSON object")
    if manifest.get("format") != _SNAPSHOT_FORMAT:
        found = manifest.get("format")
        raise ValueError(f"{directory / _MANIFEST}: unsupported format {found!r}")
    version = manifest.get("api_version")
    if version is not None and not isinstance(version, str):
        raise ValueError(f"{directory / _MANIFEST}: api_version must be a string")
    flows_dir = directory / "flows"
    paths = sorted(flows_dir.glob("*.json")) if flows_dir.is_dir() else []
    describes: list[tuple[Path, dict[str, Any]]] = []
    for path in paths:
        describe = _read_json(path)
        if not isinstance(describe, dict):
            raise ValueError(f"{path}: expected a JSON object")
        describes.append((path, describe))
    return version, describes


def _read_json(path: Path) -> Any:
    # Decimals keep describe numbers (e.g. default values) digit-exact when served back.
    with path.open("rb") as file:
        return json.load(file, parse_float=decimal.Decimal)
