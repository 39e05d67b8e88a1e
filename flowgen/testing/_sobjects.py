"""sObject describes: registered by tests, served as ``sobjects/<Type>/describe``."""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from . import _wire

_PREFIX = "/sobjects/"
_SUFFIX = "/describe"


def describe_target(base: str, path: str) -> str | None:
    """The type name in a ``<base>/sobjects/<Type>/describe`` path, else None.

    ``base`` is ``/services/data/vX``; the name comes back as the client
    spelled it, for a case-insensitive lookup.
    """
    prefix = base + _PREFIX
    if not (path.startswith(prefix) and path.endswith(_SUFFIX)):
        return None
    name = unquote(path[len(prefix) : -len(_SUFFIX)])
    # "sobjects//describe" or "sobjects/A/B/describe" name no type.
    return name if name and "/" not in name else None


def is_custom(name: str) -> bool:
    """Whether an object or field name is a custom one, as ``__c`` marks it."""
    return name.endswith("__c")


def validated(describe: Mapping[str, Any]) -> dict[str, Any]:
    """A private deep copy of ``describe``, checked to be servable.

    It needs a non-empty string ``name`` and a ``fields`` list of objects
    with a non-empty string ``name`` each: the defaults added when serving
    (``custom`` above all) are computed from those names.
    """
    if not isinstance(describe, Mapping):
        raise ValueError(
            f"sObject describe must be a JSON object, not {type(describe).__name__}"
        )
    name = describe.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("sObject describe needs a non-empty string 'name'")
    fields = describe.get("fields")
    if not isinstance(fields, list):
        raise ValueError(f"sObject describe {name!r} needs a 'fields' list")
    for index, field in enumerate(fields):
        field_name = field.get("name") if isinstance(field, Mapping) else None
        if not isinstance(field_name, str) or not field_name:
            raise ValueError(
                f"sObject describe {name!r}: fields[{index}] needs a non-empty "
                "string 'name'"
            )
    # A private copy, so a caller editing its dict cannot change the org.
    return copy.deepcopy(dict(describe))


def served(base: str, describe: Mapping[str, Any]) -> dict[str, Any]:
    """The describe answer: ``describe`` plus the keys the real API always sends.

    Salesforce's answer is far larger than what a test registers; clients
    must cope with (and may rely on) these keys, so they are filled in when
    absent. New dicts throughout: the stored describe is never changed.
    """
    name: str = describe["name"]
    answer = dict(describe)
    answer.setdefault("custom", is_custom(name))
    answer.setdefault("keyPrefix", None)
    answer.setdefault("urls", {"describe": f"{base}{_PREFIX}{name}{_SUFFIX}"})
    answer.setdefault("childRelationships", [])
    answer.setdefault("recordTypeInfos", [])
    answer["fields"] = [_served_field(field) for field in describe["fields"]]
    return answer


def _served_field(field: Mapping[str, Any]) -> dict[str, Any]:
    answer = dict(field)
    answer.setdefault("byteLength", 0)
    answer.setdefault("calculated", False)
    answer.setdefault("custom", is_custom(field["name"]))
    answer.setdefault("defaultValue", None)
    answer.setdefault("updateable", True)
    return answer


class SObjects:
    """The registered describes, looked up by type name case-insensitively.

    Salesforce resolves ``sobjects/account/describe`` to Account; the answer
    keeps the spelling the describe was registered with.
    """

    def __init__(self) -> None:
        self._describes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, describe: Mapping[str, Any]) -> None:
        """Register ``describe``, replacing one of the same name in any case."""
        stored = validated(describe)
        with self._lock:
            self._describes[stored["name"].lower()] = stored

    def answer(self, base: str, name: str) -> tuple[int, object]:
        """Status and body for ``GET <base>/sobjects/<name>/describe``."""
        with self._lock:
            describe = self._describes.get(name.lower())
        if describe is None:
            return 404, _wire.not_found()
        return 200, served(base, describe)
