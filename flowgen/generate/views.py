"""What the templates read: one view per flow, parameter, module and package.

Every piece of org metadata is escaped here, once, on its way into a view;
the templates only place what the views hold.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from flowgen import literals
from flowgen.generate import naming, typemap
from flowgen.generate import records as record_schema
from flowgen.model import ActionKind, FieldKind, FlowSpec, Param, RecordType

# Every flow gets functions named <function> and <function><suffix>.
FUNCTION_SUFFIXES = ("_many", "_async", "_many_async")
# Output dataclasses carry these besides the flow's own outputs.
_OUTPUT_EXTRAS = frozenset({"interview_status", "interview_guid"})
# The generated functions' own arguments.
_FUNCTION_ARGS = frozenset({"client"})

# Every flow module imports these two (see flow_module.py.jinja).
_ALWAYS_IMPORTED = ("_abc", "_dataclasses")
_STDLIB_ALIASES = {
    "_abc": "collections.abc",
    "_dataclasses": "dataclasses",
    "_dt": "datetime",
    "_decimal": "decimal",
    "_typing": "typing",
}
_PACKAGE_ALIASES = {"_records": "records", "_apex_types": "apex_types"}


def stdlib_imports(aliases: Iterable[str]) -> list[tuple[str, str]]:
    """(module, alias) of the standard modules among ``aliases``, sorted as
    isort sorts them."""
    return sorted(
        (_STDLIB_ALIASES[alias], alias) for alias in aliases if alias in _STDLIB_ALIASES
    )


# The views below are only read by the templates. Named tuples: they build
# about as fast as slotted dataclasses, and their classes cost a fraction of a
# dataclass's to create, which every run pays before it can fork.
class ParamView(NamedTuple):
    attr: str
    wire_literal: str
    # The text that writes this input's key in a JSON object: ',"name":'.
    json_key_literal: str
    wire_doc: str
    title: str
    type_doc: str
    description_lines: tuple[str, ...]
    values_doc: str
    annotation: str
    to_json: str
    from_wire: str
    json_args: tuple[str, ...]
    from_args: tuple[str, ...]
    required: bool


class FlowView(NamedTuple):
    api_name: str
    api_name_literal: str
    api_name_doc: str
    api_version_literal: str
    module: str
    function: str
    function_many: str
    input_class: str
    output_class: str
    title: str
    description_lines: tuple[str, ...]
    inputs: list[ParamView]
    outputs: list[ParamView]
    stdlib_imports: list[tuple[str, str]]
    package_imports: list[tuple[str, str]]
    exports: list[str]
    # The kind of action: "flow" for flows, which alone report an interview.
    noun: str = "flow"
    is_flow: bool = True
    path_literal: str = ""  # actions/<path>/<name>, for kinds other than flows


class ModuleView(NamedTuple):
    """The names one flow's module defines, derived from its function name."""

    function: str
    stem: str  # what the module's class names start with

    @property
    def module(self) -> str:
        return self.function

    @property
    def input_class(self) -> str:
        return f"{self.stem}Input"

    @property
    def output_class(self) -> str:
        return f"{self.stem}Output"

    @property
    def function_many(self) -> str:
        return self.function + FUNCTION_SUFFIXES[0]

    @property
    def exports(self) -> list[str]:
        return sorted(
            [
                self.input_class,
                self.output_class,
                self.function,
                self.function_many,
                self.function + "_async",
                self.function_many + "_async",
            ]
        )


class FakeTarget(NamedTuple):
    """One module's function as testing.py's typed fakes see it. Other kinds'
    classes are imported under an alias (``_apex_<Class>``): their names may
    be a flow's too."""

    module_path: str  # flows.create_case, apex.create_case
    input_name: str
    output_name: str
    input_class: str  # the name testing.py uses
    output_class: str


def fake_target(folder: str, names: ModuleView, is_flow: bool) -> FakeTarget:
    alias = "" if is_flow else f"_{folder}_"
    return FakeTarget(
        f"{folder}.{names.module}",
        names.input_class,
        names.output_class,
        alias + names.input_class,
        alias + names.output_class,
    )


class PackageView(NamedTuple):
    name: str
    api_version: str
    flow_count: int
    flows: list[ModuleView]
    runtime_exports: list[str]
    runtime_lazy: tuple[str, ...]
    all: list[str]
    example: str | None


class RecordView(NamedTuple):
    name: str
    wire_doc: str
    label_doc: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # (API field name, annotation)


def flow_view(
    spec: FlowSpec,
    names: ModuleView,
    record_aliases: Mapping[str, str],
    apex_aliases: Mapping[str, str],
    api_version: str,
) -> FlowView:
    input_attrs = naming.unique_names(
        [p.name for p in spec.inputs], fallback="var", taken=_FUNCTION_ARGS
    )
    output_attrs = naming.unique_names(
        [p.name for p in spec.outputs], fallback="var", taken=_OUTPUT_EXTRAS
    )
    imports: set[str] = set()

    def view(param: Param, attr: str, *, is_input: bool) -> ParamView:
        ptype = typemap.python_type(
            param, record_aliases=record_aliases, apex_aliases=apex_aliases
        )
        imports.update(ptype.imports)
        if is_input:  # an input accepts any sequence where an output is a list
            ptype = ptype._replace(annotation=ptype.input_annotation)
        return param_view(param, attr, ptype)

    inputs = [view(p, input_attrs[p.name], is_input=True) for p in spec.inputs]
    outputs = [view(p, output_attrs[p.name], is_input=False) for p in spec.outputs]
    return FlowView(
        api_name=spec.api_name,
        api_name_literal=literals.python_string(spec.api_name),
        api_name_doc=inline(spec.api_name),
        api_version_literal=literals.python_string(api_version),
        module=names.module,
        function=names.function,
        function_many=names.function_many,
        input_class=names.input_class,
        output_class=names.output_class,
        title=inline(spec.label or "") or inline(spec.api_name) or "Untitled flow",
        description_lines=_doc_lines(spec.description),
        inputs=inputs,
        outputs=outputs,
        stdlib_imports=stdlib_imports({*imports, *_ALWAYS_IMPORTED}),
        package_imports=sorted(
            (_PACKAGE_ALIASES[alias], alias)
            for alias in imports
            if alias in _PACKAGE_ALIASES
        ),
        exports=names.exports,
        noun=spec.kind.noun,
        is_flow=spec.kind is ActionKind.FLOW,
        path_literal=literals.python_string(spec.kind.url_path),
    )


def param_view(param: Param, attr: str, ptype: typemap.PythonType) -> ParamView:
    ftype = param.type
    if ftype.kind is FieldKind.RECORD:
        type_doc = f"{ftype.sobject_type or 'any sObject'} record"
    elif ftype.kind is FieldKind.APEX:
        type_doc = f"Apex {ftype.apex_class}"
    else:
        type_doc = ftype.source_type or "untyped"
    if param.scale == 0 and ftype.kind is FieldKind.FLOAT:
        type_doc += ", a whole number"  # flow XML says so; a describe cannot
    if param.is_collection:
        type_doc = f"list of {type_doc}"
    return ParamView(
        attr=attr,
        wire_literal=_string_literal(param.name),
        json_key_literal=_string_literal("," + json.dumps(param.name) + ":"),
        wire_doc=inline(param.name),
        title=inline(param.label or param.name),
        type_doc=inline(type_doc),
        description_lines=_doc_lines(param.description),
        values_doc=_values_doc(param.picklist_values),
        annotation=ptype.annotation,
        to_json=ptype.to_json,
        from_wire=ptype.from_wire,
        json_args=ptype.json_args,
        from_args=ptype.from_args,
        required=param.required,
    )


def record_views(
    aliases: Mapping[str, str], described: Mapping[str, RecordType]
) -> list[RecordView]:
    by_class = {aliases[name]: record for name, record in described.items()}
    fields = record_schema.field_annotations(by_class)
    return [
        RecordView(
            name=alias,
            wire_doc=inline(wire),
            label_doc=inline(by_class[alias].label or "") if alias in by_class else "",
            fields=tuple(fields.get(alias, ())),
        )
        for wire, alias in sorted(aliases.items())
    ]


# Labels and names repeat across flows.
inline = functools.lru_cache(maxsize=65536)(literals.docstring_line)


# Names, descriptions and picklists repeat across the flows of an org.
@functools.lru_cache(maxsize=65536)
def _string_literal(text: str) -> str:
    return literals.python_string(text)


@functools.lru_cache(maxsize=65536)
def _doc_lines(text: str | None) -> tuple[str, ...]:
    return tuple(literals.docstring_lines(text))


@functools.lru_cache(maxsize=4096)
def _values_doc(values: tuple[str, ...]) -> str:
    return ", ".join(map(inline, values))
