"""Settings from ``[tool.flowgen]`` in pyproject.toml, overridden by flags."""

from __future__ import annotations

import keyword
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowgen.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Setting -> what it is, for error messages and `--help`.
KNOWN_SETTINGS: Mapping[str, str] = {
    "snapshot": "the snapshot directory to generate from",
    "project": "an SFDX project to generate from, instead of a snapshot",
    "out": "the directory of the generated package",
    "package": "the import name of the generated package",
    "target_org": "the Salesforce CLI login (alias or username) flowgen pull reads",
    "api_version": 'the REST API version flowgen pull reads with, like "62.0"',
    "include": "glob patterns of flow API names to pull (default: all)",
    "exclude": "glob patterns of flow API names not to pull",
}
# Settings holding a list of strings; every other one is a string.
_LIST_SETTINGS = frozenset({"include", "exclude"})
DEFAULT_PACKAGE = "salesforce_flows"


@dataclass(frozen=True)
class Settings:
    snapshot: Path | None
    out: Path
    package: str
    project: Path | None = None  # an SFDX project, when that is the source


def load_table(directory: Path) -> tuple[Mapping[str, Any], Path]:
    """``[tool.flowgen]`` of ``directory/pyproject.toml`` (empty when absent), and its base dir."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return {}, directory
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("flowgen", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [tool.flowgen] must be a table")
    unknown = sorted(set(table) - set(KNOWN_SETTINGS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) in [tool.flowgen]: {', '.join(unknown)} "
            f"(known: {', '.join(KNOWN_SETTINGS)})"
        )
    for key, value in table.items():
        if key in _LIST_SETTINGS:
            if not isinstance(value, list) or not all(
                isinstance(item, str) and item for item in value
            ):
                raise ConfigError(
                    f"{path}: [tool.flowgen] {key} must be a list of non-empty strings"
                )
        elif not isinstance(value, str) or not value:
            raise ConfigError(
                f"{path}: [tool.flowgen] {key} must be a non-empty string"
            )
    return table, directory


def resolve(
    *,
    cwd: Path,
    snapshot: str | None,
    out: str | None,
    package: str | None,
    project: str | None = None,
) -> Settings:
    """Flags win over ``[tool.flowgen]``; paths in the file are relative to it.

    The source is a snapshot or an SFDX project: a flag for one overrides
    the settings for both.
    """
    table, base = load_table(cwd)
    if snapshot and project:
        raise ConfigError("pass --snapshot or --project, not both")
    if not (snapshot or project) and "snapshot" in table and "project" in table:
        raise ConfigError(
            f"{cwd / 'pyproject.toml'}: [tool.flowgen] sets both snapshot and "
            "project; keep the one to generate from"
        )
    package_name = package or table.get("package") or DEFAULT_PACKAGE
    if not (
        package_name.isidentifier() and package_name.isascii()
    ) or keyword.iskeyword(package_name):
        raise ConfigError(
            f"package name {package_name!r} is not a valid Python import name"
        )
    snapshot_path = project_path = None
    if snapshot:
        snapshot_path = Path(snapshot)
    elif project:
        project_path = Path(project)
    elif "snapshot" in table:
        snapshot_path = base / table["snapshot"]
    elif "project" in table:
        project_path = base / table["project"]
    out_path = (
        Path(out)
        if out
        else (base / table["out"] if "out" in table else cwd / package_name)
    )
    return Settings(
        snapshot=snapshot_path, out=out_path, package=package_name, project=project_path
    )
