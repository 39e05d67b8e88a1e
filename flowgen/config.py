"""Settings from ``[tool.flowgen]`` in pyproject.toml, overridden by flags.

Each flag that says what to read, where to write or how to log in has a
setting of the same name (dashes become underscores); run-by-run switches
(--jobs, --quiet, --full) have none. Paths in the file are relative to the
file's directory. Tokens and secrets are never settings: they come from the
environment only.
"""

from __future__ import annotations

import keyword
import re
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


@dataclass(frozen=True)
class Setting:
    """One key of ``[tool.flowgen]``."""

    kind: str  # "string", "path", "bool", "list", "source", "package", "api_version"
    help: str  # what it is, in one line: for errors and the file `flowgen init` writes
    example: str  # a value, spelled in TOML


SOURCES = ("snapshot", "project")
DEFAULT_PACKAGE = "salesforce_flows"
SETTINGS: Mapping[str, Setting] = {
    "snapshot": Setting(
        "path",
        "the snapshot directory: flowgen pull writes it, flowgen generate reads it",
        '"flowgen-snapshot"',
    ),
    "project": Setting(
        "path",
        "an SFDX project to generate from instead of a snapshot (no org needed)",
        '"."',
    ),
    "source": Setting(
        "source",
        'which of snapshot and project to generate from when both are set: "snapshot" or "project"',
        '"project"',
    ),
    "package": Setting(
        "package", "the import name of the generated package", f'"{DEFAULT_PACKAGE}"'
    ),
    "out": Setting(
        "path",
        "the directory of the generated package (default: ./<package>)",
        f'"src/{DEFAULT_PACKAGE}"',
    ),
    "include_inactive": Setting(
        "bool",
        "from a project, also generate Draft and Obsolete flows (true or false)",
        "true",
    ),
    "target_org": Setting(
        "string",
        "a Salesforce CLI login (alias or username) that pull, list and describe use",
        '"my-dev-org"',
    ),
    "instance_url": Setting(
        "string",
        "the org's URL, to log in with the access token in SF_ACCESS_TOKEN",
        '"https://acme.my.salesforce.com"',
    ),
    "client_id": Setting(
        "string",
        "a connected app's consumer key: JWT bearer login, or client credentials with SF_CLIENT_SECRET",
        '"3MVG9..."',
    ),
    "username": Setting(
        "string", "the user the JWT bearer login logs in as", '"ci@acme.com"'
    ),
    "jwt_key_file": Setting(
        "path",
        "the PEM private key of the JWT bearer login (keep it out of the repository)",
        '"server.key"',
    ),
    "login_url": Setting(
        "string",
        'where to log in: "login" (default), "test" (sandboxes) or your My Domain URL',
        '"test"',
    ),
    "api_version": Setting(
        "api_version",
        'the REST API version pull, list and describe use, like "62.0"',
        '"62.0"',
    ),
    "include": Setting(
        "list",
        "glob patterns of the flow API names to pull (default: all)",
        '["Acme_*"]',
    ),
    "exclude": Setting(
        "list", "glob patterns of the flow API names not to pull", '["*_Test"]'
    ),
}
# The settings that say how to log in to an org (never a secret).
LOGIN_SETTINGS = (
    "target_org",
    "instance_url",
    "client_id",
    "username",
    "jwt_key_file",
    "login_url",
)
_API_VERSION = re.compile(r"[0-9]+\.[0-9]+")


@dataclass(frozen=True)
class Settings:
    snapshot: Path | None
    out: Path
    package: str
    project: Path | None = None  # an SFDX project, when that is the source
    include_inactive: bool = False


def check_package(name: str) -> str:
    if not (name.isidentifier() and name.isascii()) or keyword.iskeyword(name):
        raise ConfigError(f"package name {name!r} is not a valid Python import name")
    return name


def check_api_version(version: str) -> str:
    if not _API_VERSION.fullmatch(version):
        raise ConfigError(f'API version {version!r} is not like "62.0"')
    return version


def _problem(setting: Setting, value: Any) -> str | None:
    """What is wrong with ``value`` for ``setting``, or None."""
    if setting.kind == "bool":
        ok = isinstance(value, bool)
        return None if ok else "must be true or false (a TOML boolean, unquoted)"
    if setting.kind == "list":
        ok = isinstance(value, list) and all(isinstance(i, str) and i for i in value)
        return None if ok else "must be a list of non-empty strings"
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if setting.kind == "source" and value not in SOURCES:
        return f'must be "snapshot" or "project", not {value!r}'
    try:
        if setting.kind == "package":
            check_package(value)
        elif setting.kind == "api_version":
            check_api_version(value)
    except ConfigError as exc:
        return f"is not valid: {exc}"
    return None


def check_table(table: Mapping[str, Any], path: Path) -> None:
    """Raise :class:`ConfigError` naming every bad key of ``[tool.flowgen]``."""
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) in [tool.flowgen]: {', '.join(unknown)} "
            f"(known: {', '.join(SETTINGS)})"
        )
    problems = [
        f"{key} {problem}"
        for key, value in table.items()
        if (problem := _problem(SETTINGS[key], value))
    ]
    source = table.get("source")
    if not problems and source is not None and source not in table:
        problems.append(f'source is "{source}", but {source} is not set')
    if problems:
        raise ConfigError(f"{path}: [tool.flowgen] {'; '.join(problems)}")


def load_table(directory: Path) -> tuple[Mapping[str, Any], Path]:
    """``[tool.flowgen]`` of ``directory/pyproject.toml`` (empty when absent), and its base dir."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return {}, directory
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("flowgen", {}) if isinstance(tool, Mapping) else {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [tool.flowgen] must be a table")
    check_table(table, path)
    return table, directory


def setting_path(table: Mapping[str, Any], base: Path, key: str) -> Path | None:
    """A path setting, relative to the directory of its pyproject.toml."""
    return base / table[key] if key in table else None


def resolve(
    *,
    cwd: Path,
    snapshot: str | None,
    out: str | None,
    package: str | None,
    project: str | None = None,
    include_inactive: bool | None = None,
) -> Settings:
    """Flags win over ``[tool.flowgen]``; paths in the file are relative to it.

    The source is a snapshot or an SFDX project: a flag for one overrides
    the settings for both; with both set, ``source`` says which one.
    """
    table, base = load_table(cwd)
    if snapshot and project:
        raise ConfigError("pass --snapshot or --project, not both")
    source = table.get("source")
    if not (snapshot or project or source) and all(key in table for key in SOURCES):
        raise ConfigError(
            f"{cwd / 'pyproject.toml'}: [tool.flowgen] sets both snapshot and "
            'project; keep the one to generate from, or set source = "snapshot" '
            'or source = "project"'
        )
    package_name = check_package(package or table.get("package") or DEFAULT_PACKAGE)
    snapshot_path = project_path = None
    if snapshot:
        snapshot_path = Path(snapshot)
    elif project:
        project_path = Path(project)
    elif source == "project" or (source is None and "snapshot" not in table):
        project_path = setting_path(table, base, "project")
    else:
        snapshot_path = setting_path(table, base, "snapshot")
    out_path = Path(out) if out else setting_path(table, base, "out")
    return Settings(
        snapshot=snapshot_path,
        out=out_path or cwd / package_name,
        package=package_name,
        project=project_path,
        include_inactive=(
            bool(table.get("include_inactive"))
            if include_inactive is None
            else include_inactive
        ),
    )
