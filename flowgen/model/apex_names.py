"""How Apex spells the types of class members, read without an org.

``List<Shipping.Parcel>``, ``Parcel[]``, ``Set<System.String>``: which
Apex-defined type (``Shipping$Parcel``) or value type a member holds, and
how deeply it is wrapped in lists. Both the pull (which classes to fetch)
and the rendering (how to type a member) read member types through here,
so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flowgen.model.types import FieldKind

# Apex's value types that generated code types as flow variables of a kind
# (lowercase; Apex ignores case).
VALUE_KINDS: Mapping[str, FieldKind] = {
    "string": FieldKind.STRING,
    "id": FieldKind.STRING,
    "integer": FieldKind.INTEGER,
    "long": FieldKind.INTEGER,
    "decimal": FieldKind.DECIMAL,
    "double": FieldKind.FLOAT,
    "boolean": FieldKind.BOOLEAN,
    "date": FieldKind.DATE,
    "datetime": FieldKind.DATETIME,
    "time": FieldKind.TIME,
}
# Types that are values, not classes to fetch.
PRIMITIVES = frozenset(
    {*VALUE_KINDS, "object", "blob", "sobject", "void", "list", "set", "map"}
)
# Prefixes that qualify built-in types: System.String, Schema.Account.
_BUILTIN_QUALIFIERS = frozenset({"system", "schema"})
_COLLECTION = re.compile(r"(?:list|set)<(?P<element>.*)>", re.IGNORECASE | re.DOTALL)
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def apex_type_candidates(member_type: str, owner: str) -> tuple[str, ...]:
    """The Apex types a member of type ``member_type`` in class ``owner`` may
    hold, most likely first; ``()`` for a primitive, a Map or a type this
    cannot read.

    ``List<X>``, ``Set<X>`` and ``X[]`` hold an X. ``Outer.Inner`` is
    ``Outer$Inner``; a bare ``Parcel`` in (an inner class of) ``Shipping``
    is ``Shipping$Parcel`` if that inner class exists, else the top-level
    class ``Parcel``.
    """
    _, element = unwrap(member_type)
    if element is None:
        return ()
    parts = element.split(".")
    if any("__" in part for part in parts):
        return ()  # sObjects (Invoice__c) and namespaced names: not classes here
    outer = owner.partition("$")[0]
    if len(parts) == 1:
        (name,) = parts
        if name.lower() in PRIMITIVES:
            return ()
        return (f"{outer}${name}", name)
    if len(parts) == 2:
        head, inner = parts
        if head.lower() == outer.rpartition("__")[2].lower():
            return (f"{outer}${inner}",)  # an inner class of the owner's class
        return (f"{head}${inner}",)
    return ()  # ns.Outer.Inner: namespaced, left untyped


def resolve_apex_type(member_type: str, owner: str, known: Iterable[str]) -> str | None:
    """The type among ``known`` (names, case ignored) that a member of type
    ``member_type`` in class ``owner`` holds, spelled as in ``known``; None
    when it holds none of them (see :func:`apex_type_candidates`)."""
    by_lower = {name.lower(): name for name in known}
    for candidate in apex_type_candidates(member_type, owner):
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    return None


def unwrap(member_type: str) -> tuple[int, str | None]:
    """How many lists (``List<>``, ``Set<>``, ``[]``) wrap a member type, and
    the type inside without a ``System.``/``Schema.`` qualifier; None inside
    for a Map or anything this cannot read."""
    text = "".join(member_type.split())
    depth = 0
    while True:
        if text.endswith("[]"):
            text, depth = text[:-2], depth + 1
            continue
        collection = _COLLECTION.fullmatch(text)
        if collection is None:
            break
        text, depth = collection["element"], depth + 1
    if not _DOTTED.fullmatch(text):
        return depth, None
    parts = text.split(".")
    if len(parts) > 1 and parts[0].lower() in _BUILTIN_QUALIFIERS:
        parts = parts[1:]
    return depth, ".".join(parts)
