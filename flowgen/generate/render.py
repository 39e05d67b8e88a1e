"""The template environment, the runtime's files and the package's ``__init__``.

Templates hold all generated spelling; this module loads them once per run
(compiled templates are kept between runs, see :mod:`.template_cache`).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence

import jinja2

from flowgen.generate import template_cache
from flowgen.generate.layout import encode, fits, layout_call
from flowgen.generate.views import (
    FakeTarget,
    ModuleView,
    PackageView,
    fake_target,
    inline,
)
from flowgen.resources import runtime_dir, templates_dir

# The runtime's own public names, less those that would only confuse next to
# the package's API_VERSION.
_NOT_REEXPORTED = frozenset({"DEFAULT_API_VERSION"})


class _Environment(jinja2.Environment):
    # Templates read attributes of view objects only, thousands per module:
    # the builtin getattr spares each read a Python call and the fallbacks to
    # item lookup and Undefined (a misspelt attribute still fails loudly).
    getattr = staticmethod(getattr)  # type: ignore[assignment]


@functools.cache
def environment() -> jinja2.Environment:
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
    env.tests["fits"] = fits
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


def render_init(
    env: jinja2.Environment,
    modules: Sequence[ModuleView],
    *,
    package: str,
    api_version: str,
    others: Sequence[FakeTarget] = (),
) -> dict[str, bytes]:
    """The package's ``__init__.py``, the stub that spells out its names, and
    ``testing.py`` (typing the fakes of the flows and of ``others``, the
    modules of other kinds of action)."""
    package_view = PackageView(
        name=package,
        api_version=inline(api_version),
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
    files = {
        f"__init__{suffix}": encode(
            env.get_template(f"package_init{suffix}.jinja").render(package=package_view)
        )
        for suffix in (".py", ".pyi")
    }
    files["testing.py"] = encode(
        env.get_template("testing.py.jinja").render(
            package=package_view,
            # In the order isort keeps their imports: by module path.
            targets=sorted(
                [*(fake_target("flows", m, True) for m in package_view.flows), *others],
                key=lambda target: target.module_path,
            ),
        )
    )
    return files
