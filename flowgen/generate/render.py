"""FlowSpecs to the files of a generated package, in memory.

This module decides names and escapes every piece of org metadata; the
templates decide how generated code is spelled. Output is byte-deterministic:
the same specs give the same bytes on any machine.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import jinja2

from flowgen.generate import apex_view, literals, naming, template_cache, typemap
from flowgen.generate import records as record_schema
from flowgen.model import (
    ApexType,
    FieldKind,
    FlowOutline,
    FlowSpec,
    Param,
    RecordType,
    is_invocable,
)
from flowgen.resources import runtime_dir, templates_dir

LINE_LENGTH = 88

# The runtime's own public names, less those that would only confuse next to
# the package's API_VERSION.
_NOT_REEXPORTED = frozenset({"DEFAULT_API_VERSION"})
# Submodules are attributes of the package once imported: no flow may take their names.
_PACKAGE_MODULES = frozenset({"flows", "records", "apex_types"})
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


def _stdlib_imports(aliases: Iterable[str]) -> list[tuple[str, str]]:
    """(module, alias) of the standard modules among ``aliases``, sorted as
    isort sorts them."""
    return sorted(
        (_STDLIB_ALIASES[alias], alias) for alias in aliases if alias in _STDLIB_ALIASES
    )


@dataclass(frozen=True)
class RenderedPackage:
    """The package as relative path -> bytes, plus what was left out and why."""

    files: Mapping[str, bytes]
    skipped_flows: Mapping[str, str]


# The views below are only read by the templates. Named tuples: they build
# about as fast as slotted dataclasses, and their classes cost a fraction of a
# dataclass's to create, which every run pays before it can fork.
class _ParamView(NamedTuple):
    attr: str
    wire_literal: str
    wire_doc: str
    title: str
    type_doc: str
    description_lines: tuple[str, ...]
    values_doc: str
    annotation: str
    to_wire: str
    from_wire: str
    to_args: tuple[str, ...]
    from_args: tuple[str, ...]
    required: bool


class _FlowView(NamedTuple):
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
    inputs: list[_ParamView]
    outputs: list[_ParamView]
    stdlib_imports: list[tuple[str, str]]
    package_imports: list[tuple[str, str]]
    exports: list[str]


class _ModuleView(NamedTuple):
    """The names one flow's module defines, derived from its function name."""

    function: str

    @property
    def module(self) -> str:
        return self.function

    @property
    def stem(self) -> str:
        """What the module's class names start with."""
        return naming.pascal_case(self.function)

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


class _PackageView(NamedTuple):
    name: str
    api_version: str
    flow_count: int
    flows: list[_ModuleView]
    runtime_exports: list[str]
    runtime_lazy: tuple[str, ...]
    all: list[str]
    example: str | None


class _RecordView(NamedTuple):
    name: str
    wire_doc: str
    label_doc: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # (API field name, annotation)


class _Environment(jinja2.Environment):
    # Templates read attributes of view objects only, thousands per module:
    # the builtin getattr spares each read a Python call and the fallbacks to
    # item lookup and Undefined (a misspelt attribute still fails loudly).
    getattr = staticmethod(getattr)  # type: ignore[assignment]


@functools.cache
def _environment() -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,  # a run never sees its templates change
        bytecode_cache=template_cache.bytecode_cache(),
    )
    env.tests["fits"] = _fits
    env.globals["call"] = layout_call
    # Rendered once and shared: importing a macro module per file costs more
    # than the rest of a small module's rendering.
    env.globals["header"] = env.get_template("header.jinja").render().rstrip("\n")
    return env


@functools.cache
def runtime_exports() -> list[str]:
    """The names the package re-exports from its runtime: the runtime's ``__all__``."""
    names = _runtime_names("__all__")
    return sorted(set(names) - _NOT_REEXPORTED, key=_isort_key)


@functools.cache
def runtime_lazy() -> tuple[str, ...]:
    """The runtime names the package imports on first use (they load asyncio)."""
    return tuple(_runtime_names("_ASYNC_NAMES"))


def _runtime_names(variable: str) -> list[str]:
    # Read from the source: importing the runtime would import httpx.
    source = runtime_files()["_runtime/__init__.py"].decode()
    found = re.search(rf"^{variable} = ([\[(].*?[\])])$", source, re.M | re.S)
    if found is None:
        raise RuntimeError(f"the runtime package has no {variable}")
    return list(ast.literal_eval(found.group(1)))


def _isort_key(name: str) -> tuple[int, str]:
    # isort's order within one import: CONSTANTS, then Classes, then functions.
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@functools.cache
def runtime_files() -> dict[str, bytes]:
    """The runtime package, copied byte for byte into each generated package."""
    return {
        f"_runtime/{path.name}": path.read_bytes()
        for path in sorted(runtime_dir().glob("*.py"))
    }


class PackagePlan:
    """A package with every name decided, from the outlines of its flows.

    Shared files and flow modules render separately, so flow modules can be
    rendered in any process that holds a copy of the plan.
    """

    def __init__(
        self, outlines: Sequence[FlowOutline], *, package: str, api_version: str
    ) -> None:
        self.package = package
        self.api_version = api_version
        self.skipped_flows: Mapping[str, str] = {
            flow.api_name: f"process type {flow.process_type!r} cannot be run through the REST API"
            for flow in outlines
            if not is_invocable(flow)
        }
        flows = sorted(
            (flow for flow in outlines if is_invocable(flow)),
            key=lambda flow: flow.api_name,
        )
        self.flow_count = len(flows)
        self._record_aliases = naming.unique_type_aliases(
            {name for flow in flows for name in flow.record_types},
            taken={typemap.GENERIC_RECORD, record_schema.ATTRIBUTES_CLASS},
        )
        self._apex_aliases = naming.unique_type_aliases(
            {name for flow in flows for name in flow.apex_classes}
        )
        self._functions = function_names(flow.api_name for flow in flows)
        self._modules = [_ModuleView(self._functions[f.api_name]) for f in flows]

    def includes(self, spec: FlowSpec) -> bool:
        """Whether the package has a module for this flow."""
        return spec.api_name in self._functions

    @property
    def record_type_names(self) -> list[str]:
        """The sObject types the flows pass records of, by API name."""
        return sorted(self._record_aliases)

    @property
    def apex_type_names(self) -> list[str]:
        """The Apex-defined types the flows pass, by Apex name."""
        return sorted(self._apex_aliases)

    @property
    def record_aliases(self) -> Mapping[str, str]:
        """sObject name -> the name of its type in records.py."""
        return dict(self._record_aliases)

    def records_module(self, record_types: Mapping[str, RecordType]) -> bytes:
        """records.py, typing the described sObject types among ``record_types``."""
        aliases = _record_views(self._record_aliases, record_types)
        return _encode(
            _environment()
            .get_template("records.py.jinja")
            .render(
                generic=typemap.GENERIC_RECORD,
                attributes=record_schema.ATTRIBUTES_CLASS,
                aliases=aliases,
                uses_decimal=any(
                    "_decimal." in annotation
                    for alias in aliases
                    for _, annotation in alias.fields
                ),
            )
        )

    def shared_files(
        self,
        *,
        apex_types: Mapping[str, ApexType] | None = None,
        records: bytes | None = None,
    ) -> dict[str, bytes]:
        """Every file but the flow modules, by relative path.

        ``apex_types`` holds the readable Apex types (those the flows' types
        refer to included), ``records`` the records.py made for the described
        sObject types (see :meth:`records_module`); without them, both stay
        generic dicts.
        """
        env = _environment()
        return {
            **runtime_files(),
            "py.typed": b"",
            "flows/__init__.py": _encode(
                env.get_template("flows_init.py.jinja").render()
            ),
            "records.py": records if records is not None else self.records_module({}),
            "apex_types.py": _encode(self._apex_module(env, apex_types or {})),
            **_render_init(
                env, self._modules, package=self.package, api_version=self.api_version
            ),
        }

    def _apex_module(
        self, env: jinja2.Environment, described: Mapping[str, ApexType]
    ) -> str:
        # Types only members refer to get names no flow's type can take.
        aliases = dict(self._apex_aliases)
        aliases.update(
            naming.unique_type_aliases(
                set(described) - set(aliases), taken=set(aliases.values())
            )
        )
        types = apex_view.apex_views(
            aliases, described, record_aliases=self._record_aliases
        )
        has_classes = any(t.members for t in types)
        layout: dict[str, bool] = {}
        source = env.get_template("apex_types.py.jinja").render(
            layout=layout,
            types=types,
            described=has_classes,
            imports=_stdlib_imports(
                {alias for t in types for m in t.members for alias in m.imports}
                | {"_typing"}
                | ({"_dataclasses"} if has_classes else set())
            ),
        )
        return _black(source) if layout.get("black") else source

    def flow_module(self, spec: FlowSpec) -> tuple[str, bytes]:
        """One flow's module: its relative path and bytes."""
        function = self._functions[spec.api_name]
        view = _flow_view(
            spec, function, self._record_aliases, self._apex_aliases, self.api_version
        )
        layout: dict[str, bool] = {}
        source = (
            _environment()
            .get_template("flow_module.py.jinja")
            .render(flow=view, layout=layout)
        )
        if layout.get("black"):
            source = _black(source)
        return f"flows/{_ModuleView(function).module}.py", source.encode("utf-8")


def render_package(
    specs: Sequence[FlowSpec], *, package: str, api_version: str
) -> RenderedPackage:
    """Render every invocable flow in ``specs`` into package files.

    Flows REST cannot invoke (screen flows...) are left out and listed in
    ``skipped_flows`` with the reason.
    """
    plan = PackagePlan(
        [FlowOutline.of(spec) for spec in specs],
        package=package,
        api_version=api_version,
    )
    files = plan.shared_files()
    files.update(plan.flow_module(spec) for spec in specs if plan.includes(spec))
    return RenderedPackage(
        files=dict(sorted(files.items())), skipped_flows=plan.skipped_flows
    )


def function_names(api_names: Iterable[str]) -> dict[str, str]:
    """Flow API name -> function (and module) name, unique with every suffix applied."""
    names = list(api_names)
    taken = set(_PACKAGE_MODULES)
    while True:
        result = naming.unique_names(names, fallback="flow", taken=taken)
        chosen = set(result.values())
        # ``create_case_many`` of one flow must not be another flow's function.
        clashes = {
            name
            for name in chosen
            for suffix in FUNCTION_SUFFIXES
            if name.endswith(suffix) and name[: -len(suffix)] in chosen
        }
        if not clashes:
            return result
        taken |= clashes


def _flow_view(
    spec: FlowSpec,
    function: str,
    record_aliases: Mapping[str, str],
    apex_aliases: Mapping[str, str],
    api_version: str,
) -> _FlowView:
    names = _ModuleView(function)
    input_attrs = naming.unique_names(
        [p.name for p in spec.inputs], fallback="var", taken=_FUNCTION_ARGS
    )
    output_attrs = naming.unique_names(
        [p.name for p in spec.outputs], fallback="var", taken=_OUTPUT_EXTRAS
    )
    imports: set[str] = set()

    def view(param: Param, attr: str) -> _ParamView:
        ptype = typemap.python_type(
            param, record_aliases=record_aliases, apex_aliases=apex_aliases
        )
        imports.update(ptype.imports)
        return _param_view(param, attr, ptype)

    inputs = [view(p, input_attrs[p.name]) for p in spec.inputs]
    outputs = [view(p, output_attrs[p.name]) for p in spec.outputs]
    return _FlowView(
        api_name=spec.api_name,
        api_name_literal=literals.python_string(spec.api_name),
        api_name_doc=_inline(spec.api_name),
        api_version_literal=literals.python_string(api_version),
        module=names.module,
        function=names.function,
        function_many=names.function_many,
        input_class=names.input_class,
        output_class=names.output_class,
        title=_inline(spec.label or "") or _inline(spec.api_name) or "Untitled flow",
        description_lines=_doc_lines(spec.description),
        inputs=inputs,
        outputs=outputs,
        stdlib_imports=_stdlib_imports({*imports, *_ALWAYS_IMPORTED}),
        package_imports=sorted(
            (_PACKAGE_ALIASES[alias], alias)
            for alias in imports
            if alias in _PACKAGE_ALIASES
        ),
        exports=names.exports,
    )


def _param_view(param: Param, attr: str, ptype: typemap.PythonType) -> _ParamView:
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
    return _ParamView(
        attr=attr,
        wire_literal=_string_literal(param.name),
        wire_doc=_inline(param.name),
        title=_inline(param.label or param.name),
        type_doc=_inline(type_doc),
        description_lines=_doc_lines(param.description),
        values_doc=_values_doc(param.picklist_values),
        annotation=ptype.annotation,
        to_wire=ptype.to_wire,
        from_wire=ptype.from_wire,
        to_args=ptype.to_args,
        from_args=ptype.from_args,
        required=param.required,
    )


def _render_init(
    env: jinja2.Environment,
    modules: Sequence[_ModuleView],
    *,
    package: str,
    api_version: str,
) -> dict[str, bytes]:
    """The package's ``__init__.py`` and the stub that spells out its names."""
    package_view = _PackageView(
        name=package,
        api_version=_inline(api_version),
        flow_count=len(modules),
        flows=sorted(modules, key=lambda module: module.module),
        runtime_exports=runtime_exports(),
        runtime_lazy=runtime_lazy(),
        all=sorted(
            [
                *runtime_exports(),
                "API_VERSION",
                *(name for module in modules for name in module.exports),
            ]
        ),
        example=modules[0].function if modules else None,
    )
    return {
        f"__init__{suffix}": _encode(
            env.get_template(f"package_init{suffix}.jinja").render(package=package_view)
        )
        for suffix in (".py", ".pyi")
    }


def _record_views(
    aliases: Mapping[str, str], described: Mapping[str, RecordType]
) -> list[_RecordView]:
    by_class = {aliases[name]: record for name, record in described.items()}
    fields = record_schema.field_annotations(by_class)
    return [
        _RecordView(
            name=alias,
            wire_doc=_inline(wire),
            label_doc=_inline(by_class[alias].label or "") if alias in by_class else "",
            fields=tuple(fields.get(alias, ())),
        )
        for wire, alias in sorted(aliases.items())
    ]


# Labels and names repeat across flows.
_inline = functools.lru_cache(maxsize=65536)(literals.docstring_line)


# Names, descriptions and picklists repeat across the flows of an org.
@functools.lru_cache(maxsize=65536)
def _string_literal(text: str) -> str:
    return literals.python_string(text)


@functools.lru_cache(maxsize=65536)
def _doc_lines(text: str | None) -> tuple[str, ...]:
    return tuple(literals.docstring_lines(text))


@functools.lru_cache(maxsize=4096)
def _values_doc(values: tuple[str, ...]) -> str:
    return ", ".join(map(_inline, values))


def _black(source: str) -> str:
    import black  # imported here: it costs more than the rest of a run

    return black.format_str(source, mode=black.Mode(line_length=LINE_LENGTH))


def _black_if_needed(source: str) -> str:
    # For the package-level files; flow modules say themselves (layout.black).
    return _black(source) if _has_long_code_line(source) else source


def layout_call(
    layout: dict[str, bool],
    indent: int,
    head: str,
    args: Sequence[str],
    tail: str,
    more_args: Sequence[str] = (),
) -> str:
    """``{head}({args}, {more_args}){tail}`` laid out as black would, at ``indent``.

    One line when it fits; else the arguments on a line of their own; else
    one to a line with a trailing comma. Where no layout fits (names that
    long), ``layout["black"]`` is set and black lays the module out.
    """
    pad = " " * indent
    inner = " " * (indent + 4)
    args = [*args, *more_args]
    joined = ", ".join(args)
    line = f"{pad}{head}({joined}){tail}"
    if _fits(line):
        return line
    if not _fits(f"{pad}{head}("):
        layout["black"] = True
        return line
    if _fits(inner + joined):
        return f"{pad}{head}(\n{inner}{joined}\n{pad}){tail}"
    if not all(_fits(f"{inner}{arg},") for arg in args):
        layout["black"] = True
    lines = "".join(f"{inner}{arg},\n" for arg in args)
    return f"{pad}{head}(\n{lines}{pad}){tail}"


def _fits(line: str) -> bool:
    # Non-ASCII lines are never "fitting": black measures display width, and
    # the exploded layout is stable whatever the width.
    return line.isascii() and len(line) <= LINE_LENGTH


# Long lines black leaves as they are: nothing in them to split at.
_UNSPLITTABLE = re.compile(
    r"""\s*(?:
        def\ \w+\(                        # def very_long_name(
      | class\ \w+:                        # class VeryLongName:
      | from\ [\w.]+\ import\ \(          # from .flows.very_long import (
      | \w+,?                              # a name in an exploded list
      | \w+=\w+,?                          # keyword=argument,
      | (?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'),?            # "a string",
      | "(?:[^"\\]|\\.)*":\ "(?:[^"\\]|\\.)*",               # "key": "value",
    )\s*$""",
    re.VERBOSE,
)


# Lines black may measure as too long: over the limit in characters, or
# non-ASCII and long enough that wide characters could push them over.
_CANDIDATE_LINE = re.compile(r"^(?:.{89,}|(?=.*[^\x00-\x7f]).{45,})$", re.MULTILINE)


def _has_long_code_line(source: str) -> bool:
    """Whether black would split some line the templates left too long.

    Only lines outside docstrings count (generated docstrings escape every
    run of quotes, so counting triple quotes before a line tells), and only
    lines with something black could split at.
    """
    if source.isascii() and all(
        len(line) <= LINE_LENGTH for line in source.split("\n")
    ):  # the usual answer, found ten times faster than by the pattern
        return False
    quotes: list[int] | None = None
    for match in _CANDIDATE_LINE.finditer(source):
        line = match.group()
        if _fits(line) or '"""' in line or line.lstrip().startswith("#"):
            continue
        if _UNSPLITTABLE.fullmatch(line):
            continue
        if quotes is None:
            quotes = [found.start() for found in re.finditer('"""', source)]
        if bisect.bisect(quotes, match.start()) % 2 == 0:  # not inside a docstring
            return True
    return False


def _encode(source: str) -> bytes:
    return _black_if_needed(source).encode("utf-8")
