"""FakeOrg: the flows, handlers and recordings behind the fake REST API."""

from __future__ import annotations

import copy
import os
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote

from ..runtime import DEFAULT_API_VERSION
from . import _actions, _batch, _oauth, _query, _snapshot, _sobjects, _tooling, _wire
from ._faults import Fault, FaultQueue
from ._model import FlowHandler, RecordedRequest, record
from ._server import Reply, Request, Server
from ._soql import MALFORMED_QUERY, QueryError


class FakeOrg:
    """A Salesforce org's flow REST API and login, served over real HTTP on 127.0.0.1.

    Load flows from a snapshot directory or with ``add_flow``, say what each
    flow does with ``on``, then ``start`` (or use ``with``) and point a client
    at ``instance_url`` with ``access_token``, or log in at
    ``/services/oauth2/token`` as a client registered with
    ``add_oauth_client``. Everything received is kept in ``requests``; every
    input element a flow ran on is kept in ``invocations[flow_name]``.
    sObject describes (``add_sobject``) and Apex classes for the Tooling API
    (``add_apex_class``) are served too, for clients that type records and
    Apex-defined values. Apex actions, prompt templates and standard actions
    (``add_action``) are listed, described and invoked as flows are.
    Assigning ``access_token`` while running makes the old token fail, as an
    expired session would. ``latency`` delays every answer and ``inject``
    makes chosen requests fail, so clients' timeouts and retries can be tested.
    """

    def __init__(
        self,
        snapshot: str | os.PathLike[str] | None = None,
        *,
        access_token: str = "fake-access-token",
        api_version: str | None = None,
        latency: float = 0.0,
        query_page_size: int = 2000,
    ) -> None:
        self.access_token = access_token
        self.latency = latency
        self.query_page_size = query_page_size
        self.requests: list[RecordedRequest] = []
        # defaultdict: a flow never invoked reads as [] instead of KeyError.
        self.invocations: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._flows: dict[str, dict[str, Any]] = {}
        self._definitions: dict[str, _query.Definition] = {}
        self._clock = _query.Clock()  # edits so far: numbers version ids and dates
        self._definition_count = 0
        self._handlers: dict[str, FlowHandler] = {}
        self._clients: dict[str, _oauth.OAuthClient] = {}
        self._faults = FaultQueue()
        self._subrequest_faults = FaultQueue()
        self._cursors = _query.Cursors()
        self._sobjects = _sobjects.SObjects()
        self._sobject_faults = FaultQueue()
        self._apex_classes = _tooling.ApexClasses()
        self._actions = _actions.Actions(self._clock)
        # One lock for all shared state; handlers run outside it so
        # concurrent requests really are concurrent.
        self._lock = threading.Lock()
        self._server: Server | None = None
        manifest_version = None
        if snapshot is not None:
            manifest_version, flows = _snapshot.load(Path(snapshot))
            for flow in flows:
                try:
                    self.add_flow(flow.describe, process_type=flow.process_type)
                except ValueError as exc:
                    raise ValueError(f"{flow.path}: {exc}") from None
            for sobject in _snapshot.load_sobjects(Path(snapshot)):
                try:
                    self.add_sobject(sobject.describe)
                except ValueError as exc:
                    raise ValueError(f"{sobject.path}: {exc}") from None
            for action in _snapshot.load_actions(Path(snapshot)):
                try:
                    self.add_action(action.kind, action.describe)
                except ValueError as exc:
                    raise ValueError(f"{action.path}: {exc}") from None
        self.api_version = api_version or manifest_version or DEFAULT_API_VERSION

    @property
    def latency(self) -> float:
        """Seconds every request waits before its answer (in its own thread)."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if not seconds >= 0:  # also refuses NaN
            raise ValueError(f"latency must be >= 0 seconds, not {seconds}")
        self._latency = float(seconds)

    @property
    def query_page_size(self) -> int:
        """Records per page of a query answer; the rest follow ``nextRecordsUrl``."""
        return self._query_page_size

    @query_page_size.setter
    def query_page_size(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"query_page_size must be at least 1, not {size}")
        self._query_page_size = size

    def add_flow(
        self, describe: Mapping[str, Any], *, process_type: str = "AutoLaunchedFlow"
    ) -> None:
        """Add a flow, or replace the one with the same ``describe["name"]``.

        ``describe`` is the body ``GET actions/custom/flow/<name>`` returns;
        it must hold at least string ``name`` and ``label`` entries. The flow
        also gets a FlowDefinitionView row; replacing a flow is an edit, so
        its version ids change and its LastModifiedDate moves on.
        """
        for key in ("name", "label"):
            if not isinstance(describe.get(key), str) or not describe[key]:
                raise ValueError(f"flow describe needs a non-empty string {key!r}")
        if not isinstance(process_type, str) or not process_type:
            raise ValueError("process_type must be a non-empty string")
        # A private copy, so a caller editing its dict cannot change the org.
        stored = copy.deepcopy(dict(describe))
        with self._lock:
            self._flows[stored["name"]] = stored
            self._stamp(stored["name"], process_type)

    def touch_flow(self, name: str) -> None:
        """Record an admin edit of flow ``name`` that leaves its describe as is.

        Its version ids change and its LastModifiedDate moves on, as after
        saving and activating a new version. Unknown names raise KeyError.
        """
        with self._lock:
            if name not in self._flows:
                raise KeyError(name)
            self._stamp(name, self._definitions[name].process_type)

    def remove_flow(self, name: str) -> None:
        """Delete flow ``name``: gone from list, describe, batch and query."""
        with self._lock:
            if name not in self._flows:
                raise KeyError(name)
            del self._flows[name], self._definitions[name]

    def add_sobject(self, describe: Mapping[str, Any]) -> None:
        """Serve ``describe`` at ``GET sobjects/<name>/describe``.

        ``describe`` is the body that request returns; it needs at least a
        string ``name`` and a ``fields`` list of objects with string
        ``name`` entries. Lookups ignore case, as Salesforce's do, and answer
        with the spelling registered; adding a name again (in any case)
        replaces it. Keys the real answer always has (``custom``,
        ``keyPrefix``, ``urls``, ``childRelationships``, ``recordTypeInfos``;
        per field ``byteLength``, ``calculated``, ``custom``, ``defaultValue``,
        ``updateable``) are added to the answer where missing.
        """
        self._sobjects.add(describe)

    def add_apex_class(
        self,
        name: str,
        symbol_table: Mapping[str, Any] | None,
        *,
        namespace: str | None = None,
    ) -> None:
        """Add Apex class ``name`` for Tooling API ``ApexClass`` queries.

        ``symbol_table`` is what its ``SymbolTable`` field returns; None
        imitates the null the API gives for managed package classes. Only
        ``SELECT Id, Name, NamespacePrefix, SymbolTable FROM ApexClass WHERE
        Name IN (...)`` (any subset and order of those fields) is answered;
        rows come in the order classes were added. Adding a name again in
        the same namespace replaces that class but keeps its id and place.
        """
        self._apex_classes.add(name, symbol_table, namespace)

    def add_action(self, kind: str, describe: Mapping[str, Any]) -> None:
        """Add an invocable action other than a flow, or replace one of its name.

        ``kind`` is ``"apex"`` (``actions/custom/apex``), ``"prompt"``
        (``actions/custom/generatePromptResponse``) or ``"standard"``
        (``actions/standard``); ``describe`` is the body its describe returns,
        with at least string ``name`` and ``label`` entries. Invoking one
        answers as a flow does but without ``Flow__Interview*`` outputs. An
        Apex action is also a row of data API ``SELECT Name, NamespacePrefix,
        LastModifiedDate FROM ApexClass`` queries, dated anew on every add.
        """
        self._actions.add(kind, describe)

    def touch_action(self, kind: str, name: str) -> None:
        """Record an edit of action ``name`` that leaves its describe as is:
        its LastModifiedDate moves on. Unknown names raise KeyError."""
        self._actions.touch(kind, name)

    def remove_action(self, kind: str, name: str) -> None:
        """Delete action ``name`` of ``kind``; unknown names raise KeyError."""
        self._actions.remove(kind, name)

    def on(self, name: str, handler: FlowHandler, *, kind: str = "flow") -> None:
        """Make invoking flow (or ``kind`` of action) ``name`` call ``handler``
        once per input element; its elements go to ``invocations[name]``
        for a flow, ``invocations["<kind>:<name>"]`` for other kinds."""
        key = _actions.invocation_key(_actions.check_kind(kind), name)
        with self._lock:
            self._handlers[key] = handler

    def add_oauth_client(
        self,
        client_id: str,
        *,
        client_secret: str | None = None,
        username: str | None = None,
        jwt_public_key: bytes | None = None,
        refresh_token: str | None = None,
    ) -> None:
        """Register (or replace) a connected app for ``/services/oauth2/token``.

        What is given decides the grants it can use: ``client_secret`` for
        client credentials (and, when set, required with a refresh token),
        ``refresh_token`` for the refresh token grant, ``jwt_public_key``
        (PEM public key or certificate) and ``username`` for JWT bearer.
        Every granted request hands out the org's current ``access_token``.
        """
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id must be a non-empty string")
        key = None if jwt_public_key is None else _oauth.load_public_key(jwt_public_key)
        client = _oauth.OAuthClient(
            client_id, client_secret, username, key, refresh_token
        )
        with self._lock:
            self._clients[client_id] = client

    def inject(
        self,
        fault: Fault,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching HTTP requests with ``fault``.

        A request matches when its path contains ``path`` and its method is
        ``method`` (None matches any). Faults are used in the order injected;
        a faulted request is still recorded in ``requests``.
        """
        self._faults.add(fault, target=path, method=method, times=times)

    def inject_subrequest(
        self,
        fault: Fault,
        *,
        flow: str | None = None,
        sobject: str | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next ``times`` composite batch subrequests for flow ``flow``,
        or (with ``sobject`` instead) for the describe of that sObject type.

        The subrequest's entry gets the fault's status and error list while
        the rest of the batch is answered normally; so only ``Fault.status``
        faults make sense here (others raise ValueError). ``flow`` must match
        exactly; ``sobject`` ignores case, as the describe lookup does.
        """
        if not isinstance(fault, Fault) or fault.kind != "status":
            raise ValueError("inject_subrequest takes only Fault.status(...) faults")
        if (flow is None) == (sobject is None):
            raise ValueError("inject_subrequest takes exactly one of flow= or sobject=")
        if sobject is not None:
            self._sobject_faults.add(
                fault, target=sobject.lower(), method=None, times=times, exact=True
            )
        else:
            self._subrequest_faults.add(
                fault, target=flow, method=None, times=times, exact=True
            )

    def request_count(self, path: str | None = None, method: str | None = None) -> int:
        """How many HTTP requests arrived whose path contains ``path`` and whose
        method is ``method`` (None matches any); batch subrequests are not counted."""
        with self._lock:
            recorded = list(self.requests)
        return sum(
            1
            for request in recorded
            if (path is None or path in request.path)
            and (method is None or request.method == method.upper())
        )

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

    def _stamp(self, name: str, process_type: str) -> None:
        # Called with the lock held: one more change, dated one second later.
        change = self._clock.tick()
        old = self._definitions.get(name)
        if old is None:
            self._definition_count += 1
            durable_id = _query.fake_id("300", self._definition_count)
        else:
            durable_id = old.durable_id
        self._definitions[name] = _query.Definition(
            durable_id,
            process_type,
            _query.fake_id("301", change),
            _query.timestamp(change),
        )

    @property
    def _base(self) -> str:
        return f"/services/data/v{self.api_version}"

    def _respond(self, request: Request) -> Reply:
        body = request.body
        if request.path == _oauth.TOKEN_PATH:
            body = _oauth.redact(request.content_type, body)
        recorded = record(request.method, request.path, request.header_pairs, body)
        with self._lock:
            self.requests.append(recorded)
        latency = self.latency
        if latency:
            time.sleep(latency)  # this request's own thread; others go on
        fault = self._faults.take(request.method, request.path)
        if fault is not None:
            return fault.reply()
        if request.path == _oauth.TOKEN_PATH:
            return self._token(request)
        if request.authorizations != [f"Bearer {self.access_token}"]:
            return Reply(
                401, _wire.error(_wire.INVALID_SESSION, "Session expired or invalid")
            )
        if request.path == f"{self._base}/composite/batch" and request.method == "POST":
            return Reply(*self._batch(request.body))
        return Reply(
            *self._route(request.method, request.path, request.query, request.body)
        )

    def _token(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(
                400, _oauth.TokenError("invalid_request", "must use HTTP POST").body()
            )
        params = _oauth.form_params(request.content_type, request.body)
        with self._lock:
            clients = dict(self._clients)
        instance_url, now = self.instance_url, time.time()
        audiences = (*_oauth.LOGIN_AUDIENCES, instance_url)
        try:
            _oauth.authenticate(clients, params, audiences=audiences, now=now)
        except _oauth.TokenError as exc:
            return Reply(400, exc.body())
        return Reply(200, _oauth.success(self.access_token, instance_url, now))

    def _batch(self, body: bytes) -> tuple[int, object]:
        try:
            subrequests, halt_on_error = _batch.parse(body)
        except _batch.BadBatch as exc:
            return 400, exc.body()
        collection = f"{self._base}/actions/custom/flow/"
        results: list[dict[str, Any]] = []
        for sub in subrequests:
            if halt_on_error and any(r["statusCode"] >= 400 for r in results):
                results.append(_batch.halted())
                continue
            fault = None
            sobject = _sobjects.describe_target(self._base, sub.path)
            if sub.path.startswith(collection):
                flow = unquote(sub.path[len(collection) :])
                fault = self._subrequest_faults.take(sub.method, flow)
            elif sobject is not None:
                fault = self._sobject_faults.take(sub.method, sobject.lower())
            if fault is not None and fault.status_code is not None:
                results.append(_batch.result(fault.status_code, fault.error_body()))
            else:
                status, payload = self._route(sub.method, sub.path, sub.query, sub.body)
                results.append(_batch.result(status, payload))
        return 200, _batch.response(results)

    def _route(
        self, method: str, path: str, query: str, body: bytes
    ) -> tuple[int, object]:
        """Answer one data API request (standalone or inside a batch)."""
        base = self._base
        action = _actions.target(base, path)
        if action is not None:
            return self._action(method, *action, body)
        if path == f"{base}/query" and method == "GET":
            return self._query(base, query)
        if path.startswith(f"{base}/query/") and method == "GET":
            locator = path[len(f"{base}/query/") :]
            try:
                return 200, self._cursors.next_page(base, locator)
            except QueryError as exc:
                return 400, exc.body()
        sobject = _sobjects.describe_target(base, path)
        if sobject is not None and method == "GET":
            return self._sobjects.answer(base, sobject)
        if path == f"{base}/tooling/query" and method == "GET":
            return self._apex_classes.answer(base, query)
        return 404, _wire.not_found()

    def _query(self, base: str, query: str) -> tuple[int, object]:
        soql = parse_qs(query, keep_blank_values=True).get("q")
        try:
            if not soql:
                raise QueryError(MALFORMED_QUERY, "missing parameter q")
            if _actions.is_apex_class_query(soql[0]):
                rows = self._actions.apex_class_rows(base, soql[0])
            else:
                fields = _query.parse(soql[0])
                with self._lock:
                    definitions = list(self._definitions.items())
                rows = _query.records(base, definitions, fields)
        except QueryError as exc:
            return 400, exc.body()
        with self._lock:
            page_size = self.query_page_size
        return 200, self._cursors.first_page(base, rows, page_size)

    def _action(
        self, method: str, kind: str, name: str | None, body: bytes
    ) -> tuple[int, object]:
        """Answer a list, describe or invoke of a flow or another action."""
        if name is None and method == "GET":
            if kind != _actions.FLOW:
                return 200, self._actions.listing(self._base, kind)
            with self._lock:
                flows = sorted(self._flows.items())
            return 200, _actions.listing(self._base, kind, flows)
        describe: Mapping[str, Any] | None = None
        if name is not None and kind == _actions.FLOW:
            with self._lock:
                describe = self._flows.get(name)
        elif name is not None:
            describe = self._actions.describe(kind, name)
        if name is None or describe is None or method not in ("GET", "POST"):
            return 404, _wire.not_found()
        return (200, describe) if method == "GET" else self._invoke(kind, name, body)

    def _invoke(self, kind: str, name: str, body: bytes) -> tuple[int, object]:
        key = _actions.invocation_key(kind, name)
        with self._lock:
            handler = self._handlers.get(key)

        def remember(element: dict[str, Any]) -> None:
            with self._lock:
                self.invocations[key].append(element)

        interview = kind == _actions.FLOW
        return _actions.invoke(name, body, handler, remember, interview=interview)
