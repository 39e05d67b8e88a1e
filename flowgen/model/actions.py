"""The kinds of invocable action flowgen binds, and the setting that picks them.

Salesforce serves flows, Apex ``@InvocableMethod`` classes, prompt
templates and standard actions through one REST family
(``/services/data/vXX.X/actions/...``) with one describe and one invoke
shape; only the URL and a few habits differ. Standard library only.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ActionKind(enum.Enum):
    """One kind of invocable action; the value is its name in settings."""

    FLOW = "flow"
    APEX = "apex"
    PROMPT = "prompt"
    STANDARD = "standard"

    @property
    def url_path(self) -> str:
        """The part of ``actions/<url_path>/<Name>`` that names the kind."""
        return _URL_PATHS[self]

    @property
    def folder(self) -> str:
        """The generated package's subpackage (flows keep ``flows/``)."""
        return _FOLDERS[self]

    @property
    def noun(self) -> str:
        """What docs and messages call one action of this kind."""
        return _NOUNS[self]


_URL_PATHS = {
    ActionKind.FLOW: "custom/flow",
    ActionKind.APEX: "custom/apex",
    ActionKind.PROMPT: "custom/generatePromptResponse",
    ActionKind.STANDARD: "standard",
}
_FOLDERS = {
    ActionKind.FLOW: "flows",
    ActionKind.APEX: "apex",
    ActionKind.PROMPT: "prompts",
    ActionKind.STANDARD: "standard",
}
_NOUNS = {
    ActionKind.FLOW: "flow",
    ActionKind.APEX: "Apex action",
    ActionKind.PROMPT: "prompt template",
    ActionKind.STANDARD: "standard action",
}


@dataclass(frozen=True)
class ActionSelection:
    """The ``actions`` setting, read: which kinds to bind, and for standard
    actions which ones (there are hundreds; a user wants a few)."""

    kinds: frozenset[ActionKind] = frozenset({ActionKind.FLOW})
    standard_names: tuple[str, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> ActionSelection:
        """``["flow", "apex", "prompt", "standard:emailSimple"]`` to a selection.

        Raises ValueError naming the entry that is none of these.
        """
        kinds: set[ActionKind] = set()
        standard: list[str] = []
        for entry in entries:
            head, colon, name = entry.partition(":")
            if head == ActionKind.STANDARD.value and colon:
                if not name or not name.replace("_", "a").isalnum():
                    raise ValueError(
                        f"actions entry {entry!r}: name a standard action, "
                        "as in 'standard:emailSimple'"
                    )
                kinds.add(ActionKind.STANDARD)
                standard.append(name)
                continue
            if colon or head not in _BY_NAME or head == ActionKind.STANDARD.value:
                raise ValueError(
                    f"actions entry {entry!r} is none of 'flow', 'apex', 'prompt' "
                    "or 'standard:<name>' (such as 'standard:emailSimple')"
                )
            kinds.add(_BY_NAME[head])
        return cls(frozenset(kinds), tuple(sorted(set(standard))))

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds

    def settings(self) -> list[str]:
        """What the run record keeps of the selection: nothing for the
        default (flows alone), so records made before the setting stay good."""
        if self == FLOWS_ONLY:
            return []
        kinds = ",".join(sorted(kind.value for kind in self.kinds))
        return [f"actions={kinds}", f"standard={','.join(self.standard_names)}"]


_BY_NAME = {kind.value: kind for kind in ActionKind}


def action_key(kind: ActionKind, api_name: str) -> str:
    """What tells one action from every other in a package: a flow's API
    name, ``<kind>/<name>`` for the other kinds (which may share names)."""
    return api_name if kind is ActionKind.FLOW else f"{kind.value}/{api_name}"


def split_action_key(key: str) -> tuple[ActionKind, str]:
    """The kind and name of an :func:`action_key`; a key without a slash is
    a flow's. Raises ValueError for a prefix that is no other kind."""
    kind, slash, name = key.partition("/")
    if not slash:
        return ActionKind.FLOW, key
    if kind == ActionKind.FLOW.value:
        raise ValueError(f"{key!r}: a flow's key has no kind prefix")
    return ActionKind(kind), name


FLOWS_ONLY = ActionSelection()  # the default: flows, as before the setting


def patterns_for(kind: ActionKind, patterns: Sequence[str]) -> list[str]:
    """The ``include``/``exclude`` patterns that apply to ``kind``: plain ones
    to flows, ``apex:Acme_*`` to Apex actions (likewise ``prompt:``,
    ``standard:``). Flow names hold no colon, so the two never mix."""
    if kind is ActionKind.FLOW:
        return [pattern for pattern in patterns if ":" not in pattern]
    prefix = f"{kind.value}:"
    return [p[len(prefix) :] for p in patterns if p.startswith(prefix)]


def check_patterns(patterns: Iterable[str]) -> None:
    """Raise ValueError naming a pattern whose ``kind:`` prefix is no kind."""
    for pattern in patterns:
        kind, colon, _ = pattern.partition(":")
        if colon and (kind not in _BY_NAME or kind == ActionKind.FLOW.value):
            raise ValueError(
                f"pattern {pattern!r}: a kind prefix is 'apex:', 'prompt:' or "
                "'standard:'; a flow pattern has none"
            )


def selected(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether ``name`` passes the glob patterns (API names, so any case)."""
    lowered = name.lower()
    if include and not any(fnmatch.fnmatchcase(lowered, p.lower()) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(lowered, p.lower()) for p in exclude)
