"""From the model to the files of a package: names, types, views, templates.

:func:`generate` runs the whole stage over a source of flow files;
:class:`PackagePlan` decides every name from the flows' outlines and renders
each file. Output is byte-deterministic: the same flows give the same bytes.

The names below load on first use: rendering needs jinja2, which a command
that only compares snapshots (and so reads :mod:`.typemap`) should not pay for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowgen.generate.pipeline import FlowSource, Generated, generate
    from flowgen.generate.plan import PackagePlan, RenderedPackage, render_package

__all__ = [
    "FlowSource",
    "Generated",
    "PackagePlan",
    "RenderedPackage",
    "generate",
    "render_package",
]

_HOMES = {
    "FlowSource": "pipeline",
    "Generated": "pipeline",
    "generate": "pipeline",
    "PackagePlan": "plan",
    "RenderedPackage": "plan",
    "render_package": "plan",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
