"""Flows from a Salesforce DX project: ``*.flow-meta.xml`` and ``*.flow`` files.

No org is needed: the flow's own metadata says which variables are inputs
and outputs and of what type. Files are found under the package directories
of ``sfdx-project.json`` (or anywhere under the project when it has none),
by their suffix, as the Salesforce CLI finds them: never inside another
component's content (``staticresources/``, ``aura/``, ``lwc/``...), and
parsed with defusedxml, which refuses DTDs, so no entity of any kind is
expanded and nothing is fetched.

Where the XML and a describe say different things (see docs/sfdx.md): variables
have no labels in XML (their names stand in), picklist values are not in
XML, and only XML knows a Number's scale (scale 0 is documented as a whole
number). XML type spellings are given as a describe spells them (Number is
DOUBLE), so a flow read either way generates the same module.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from flowgen.errors import SourceError
from flowgen.model import ApexType, FieldKind, FlowSpec, Param, RecordType, parse_type
from flowgen.runtime import DEFAULT_API_VERSION
from flowgen.sources.sfdx import metadata_xml
from flowgen.sources.sfdx import objects as sfdx_objects
from flowgen.sources.snapshot import FlowFile

PROJECT_FILE = "sfdx-project.json"
_SUFFIXES = (".flow-meta.xml", ".flow")
_SHOWN = 3  # flow files named when they are outside the package directories
# Flow <status> values that mean the flow is not running in the org.
INACTIVE_STATUSES = frozenset({"Draft", "Obsolete", "InvalidDraft"})
# Deploy-time namespace token (CumulusCI and others) in object and class names.
NAMESPACE_TOKEN = "%%%NAMESPACE%%%"
# Flow XML dataType -> the describe's spelling of the same type.
_DESCRIBE_TYPES: Mapping[str, str | None] = {
    "string": "STRING",
    "number": "DOUBLE",
    "currency": "CURRENCY",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "DATETIME",
    "time": "TIME",
    "picklist": "PICKLIST",
    "multipicklist": "MULTIPICKLIST",
    "sobject": "SOBJECT",
    "apex": None,  # a describe sends type null beside the apexClass
}


@dataclass(frozen=True)
class SfdxProject:
    """A project's flow files, not yet read; each can be read on its own."""

    root: str
    api_version: str
    namespace: str | None
    flow_files: tuple[str, ...]  # paths relative to root, sorted
    include_inactive: bool = False
    package_dirs: tuple[str, ...] = ()  # where objects/<Object>/ folders may be

    def flow_path(self, file_name: str) -> str:
        """The path of a flow file, as messages show it."""
        return os.path.join(self.root, file_name)

    def record_types(
        self, names: Iterable[str]
    ) -> tuple[dict[str, RecordType], list[str]]:
        """The sObject types among ``names`` that the project holds field
        metadata for (``objects/<Object>/fields/``), and what could not be read."""
        folders = {
            name.lower(): folder
            for name, folder in sfdx_objects.find_object_dirs(
                [Path(d) for d in self.package_dirs]
            ).items()
        }
        found: dict[str, RecordType] = {}
        problems: list[str] = []
        prefix = f"{self.namespace}__".lower() if self.namespace else None
        for name in sorted(set(names)):
            folder = folders.get(name.lower())
            # The package's own objects and fields are unprefixed in source.
            own = folder is None and prefix and name.lower().startswith(prefix)
            if own:
                folder = folders.get(name.lower()[len(prefix or "") :])
            if folder is None:
                continue
            record, messages = sfdx_objects.read_object(folder)
            problems += messages
            if record is not None:
                found[name] = (
                    _with_namespace(record, name, self.namespace) if own else record
                )
        return found, problems

    def described_bytes(self) -> int:
        """Not measured for projects (few have many objects in source)."""
        return 0

    def record_type_files(self, names: Iterable[str]) -> None:
        """Not kept for projects: their records.py is made every run."""
        return None

    def apex_types(self, names: Iterable[str]) -> tuple[dict[str, ApexType], list[str]]:
        """Apex classes are not read from source: their types stay dicts."""
        return {}, [
            f"Apex class {name}: members are not read from a project; typed as a dict"
            for name in sorted(set(names))
        ]

    def read_flow(self, file_name: str) -> FlowFile:
        """Parse one flow file; a bad or unusable file says why, never raises."""
        path = self.flow_path(file_name)
        name = _api_name(file_name)
        try:
            with open(path, "rb") as stream:
                raw = stream.read()
        except OSError as exc:
            return FlowFile(path, None, f"cannot be read ({exc.strerror or exc})")
        digest = hashlib.sha256(raw).digest()
        warnings: list[str] = []
        try:
            root = metadata_xml.parse(raw, "Flow")
        except metadata_xml.XmlRefused as exc:
            problem = f"not a flow: {exc}" if exc.wrong_root else str(exc)
            return FlowFile(path, None, problem, sha256=digest)
        status = metadata_xml.text(root, "status")
        if status in INACTIVE_STATUSES and not self.include_inactive:
            why = f"its status is {status} (pass --include-inactive to generate it)"
            return FlowFile(path, None, sha256=digest, skipped=(name, why))
        trigger = metadata_xml.text(root, "start/triggerType")
        if trigger:
            why = (
                f"it is a {trigger} triggered flow, which the org starts itself; "
                "the REST API cannot run it"
            )
            return FlowFile(path, None, sha256=digest, skipped=(name, why))
        spec = FlowSpec(
            api_name=name,
            label=metadata_xml.text(root, "label"),
            description=metadata_xml.text(root, "description"),
            inputs=self._params(root, "isInput", name, "input", warnings),
            outputs=self._params(root, "isOutput", name, "output", warnings),
            process_type=metadata_xml.text(root, "processType"),
        )
        return FlowFile(path, spec, None, tuple(warnings), digest)

    def _params(
        self,
        root: Element,
        flag: str,
        flow: str,
        direction: str,
        warnings: list[str],
    ) -> tuple[Param, ...]:
        params: list[Param] = []
        seen: set[str] = set()
        for variable in metadata_xml.children(root, "variables"):
            if metadata_xml.text(variable, flag) != "true":
                continue  # missing isInput/isOutput means false
            name = metadata_xml.text(variable, "name")
            if not name or name.lower() in seen:
                continue
            seen.add(name.lower())
            data_type = metadata_xml.text(variable, "dataType") or ""
            known = data_type.lower() in _DESCRIBE_TYPES
            ftype = parse_type(
                _DESCRIBE_TYPES.get(data_type.lower(), data_type),
                sobject_type=self._resolve(metadata_xml.text(variable, "objectType")),
                apex_class=self._resolve(metadata_xml.text(variable, "apexClass")),
            )
            if not known or ftype.kind is FieldKind.ANY:
                warnings.append(
                    f"{flow}: {direction} {name!r} has dataType {data_type!r}, "
                    "which flowgen does not know; it is typed as Any"
                )
            scale = metadata_xml.text(variable, "scale")
            params.append(
                Param(
                    name=name,
                    type=ftype,
                    is_collection=metadata_xml.text(variable, "isCollection") == "true",
                    description=metadata_xml.text(variable, "description"),
                    scale=int(scale) if scale and scale.isdigit() else None,
                )
            )
        return tuple(params)

    def _resolve(self, type_name: str | None) -> str | None:
        # %%%NAMESPACE%%%Program__c: ns__Program__c in a namespaced project,
        # Program__c otherwise; never a token inside an identifier.
        if type_name is None or NAMESPACE_TOKEN not in type_name:
            return type_name
        prefix = f"{self.namespace}__" if self.namespace else ""
        return type_name.replace(NAMESPACE_TOKEN, prefix) or None


def _with_namespace(record: RecordType, name: str, namespace: str | None) -> RecordType:
    # Custom fields of a namespaced package are ns__Field__c through the API.
    def prefixed(field_name: str | None) -> str | None:
        if field_name and namespace and field_name.count("__") == 1:
            return f"{namespace}__{field_name}"
        return field_name

    fields = tuple(
        dataclasses.replace(
            field,
            name=prefixed(field.name) or field.name,
            relationship_name=prefixed(field.relationship_name),
        )
        for field in record.fields
    )
    return dataclasses.replace(record, name=name, fields=fields)


def open_project(path: str | Path, *, include_inactive: bool = False) -> SfdxProject:
    """Find a project's flow files; a bad ``sfdx-project.json`` is fatal."""
    root = Path(path)
    if not root.is_dir():
        raise SourceError(str(root), "no such project directory")
    settings = _read_project_file(root)
    directories = _package_directories(root, settings)
    found: set[str] = set()
    for directory in directories:
        for file in _flow_files_under(directory):
            found.add(file.relative_to(root).as_posix())
    if not found and directories != [root]:
        _refuse_flows_elsewhere(root, directories)
    version = settings.get("sourceApiVersion")
    namespace = settings.get("namespace")
    return SfdxProject(
        root=str(root),
        api_version=(
            version if isinstance(version, str) and version else DEFAULT_API_VERSION
        ),
        namespace=namespace if isinstance(namespace, str) and namespace else None,
        flow_files=tuple(sorted(found)),
        include_inactive=include_inactive,
        package_dirs=tuple(str(directory) for directory in directories),
    )


def project_files(path: str | Path) -> list[Path]:
    """The files a project's flows are read from (for the no-op check)."""
    project = open_project(path)
    root = Path(project.root)
    settings = [root / PROJECT_FILE] if (root / PROJECT_FILE).is_file() else []
    objects = sfdx_objects.find_object_dirs([Path(d) for d in project.package_dirs])
    metadata = sorted(
        path
        for folder in objects.values()
        for path in [*folder.glob("*.object-meta.xml"), *folder.glob("fields/*.xml")]
    )
    return settings + [root / name for name in project.flow_files] + metadata


def _read_project_file(root: Path) -> Mapping[str, Any]:
    path = root / PROJECT_FILE
    if not path.is_file():
        return {}
    try:
        settings = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"not valid JSON: {exc}") from None
    if not isinstance(settings, Mapping):
        raise SourceError(str(path), "must be a JSON object")
    return settings


def _package_directories(root: Path, settings: Mapping[str, Any]) -> list[Path]:
    entries = settings.get("packageDirectories")
    if entries is None:
        return [root]
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        raise SourceError(
            str(root / PROJECT_FILE), "'packageDirectories' must be a list"
        )
    directories = []
    for entry in entries:
        relative = entry.get("path") if isinstance(entry, Mapping) else None
        if not isinstance(relative, str) or not relative:
            raise SourceError(
                str(root / PROJECT_FILE),
                "every entry of 'packageDirectories' needs a 'path'",
            )
        directory = (root / relative).resolve()
        if not directory.is_relative_to(root.resolve()):
            raise SourceError(
                str(root / PROJECT_FILE),
                f"package directory {relative!r} is outside the project",
            )
        if directory.is_dir():
            directories.append(root / relative)
    return directories


def _refuse_flows_elsewhere(root: Path, directories: Sequence[Path]) -> None:
    # No flow in the package directories, but flows beside them: a
    # packageDirectories or --project pointing at the wrong folder, almost
    # surely, and an empty package is no use to anyone. Say where they are.
    elsewhere = [file.relative_to(root).as_posix() for file in _flow_files_under(root)]
    if not elsewhere:
        return  # no flows anywhere: an empty package, as asked
    shown = ", ".join(elsewhere[:_SHOWN])
    more = f" and {len(elsewhere) - _SHOWN} more" if len(elsewhere) > _SHOWN else ""
    folders = ", ".join(d.relative_to(root).as_posix() for d in directories)
    where = f"its package directories ({folders or 'none of which exists'})"
    raise SourceError(
        str(root / PROJECT_FILE),
        f"{where} hold no flow file, but the project has {len(elsewhere)} "
        f"elsewhere: {shown}{more}; add the folder that holds them to "
        "'packageDirectories', or point --project (project in [tool.flowgen]) "
        "at it",
    )


def _flow_files_under(directory: Path) -> Iterator[Path]:
    """Flow files as the Salesforce CLI finds them: by their suffix, anywhere
    in a package directory except tools' folders and other components'
    content (a static resource's files are not flows, whatever their name)."""
    for parent, _dirs, files in metadata_xml.walk(directory):
        for name in files:
            if name.endswith(_SUFFIXES):
                yield parent / name


def _api_name(file_name: str) -> str:
    base = os.path.basename(file_name)
    for suffix in _SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base
