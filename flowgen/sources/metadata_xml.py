"""Reading Salesforce metadata XML (flows, objects, fields) as it is in a
Salesforce DX project: namespaced as Salesforce writes it, or not, as a
hand-written file may be."""

from __future__ import annotations

from xml.etree.ElementTree import Element

METADATA_NS = "{http://soap.sforce.com/2006/04/metadata}"
# Folders of a project that hold tools' files, never metadata.
SKIPPED_DIRS = frozenset({"node_modules", ".sfdx", ".sf", ".git"})


def child(element: Element, path: str) -> Element | None:
    """The element at ``path`` ("a/b") below ``element``, with or without the namespace."""
    found = element.find("/".join(f"{METADATA_NS}{part}" for part in path.split("/")))
    return found if found is not None else element.find(path)


def children(element: Element, tag: str) -> list[Element]:
    """The direct children named ``tag``."""
    return element.findall(f"{METADATA_NS}{tag}") or element.findall(tag)


def text(element: Element, path: str) -> str | None:
    """The stripped text at ``path``; None when absent or blank."""
    found = child(element, path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def local_name(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rpartition("}")[2]
