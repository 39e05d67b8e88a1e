"""Reading Salesforce metadata XML (flows, objects, fields) as it is in a
Salesforce DX project: namespaced as Salesforce writes it, or not, as a
hand-written file may be."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

METADATA_NS = "{http://soap.sforce.com/2006/04/metadata}"
# Folders of a project that hold tools' files, never metadata.
SKIPPED_DIRS = frozenset({"node_modules", ".sfdx", ".sf", ".git"})
# Folders whose files are another component's content, not metadata of their
# own: as the Salesforce CLI resolves source, anything below a folder of a
# strict-folder type (a static resource's files, an Aura or LWC bundle, a
# document...) belongs to that type, whatever its file name says.
CONTENT_DIRS = frozenset(
    {
        "staticresources",
        "aura",
        "lwc",
        "contentassets",
        "documents",
        "email",
        "experiences",
        "digitalExperiences",
        "siteDotComSites",
        "waveTemplates",
    }
)


def walk(directory: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk`` over a package directory's metadata, in sorted order:
    tools' folders (:data:`SKIPPED_DIRS`) and other components' content
    (:data:`CONTENT_DIRS`) are not entered. A caller may prune ``dirs``."""
    for parent, dirs, files in os.walk(directory):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIPPED_DIRS and d not in CONTENT_DIRS
        )
        yield Path(parent), dirs, sorted(files)


class XmlRefused(ValueError):
    """A file that is not the metadata it should be; the message says why.

    ``wrong_root``: well-formed XML, but another kind of metadata.
    """

    def __init__(self, problem: str, *, wrong_root: bool = False) -> None:
        super().__init__(problem)
        self.wrong_root = wrong_root


def parse(raw: bytes, root_tag: str) -> Element:
    """The root element of a metadata file that should be ``<root_tag>``.

    DTDs are refused, so no entity is ever expanded. Raises
    :class:`XmlRefused`.
    """
    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise XmlRefused(
            f"refused: the XML declares {type(exc).__name__} ({exc})"
        ) from None
    except ParseError as exc:
        raise XmlRefused(f"not well-formed XML ({exc})") from None
    if root.tag not in (f"{METADATA_NS}{root_tag}", root_tag):
        raise XmlRefused(
            f"its root element is <{local_name(root.tag)}>, not <{root_tag}>",
            wrong_root=True,
        )
    return root


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
