"""Where flowgen's own files are, installed from a wheel or in a checkout."""

from __future__ import annotations

import functools
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@functools.cache
def templates_dir() -> Path:
    """The templates: inside the installed package, or the checkout's top level."""
    for candidate in (_HERE / "templates", _HERE.parent / "templates"):
        if (candidate / "flow_module.py.jinja").is_file():
            return candidate
    raise RuntimeError(
        f"flowgen's templates are missing (looked in {_HERE / 'templates'}); reinstall flowgen"
    )


def runtime_dir() -> Path:
    """The runtime package that every generated package gets a copy of."""
    return _HERE / "runtime"


def cache_root() -> Path:
    """flowgen's cache: ``$XDG_CACHE_HOME/flowgen`` or ``~/.cache/flowgen``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(root) / "flowgen"


def generator_files() -> list[Path]:
    """Every file whose bytes shape the generated output."""
    return sorted(_HERE.rglob("*.py")) + sorted(templates_dir().glob("*.jinja"))
