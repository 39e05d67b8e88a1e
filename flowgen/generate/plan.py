"""A package with every name decided, and the rendering of its files.

The plan needs only the outlines of the flows, so the names are decided
once; each flow module then renders on its own from its spec and the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import jinja2

from flowgen.generate import apex_view, naming, typemap
from flowgen.generate import records as record_schema
from flowgen.generate.layout import black_format, encode
from flowgen.generate.render import environment, render_init, runtime_files
from flowgen.generate.views import (
    FUNCTION_SUFFIXES,
    ModuleView,
    fake_target,
    flow_view,
    record_views,
    stdlib_imports,
)
from flowgen.model import (
    ActionKind,
    ApexType,
    FlowOutline,
    FlowSpec,
    RecordType,
    is_invocable,
)

# Submodules are attributes of the package once imported: no flow may take
# their names, nor those of the other kinds' subpackages (whether or not this
# package binds those kinds, so turning one on renames no flow).
_PACKAGE_MODULES = frozenset(
    {"flows", "records", "apex_types", *(kind.folder for kind in ActionKind)}
)


@dataclass(frozen=True)
class RenderedPackage:
    """The package as relative path -> bytes, plus what was left out and why."""

    files: Mapping[str, bytes]
    skipped_flows: Mapping[str, str]


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
        invocable = sorted(
            (flow for flow in outlines if is_invocable(flow)),
            key=lambda flow: flow.api_name,
        )
        self.flow_count = sum(flow.kind is ActionKind.FLOW for flow in invocable)
        self.other_count = len(invocable) - self.flow_count  # other kinds of action
        self._record_aliases = naming.unique_type_aliases(
            {name for flow in invocable for name in flow.record_types},
            taken={typemap.GENERIC_RECORD, record_schema.ATTRIBUTES_CLASS},
        )
        self._apex_aliases = naming.unique_type_aliases(
            {name for flow in invocable for name in flow.apex_classes}
        )
        # Each kind names its actions on its own, so a flow and an Apex
        # action of the same name both keep theirs.
        self._views: dict[ActionKind, dict[str, ModuleView]] = {}
        for kind in ActionKind:
            names = [flow.api_name for flow in invocable if flow.kind is kind]
            if kind is ActionKind.FLOW or names:
                functions = function_names(names)
                stems = naming.class_stems(functions.values())
                self._views[kind] = {
                    name: ModuleView(function, stems[function])
                    for name, function in functions.items()
                }
        flows = self._views[ActionKind.FLOW]
        self._modules = [flows[name] for name in sorted(flows)]

    def includes(self, spec: FlowSpec) -> bool:
        """Whether the package has a module for this flow (or other action)."""
        return spec.api_name in self._views.get(spec.kind, {})

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
        aliases = record_views(self._record_aliases, record_types)
        return encode(
            environment()
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
        env = environment()
        return {
            **runtime_files(),
            "py.typed": b"",
            "flows/__init__.py": encode(
                env.get_template("flows_init.py.jinja").render()
            ),
            "records.py": records if records is not None else self.records_module({}),
            "apex_types.py": encode(self._apex_module(env, apex_types or {})),
            **render_init(
                env,
                self._modules,
                package=self.package,
                api_version=self.api_version,
                others=[
                    fake_target(kind.folder, views[name], False)
                    for kind, views in self._views.items()
                    if kind is not ActionKind.FLOW
                    for name in sorted(views, key=lambda n: views[n].module)
                ],
            ),
            **{
                f"{kind.folder}/__init__.py": encode(
                    env.get_template("kind_init.py.jinja").render(
                        noun=kind.noun,
                        modules=[views[name] for name in sorted(views)],
                    )
                )
                for kind, views in self._views.items()
                if kind is not ActionKind.FLOW
            },
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
            imports=stdlib_imports(
                {alias for t in types for m in t.members for alias in m.imports}
                | {"_typing"}
                | ({"_dataclasses"} if has_classes else set())
            ),
        )
        return black_format(source) if layout.get("black") else source

    def flow_module(self, spec: FlowSpec) -> tuple[str, bytes]:
        """One flow's (or other action's) module: its relative path and bytes."""
        names = self._views[spec.kind][spec.api_name]
        view = flow_view(
            spec, names, self._record_aliases, self._apex_aliases, self.api_version
        )
        layout: dict[str, bool] = {}
        source = (
            environment()
            .get_template("flow_module.py.jinja")
            .render(flow=view, layout=layout)
        )
        if layout.get("black"):
            source = black_format(source)
        return f"{spec.kind.folder}/{names.module}.py", source.encode("utf-8")


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
