"""sObject types from a Salesforce DX project: ``objects/<Object>/`` folders.

An object folder holds ``<Object>.object-meta.xml`` (the object's label and,
for custom objects, its ``<nameField>``) and ``fields/*.field-meta.xml``, one
CustomField per file. They are read into the :class:`RecordType` a REST
describe (``GET /sobjects/<Object>/describe``) would give, as far as source
can say: field types are given in the describe's lowercase spelling
(``Text`` is ``string``, ``Checkbox`` is ``boolean``, a lookup is
``reference``...), and a formula field's ``<type>`` is its result type.

Source knows less than a describe: a standard object's standard fields are
not in it (only ``Id`` is always added, and ``Name`` when a ``<nameField>``
is declared), standard fields' files often carry no ``<type>``, and a global
value set's values live elsewhere. Files are parsed with defusedxml, which
refuses DTDs; a file that cannot be used is skipped with a message naming
it, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from flowgen.model import RecordField, RecordType, usable_field_name
from flowgen.sources.sfdx import metadata_xml

_FIELD_SUFFIX = ".field-meta.xml"
_OBJECT_SUFFIX = ".object-meta.xml"

# Metadata API <type> of a CustomField -> the describe's field type.
_DESCRIBE_TYPES: Mapping[str, str] = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Html": "textarea",  # Rich Text Area
    "EncryptedText": "encryptedstring",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Checkbox": "boolean",
    # A describe says double even for scale 0; the scale is kept beside it.
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Date": "date",
    "DateTime": "datetime",
    "Time": "time",
    "Lookup": "reference",
    "MasterDetail": "reference",
    "Hierarchy": "reference",
    "ExternalLookup": "reference",
    "IndirectLookup": "reference",
    "AutoNumber": "string",
    "Location": "location",
    # A roll-up's describe type follows the summarized field, which lives on
    # another object; double is what COUNT gives and is kept for all.
    "Summary": "double",
}
# Standard fields whose files may carry no <type> but whose type is known.
_STANDARD_TYPES: Mapping[str, str] = {"Id": "id", "Name": "string"}

_ID_FIELD = RecordField(
    name="Id", type="id", label="Record ID", nillable=False, length=18
)


def find_object_dirs(package_dirs: Sequence[Path]) -> dict[str, Path]:
    """Object API name -> its ``objects/<Object>`` folder, sorted by name.

    Every ``objects/<Object>/`` under the package directories counts when it
    holds ``<Object>.object-meta.xml`` or a ``fields`` folder, except inside
    tools' folders and other components' content (a static resource's files,
    an LWC bundle...: see :func:`metadata_xml.walk`). Folders are
    walked in sorted order; on a duplicate name the first package directory
    (then the first folder in walk order) wins.
    """
    found: dict[str, Path] = {}
    for package_dir in package_dirs:
        for parent, dirs, _files in metadata_xml.walk(package_dir):
            if parent.name != "objects":
                continue
            for name in dirs:
                folder = parent / name
                if name not in found and _looks_like_object(folder):
                    found[name] = folder
            dirs[:] = []  # an object folder holds no further objects/
    return dict(sorted(found.items()))


def read_object(object_dir: Path) -> tuple[RecordType | None, list[str]]:
    """Read one ``objects/<Object>/`` folder into a :class:`RecordType`.

    The second item lists what could not be used, each as ``path: problem``;
    a bad field file is skipped and the others are still read. A folder that
    gives no field (no usable field file and no ``<nameField>``) gives None.
    """
    object_name = object_dir.name
    problems: list[str] = []
    if not object_dir.is_dir():
        return None, [f"{object_dir}: no such object folder"]

    label: str | None = None
    name_field: RecordField | None = None
    object_file = object_dir / f"{object_name}{_OBJECT_SUFFIX}"
    if object_file.is_file():
        root = _parse(object_file, "CustomObject", problems)
        if root is not None:
            label = metadata_xml.text(root, "label")
            name_field = _name_field(root)

    fields: dict[str, RecordField] = {}
    for path in _field_files(object_dir / "fields"):
        field = _read_field(path, object_name, problems)
        if field is None:
            continue
        if field.name.casefold() in fields:
            problems.append(
                f"{path}: skipped: another file already defines field {field.name!r}"
            )
            continue
        fields[field.name.casefold()] = field

    if not fields and name_field is None:
        problems.append(
            f"{object_dir}: no fields: no usable fields/*{_FIELD_SUFFIX} "
            "and no <nameField>"
        )
        return None, problems
    if name_field is not None and "name" not in fields:
        fields["name"] = name_field
    ordered = sorted(fields.values(), key=lambda f: (f.name.casefold(), f.name))
    id_field = fields.pop("id", None)
    if id_field is not None:
        ordered.remove(id_field)
    ordered.insert(0, id_field or _ID_FIELD)
    return RecordType(name=object_name, label=label, fields=tuple(ordered)), problems


def _looks_like_object(folder: Path) -> bool:
    return (folder / f"{folder.name}{_OBJECT_SUFFIX}").is_file() or (
        folder / "fields"
    ).is_dir()


def _field_files(fields_dir: Path) -> list[Path]:
    if not fields_dir.is_dir():
        return []
    return sorted(
        path
        for path in fields_dir.iterdir()
        if path.name.endswith(_FIELD_SUFFIX) and path.is_file()
    )


def _name_field(root: Element) -> RecordField | None:
    declared = metadata_xml.child(root, "nameField")
    if declared is None:
        return None
    # Text and AutoNumber names are both strings, and never null.
    return RecordField(
        name="Name",
        type="string",
        label=metadata_xml.text(declared, "label"),
        nillable=False,
        length=80 if metadata_xml.text(declared, "type") == "Text" else None,
    )


def _read_field(
    path: Path, object_name: str, problems: list[str]
) -> RecordField | None:
    root = _parse(path, "CustomField", problems)
    if root is None:
        return None
    name = path.name[: -len(_FIELD_SUFFIX)]
    if not usable_field_name(name):
        problems.append(f"{path}: skipped: the file name gives no usable field name")
        return None
    full_name = metadata_xml.text(root, "fullName")
    if full_name is not None and full_name != name:
        problems.append(
            f"{path}: <fullName> is {full_name!r}; the file name {name!r} is used"
        )
    xml_type = metadata_xml.text(root, "type")
    if xml_type is None:
        ftype = _STANDARD_TYPES.get(name)
        if ftype is None:
            problems.append(
                f"{path}: no <type> (a standard field's type is not in source); "
                "typed anytype"
            )
            ftype = "anytype"
    else:
        ftype = _DESCRIBE_TYPES.get(xml_type, "anytype")
        if xml_type not in _DESCRIBE_TYPES:
            problems.append(
                f"{path}: <type> {xml_type!r} is not a field type flowgen knows; "
                "typed anytype"
            )

    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    if ftype == "reference":
        targets = [t.strip() for t in _texts(root, "referenceTo")]
        reference_to = tuple(dict.fromkeys(t for t in targets if t))
        if not reference_to and xml_type == "Hierarchy":
            reference_to = (object_name,)  # a hierarchy points at its own object
        # <relationshipName> in metadata is the parent's name for the children
        # (Invoices); the describe's is this field's own (Account__r).
        relationship_name = _relationship_name(name)

    return RecordField(
        name=name,
        type=ftype,
        label=metadata_xml.text(root, "label"),
        # A describe never has a null checkbox, nor a master-detail without
        # its master.
        nillable=not (
            metadata_xml.text(root, "required") == "true"
            or xml_type == "MasterDetail"
            or ftype == "boolean"
        ),
        picklist_values=_picklist_values(root),
        reference_to=reference_to,
        relationship_name=relationship_name,
        length=_number(root, "length", path, problems),
        precision=_number(root, "precision", path, problems),
        scale=_number(root, "scale", path, problems),
    )


def _relationship_name(field_name: str) -> str | None:
    if field_name.endswith("__c"):
        return field_name[: -len("__c")] + "__r"
    if field_name.endswith("Id") and len(field_name) > 2:
        return field_name[: -len("Id")]  # AccountId -> Account
    return None


def _picklist_values(root: Element) -> tuple[str, ...]:
    values: list[str] = []
    definition = metadata_xml.child(root, "valueSet/valueSetDefinition")
    # API 38.0 and later; before it, <picklist><picklistValues>.
    entries = (
        metadata_xml.children(definition, "value")
        if definition is not None
        else _children_at(root, "picklist", "picklistValues")
    )
    for entry in entries:
        if metadata_xml.text(entry, "isActive") == "false":
            continue
        value = metadata_xml.text(entry, "fullName")
        if value is not None and value not in values:
            values.append(value)
    # A <valueSetName> (global value set) gives no values here.
    return tuple(values)


def _number(element: Element, tag: str, path: Path, problems: list[str]) -> int | None:
    text = metadata_xml.text(element, tag)
    if text is None:
        return None
    if not text.isdigit():
        problems.append(f"{path}: <{tag}> {text!r} is not a whole number; ignored")
        return None
    return int(text)


def _parse(path: Path, root_tag: str, problems: list[str]) -> Element | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return None
    try:
        return metadata_xml.parse(raw, root_tag)
    except metadata_xml.XmlRefused as exc:
        problems.append(
            f"{path}: skipped: {exc}" if exc.wrong_root else f"{path}: {exc}"
        )
        return None


def _children_at(element: Element, parent: str, tag: str) -> list[Element]:
    found = metadata_xml.child(element, parent)
    return metadata_xml.children(found, tag) if found is not None else []


def _texts(element: Element, tag: str) -> list[str]:
    return [child.text for child in metadata_xml.children(element, tag) if child.text]
