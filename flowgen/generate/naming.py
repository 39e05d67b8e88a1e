"""Wire names to safe, distinct, deterministic Python identifiers.

Pure functions. Salesforce names arrive untrusted: anything may come in, and
what comes out is always a valid identifier that is not a keyword, a soft
keyword or a builtin, so a generated class body can never shadow the names
its own annotations use.
"""

from __future__ import annotations

import builtins
import collections
import functools
import hashlib
import itertools
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(name for name in dir(builtins) if not name.startswith("_"))
)

_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
# Word boundaries inside camelCase: "myVar" -> "my Var", "HTTPServer" -> "HTTP Server",
# "address2Line" -> "address2 Line".
_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ACRONYM_WORD = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")


def _ascii_words(name: str) -> list[str]:
    # Accented letters keep their base letter; anything else outside ASCII is a
    # separator. Salesforce API names are ASCII, labels are not.
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(
        ch if ch.isascii() else " "
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    spaced = _ACRONYM_WORD.sub(" ", _LOWER_UPPER.sub(" ", ascii_only))
    return [word for word in _NON_WORD.split(spaced) if word]


@functools.lru_cache(maxsize=65536)
def snake_case(name: str, *, fallback: str) -> str:
    """``myVar`` / ``My_Var`` / ``ns__MyVar`` -> ``my_var`` / ``my_var`` / ``ns_my_var``.

    ``fallback`` prefixes names that would start with a digit and replaces names
    with no usable character at all. Keywords and builtins get a trailing ``_``.
    """
    words = [word.lower() for word in _ascii_words(name)]
    if not words:
        return fallback
    ident = "_".join(words)
    if ident[0].isdigit():
        ident = f"{fallback}_{ident}"
    return ident + "_" if ident in RESERVED else ident


@functools.lru_cache(maxsize=65536)
def pascal_case(snake: str) -> str:
    """``create_case`` -> ``CreateCase``; ``q3_forecast_2`` -> ``Q3Forecast_2``.

    Injective over the lowercase output of :func:`snake_case` and
    :func:`unique_names`: a word that starts with a digit keeps its underscore,
    because ``MyVar2`` would otherwise stand for both ``my_var_2`` and ``my_var2``.
    """
    parts = [part for part in snake.split("_") if part]
    return "".join(
        part.capitalize() if part[0].isalpha() else f"_{part}" for part in parts
    )


def class_stems(functions: Iterable[str]) -> dict[str, str]:
    """Each function name's class-name stem: ``synth_flow_0001`` -> ``SynthFlow0001``.

    Words are joined without underscores. Where two functions would get the
    same stem (``my_var_2`` and ``my_var2``), all of that group take
    :func:`pascal_case`'s spelling, which keeps an underscore before a word
    that starts with a digit and so stays distinct. A stem depends only on
    the names it collides with.
    """
    names = list(functions)
    joined = {
        name: "".join(part.capitalize() for part in name.split("_") if part)
        for name in names
    }
    counts = collections.Counter(joined.values())
    return {
        name: stem if counts[stem] == 1 else pascal_case(name)
        for name, stem in joined.items()
    }


def unique_names(
    wire_names: Iterable[str],
    *,
    fallback: str,
    taken: Iterable[str] = (),
) -> dict[str, str]:
    """Map each wire name to a distinct snake_case identifier.

    Names that snake-case alike (``myVar``, ``my_var``) form a group. In a group,
    a wire name already equal to the identifier keeps it (or, failing that, one
    equal to it but for case, then the lowest in code-point order); each other
    member takes a suffix made from its own wire name (:func:`collision_suffix`),
    never a count. So a name depends only on the names it collides with, never
    on the order they were listed in, and adding a flow or a parameter cannot
    renumber the names of others. ``taken`` holds identifiers the caller
    reserves (``client``...); a wire name that snake-cases to one reads ``client_``.
    """
    names = sorted(set(wire_names))
    base = {wire: snake_case(wire, fallback=fallback) for wire in names}
    groups: dict[str, list[str]] = {}
    for wire in names:
        groups.setdefault(base[wire], []).append(wire)

    reserved = set(taken)
    if len(groups) == len(names) and reserved.isdisjoint(groups):
        return base  # no collisions: the common case, and the same answer
    return _settle(groups, reserved, closeness=_closeness)


def _closeness(wire: str, ident: str) -> tuple[bool, bool, str]:
    # Exact spelling first, then the same spelling in another case
    # (Update_Order_Status before UpdateOrderStatus), then code-point order.
    return (wire != ident, wire.lower() != ident, wire)


def type_alias_name(wire_name: str) -> str:
    """A readable, valid class name for an sObject or Apex type.

    ``Account`` and ``Invoice__c`` stay as they are (users know them by that
    name); ``Outer$Inner`` becomes ``Outer_Inner``.
    """
    ident = (
        re.sub(r"[^0-9a-zA-Z_]", "_", _strip_accents(wire_name)).strip("_") or "Type"
    )
    if ident[0].isdigit():
        ident = f"T_{ident}"
    return ident + "_" if ident in RESERVED else ident


def unique_type_aliases(
    wire_names: Iterable[str], taken: Iterable[str] = ()
) -> Mapping[str, str]:
    """Distinct :func:`type_alias_name` per wire name.

    As in :func:`unique_names`: the exact spelling keeps the plain name and
    the other members of a collision take a suffix made from their own name.
    """
    groups: dict[str, list[str]] = {}
    for wire in sorted(set(wire_names)):
        groups.setdefault(type_alias_name(wire), []).append(wire)
    return _settle(
        groups,
        set(taken),
        closeness=lambda wire, ident: (wire != ident, wire),
    )


def collision_suffix(wire_name: str, length: int = 4) -> str:
    """A short suffix of hex digits that depends on ``wire_name`` alone.

    A collision is rare, and a numbered suffix (``_2``) would depend on which
    other names exist: a new flow could then rename a committed function.
    """
    return hashlib.sha256(wire_name.encode("utf-8", "surrogatepass")).hexdigest()[
        :length
    ]


def _settle(
    groups: Mapping[str, list[str]],
    reserved: set[str],
    *,
    closeness: Callable[[str, str], Any],
) -> dict[str, str]:
    """Pick one identifier per wire name from groups of names that collide.

    A group's closest member keeps its identifier (plus ``_`` when the
    caller reserved it); the others take the identifier plus their own
    :func:`collision_suffix`, longer only in the unlikely case that two
    suffixes, or a suffix and another name, meet.
    """
    used = set(reserved)
    all_bases = set(groups)
    result: dict[str, str] = {}
    for ident in sorted(groups):
        members = sorted(groups[ident], key=lambda wire: closeness(wire, ident))
        holder, others = members[0], members[1:]
        bare = ident if ident not in reserved else ident + "_"
        if bare in used:  # only a reserved name plus its suffix can be
            others = members
        else:
            used.add(bare)
            result[holder] = bare
        stem = ident.rstrip("_")
        for wire in others:
            candidate = next(
                name
                for name in _suffixed(stem, wire)
                if name not in used and name not in all_bases
            )
            used.add(candidate)
            result[wire] = candidate
    return result


def _suffixed(stem: str, wire: str) -> Iterator[str]:
    for length in (4, 8, 16):
        yield f"{stem}_{collision_suffix(wire, length)}"
    # Only names made to meet the suffixes above get here.
    full = f"{stem}_{collision_suffix(wire, 64)}"
    yield full
    yield from (f"{full}_{n}" for n in itertools.count(2))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
