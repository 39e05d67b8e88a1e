"""The org's invocable actions besides flows: Apex, prompt templates, standard.

Salesforce serves them as it serves flows, each kind under its own path of
``actions/``: a list, one describe per action and an invoke at the same URL.
Their answers differ from a flow's only in having no interview, so no
``Flow__Interview*`` output values. Apex actions are also classes, whose
``LastModifiedDate`` a data API ``ApexClass`` query reads.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import _query, _tooling, _wire
from ._model import FlowFault, FlowHandler
from ._soql import MALFORMED_QUERY, QueryError, entity, select

FLOW = "flow"


@dataclass(frozen=True)
class Kind:
    """Where a kind of action lives under ``actions/``, and its ``type``."""

    path: str  # e.g. "custom/apex": actions/custom/apex/<Name>
    type: str  # the list's (and describe's) "type", e.g. "APEX"


KINDS: Mapping[str, Kind] = {
    "apex": Kind("custom/apex", "APEX"),
    "prompt": Kind("custom/generatePromptResponse", "GENERATEPROMPTRESPONSE"),
    "standard": Kind("standard", "STANDARD"),
}

_FLOW_KIND = Kind("custom/flow", "FLOW")

APEX_CLASS = "ApexClass"
# What a data API ApexClass query may select; SOQL names are case-insensitive.
APEX_FIELDS = ("Name", "NamespacePrefix", "LastModifiedDate")
_APEX_SHAPE = f"SELECT <fields> FROM {APEX_CLASS} [WHERE Name IN ('...', ...)]"


def check_kind(kind: object, *, flow_method: str | None = None) -> str:
    """``kind`` if it names a kind of action, else a ValueError saying which do.

    With ``flow_method`` "flow" is no kind here, and the error names the
    method flows have instead; without it "flow" is accepted too.
    """
    allowed = list(KINDS) if flow_method else [FLOW, *KINDS]
    if isinstance(kind, str) and kind in allowed:
        return kind
    if kind == FLOW:
        raise ValueError(f"kind 'flow' is for flows, which have {flow_method}()")
    names = ", ".join(repr(name) for name in allowed)
    raise ValueError(f"unknown action kind {kind!r}; expected one of {names}")


def invocation_key(kind: str, name: str) -> str:
    """The key of ``invocations`` (and of handlers): a flow's name, else
    ``"<kind>:<name>"``, e.g. ``"apex:Create311Case"``."""
    return name if kind == FLOW else f"{kind}:{name}"


def target(base: str, path: str) -> tuple[str, str | None] | None:
    """The kind (flows included) and name (None for the list) an action path
    is for. ``base`` is ``/services/data/vX``; other paths give None."""
    for kind, spec in ((FLOW, _FLOW_KIND), *KINDS.items()):
        collection = f"{base}/actions/{spec.path}"
        if path == collection:
            return kind, None
        if path.startswith(collection + "/"):
            return kind, unquote(path[len(collection) + 1 :])
    return None


def listing(
    base: str, kind: str, describes: Iterable[tuple[str, Mapping[str, Any]]]
) -> dict[str, Any]:
    """The answer to ``GET <base>/actions/<kind path>``: ``describes`` listed
    (in the order given) by label, name, type and URL."""
    spec = _FLOW_KIND if kind == FLOW else KINDS[kind]
    actions = [
        {
            "label": describe["label"],
            "name": name,
            "type": spec.type,
            "url": f"{base}/actions/{spec.path}/{name}",
        }
        for name, describe in describes
    ]
    return {"actions": actions}


def invoke(
    name: str,
    body: bytes,
    handler: FlowHandler | None,
    remember: Callable[[dict[str, Any]], None],
    *,
    interview: bool,
) -> tuple[int, object]:
    """Status and body for invoking action ``name`` (a flow's when ``interview``).

    ``handler`` runs once per input element (None: success, no outputs);
    ``remember`` gets each element first, so an input that crashes still
    shows up. A ``FlowFault`` fails one element: the answer is then 400
    with the full per-input array, as Salesforce's is.
    """
    try:
        inputs = _wire.parse_inputs(body)
    except _wire.BadRequest as exc:
        return 400, _wire.error(_wire.JSON_PARSER_ERROR, str(exc))
    results: list[dict[str, Any]] = []
    for element in inputs:
        remember(element)
        try:
            # A copy, so a handler mutating its input cannot rewrite history.
            outputs = {} if handler is None else handler(copy.deepcopy(element))
        except FlowFault as fault:
            results.append(_wire.fault_result(name, fault))
            continue
        except Exception as exc:  # a bug in the test's handler: fail loudly
            return 500, _wire.unexpected(exc)
        if not isinstance(outputs, Mapping):
            problem = TypeError(f"handler for {name} returned {type(outputs).__name__}")
            return 500, _wire.unexpected(problem)
        results.append(_wire.success_result(name, outputs, interview=interview))
    status = 200 if all(result["isSuccess"] for result in results) else 400
    return status, results


def is_apex_class_query(soql: str) -> bool:
    """Whether ``soql`` reads ApexClass (then ``Actions.apex_class_rows`` answers)."""
    read = entity(soql)
    return read is not None and read.lower() == APEX_CLASS.lower()


@dataclass(frozen=True)
class _Action:
    describe: dict[str, Any]
    number: int  # numbers the ApexClass row id; kept when replaced
    last_modified: str


class Actions:
    """The registered actions of every kind but flows, by kind and name."""

    def __init__(self, clock: _query.Clock) -> None:
        self._clock = clock
        self._actions: dict[str, dict[str, _Action]] = {kind: {} for kind in KINDS}
        self._count = 0  # actions ever added: numbers their ApexClass ids
        self._lock = threading.Lock()

    def add(self, kind: str, describe: Mapping[str, Any]) -> None:
        """Register ``describe`` (replacing the action of that name) and date it."""
        kind = check_kind(kind, flow_method="add_flow")
        if not isinstance(describe, Mapping):
            raise ValueError(
                f"{kind} action describe must be a mapping, "
                f"not {type(describe).__name__}"
            )
        for key in ("name", "label"):
            if not isinstance(describe.get(key), str) or not describe[key]:
                raise ValueError(
                    f"{kind} action describe needs a non-empty string {key!r}"
                )
        # A private copy, so a caller editing its dict cannot change the org.
        stored = copy.deepcopy(dict(describe))
        name: str = stored["name"]
        with self._lock:
            old = self._actions[kind].get(name)
            if old is None:
                self._count += 1
            number = self._count if old is None else old.number
            stamp = _query.timestamp(self._clock.tick())
            self._actions[kind][name] = _Action(stored, number, stamp)

    def touch(self, kind: str, name: str) -> None:
        """Move the action's date on, its describe unchanged; KeyError if unknown."""
        kind = check_kind(kind, flow_method="touch_flow")
        with self._lock:
            old = self._actions[kind][name]
            stamp = _query.timestamp(self._clock.tick())
            self._actions[kind][name] = _Action(old.describe, old.number, stamp)

    def remove(self, kind: str, name: str) -> None:
        """Delete the action; KeyError if unknown."""
        kind = check_kind(kind, flow_method="remove_flow")
        with self._lock:
            del self._actions[kind][name]

    def describe(self, kind: str, name: str) -> dict[str, Any] | None:
        """The describe served for the action, or None if there is none."""
        with self._lock:
            action = self._actions[kind].get(name)
        return None if action is None else action.describe

    def listing(self, base: str, kind: str) -> dict[str, Any]:
        """The answer to ``GET <base>/actions/<kind path>``, sorted by name."""
        with self._lock:
            actions = sorted(self._actions[kind].items())
        return listing(base, kind, ((name, a.describe) for name, a in actions))

    def apex_class_rows(self, base: str, soql: str) -> list[dict[str, Any]]:
        """The records of a data API ``SELECT <fields> FROM ApexClass`` query.

        One row per Apex action (its class), ordered by namespace then name;
        ``WHERE Name IN (...)`` keeps the named classes (case-insensitively,
        without their namespace prefix). Other clauses raise QueryError.
        """
        fields, rest = select(soql, APEX_CLASS, APEX_FIELDS, shape=_APEX_SHAPE)
        wanted: set[str] | None = None
        if rest:
            where = _tooling.WHERE_NAME_IN.fullmatch(rest)
            if where is None:
                raise QueryError(
                    MALFORMED_QUERY,
                    f"the fake org answers only {_APEX_SHAPE}, not {rest!r}",
                )
            wanted = {name.lower() for name in _tooling.quoted_names(where["names"])}
        with self._lock:
            actions = sorted(
                self._actions["apex"].items(),
                key=lambda item: _query.sort_key(item[0]),
            )
        rows: list[dict[str, Any]] = []
        for full_name, action in actions:
            namespace, name = _query.split_name(full_name)
            if wanted is not None and name.lower() not in wanted:
                continue
            values = {
                "Name": name,
                "NamespacePrefix": namespace,
                "LastModifiedDate": action.last_modified,
            }
            row_id = _query.fake_id("01p", action.number)
            url = f"{base}/sobjects/{APEX_CLASS}/{row_id}"
            row: dict[str, Any] = {"attributes": {"type": APEX_CLASS, "url": url}}
            row.update((field, values[field]) for field in fields)
            rows.append(row)
        return rows
