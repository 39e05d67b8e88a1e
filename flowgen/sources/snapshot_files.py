"""Reading a snapshot's files: bytes with their stamps, and the type folders.

``sobjects/`` and ``apex/`` hold one JSON file per type, named by the type
(case-insensitively, as Salesforce names are); a file that cannot be used
is a warning, and the values of its type stay untyped.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flowgen.errors import SourceError
from flowgen.model import RecordType
from flowgen.sources.sobjects import parse_sobject

_T = TypeVar("_T")


def json_files_by_name(directory: str) -> dict[str, str] | None:
    """A folder's ``<Name>.json`` file names by lowercased ``Name`` (type
    names are case-insensitive in Salesforce); None when it cannot be listed."""
    try:
        return {
            name[: -len(".json")].lower(): name
            for name in os.listdir(directory)
            if name.endswith(".json")
        }
    except OSError:
        return None


def read_record_types(
    directory: str, names: Iterable[str]
) -> tuple[dict[str, RecordType], list[str]]:
    """The sObject types of ``names`` described under ``directory`` (a
    snapshot's ``sobjects/``), by name, and warnings for files that could
    not be used. A type with no file is simply absent: its records stay
    generic."""
    files = json_files_by_name(directory)
    if files is None:
        return {}, []
    found: dict[str, RecordType] = {}
    warnings: list[str] = []
    for name in sorted(set(names)):
        file_name = files.get(name.lower())
        if file_name is None:
            continue
        path = os.path.join(directory, file_name)
        record = read_type_file(
            path,
            functools.partial(parse_sobject, origin=path, warn=warnings.append),
            warnings,
            f"{name} records stay untyped",
        )
        if record is not None:
            found[name] = record
    return found, warnings


def read_type_file(
    path: str,
    parse: Callable[[Any], _T],
    warnings: list[str],
    otherwise: str,
) -> _T | None:
    """One JSON file of a snapshot's type folder, parsed; None, and a warning
    that ends with ``otherwise``, when it cannot be read or parsed."""
    try:
        return parse(json.loads(read_bytes(path)[0]))
    except (OSError, ValueError) as exc:
        warnings.append(f"{path}: cannot be read ({exc}); {otherwise}")
    except SourceError as exc:
        warnings.append(f"{exc}; {otherwise}")
    return None


def read_bytes(path: str) -> tuple[bytes, tuple[int, int]]:
    """A file's bytes and its (size, st_mtime_ns) from the same open file."""
    with open(path, "rb") as file:
        stat = os.fstat(file.fileno())
        data = file.read()
    return data, (stat.st_size, stat.st_mtime_ns)
