"""``flowgen init``: a commented ``[tool.flowgen]`` section to start from."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from flowgen import config
from flowgen.cli.exit import EXIT_OK, run_job
from flowgen.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_SNAPSHOT = "flowgen-snapshot"
# The settings in the order the section shows them, each group under its heading.
_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("What to generate from, and where to.",),
        ("snapshot", "project", "source", "package", "out", "include_inactive"),
    ),
    (
        (
            "How flowgen pull, list and describe log in to the org.",
            "Tokens and secrets stay in the environment: SF_ACCESS_TOKEN, "
            "SF_CLIENT_SECRET, SF_AUTH_URL.",
        ),
        (*config.LOGIN_SETTINGS, "api_version"),
    ),
    (("Which flows flowgen pull reads.",), ("include", "exclude")),
    (
        (
            "The org's other invocable actions to bind besides flows (Apex",
            "@InvocableMethod classes, prompt templates, standard actions).",
        ),
        ("actions",),
    ),
)


@click.command()
@click.option(
    "--package",
    metavar="NAME",
    default=config.DEFAULT_PACKAGE,
    show_default=True,
    help="Import name of the generated package; out is set to a directory "
    "of that name.",
)
@click.option(
    "--target-org",
    metavar="ALIAS",
    help="A Salesforce CLI login (alias or username) for flowgen pull to use "
    "(default: left commented out).",
)
def init(package: str, target_org: str | None) -> None:
    """Write a starting [tool.flowgen] section into ./pyproject.toml.

    Appends the section to pyproject.toml, leaving what the file holds as it
    is, or creates the file. Every setting is listed with what it is: the
    chosen ones are set, the others are commented out with an example value.

    \b
    What to generate from:
      sfdx-project.json here:  project = "." (this SFDX project)
      otherwise:               snapshot = "flowgen-snapshot" (for flowgen pull)

    Refuses when pyproject.toml already has a [tool.flowgen] table: edit it
    there. Exit status: 0 written; 2 nothing written.
    """
    sys.exit(run_job(lambda: _init(Path.cwd(), package, target_org)))


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: JSON's escapes are TOML's, and TOML
    also wants DEL escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def chosen_values(
    directory: Path, package: str, target_org: str | None
) -> dict[str, Any]:
    """The settings ``init`` sets, by name; the others stay commented out."""
    values: dict[str, Any] = {}
    if (directory / "sfdx-project.json").is_file():
        values["project"] = "."
    else:
        values["snapshot"] = DEFAULT_SNAPSHOT
    values["package"] = config.check_package(package)
    values["out"] = package
    if target_org:
        values["target_org"] = target_org
    return values


def section(values: Mapping[str, Any], newline: str = "\n") -> str:
    """The ``[tool.flowgen]`` section: every setting, ``values`` set."""

    def literal(value: Any) -> str:
        return toml_string(value) if isinstance(value, str) else str(value).lower()

    lines = [
        "[tool.flowgen]",
        "# Settings of flowgen (written by `flowgen init`); flags override them.",
        "# Paths are relative to this file's directory.",
    ]
    for heading, keys in _GROUPS:
        lines += ["", *(f"# {line}" for line in heading)]
        for key in keys:
            setting = config.SETTINGS[key]
            lines.append(f"# {setting.help[0].upper()}{setting.help[1:]}.")
            if key in values:
                lines.append(f"{key} = {literal(values[key])}")
            else:
                lines.append(f"# {key} = {setting.example}")
    return newline.join(lines) + newline


def _init(directory: Path, package: str, target_org: str | None) -> int:
    path = directory / "pyproject.toml"
    values = chosen_values(directory, package, target_org)
    existing = _existing(path)
    newline = "\r\n" if existing and b"\r\n" in existing else "\n"
    text = section(values, newline)
    if existing:  # after a blank line; the file's own bytes stay as they are
        text = (newline if existing.endswith(b"\n") else newline * 2) + text
    try:
        addition = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError("--target-org is not valid text") from None
    _check_result((existing or b"") + addition, path, values)
    try:
        with path.open("xb" if existing is None else "ab") as file:
            file.write(addition)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    verb = "wrote" if existing is None else "appended"
    click.echo(f"flowgen: {verb} this section to {path}:\n")
    click.echo(text.replace("\r\n", "\n").strip("\n") + "\n")
    click.echo(_next_steps(values))
    return EXIT_OK


def _existing(path: Path) -> bytes | None:
    """The bytes of pyproject.toml, None when absent; refuses a [tool.flowgen]."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc}); fix it, then run flowgen init again"
        ) from None
    tool = parsed.get("tool")
    if isinstance(tool, Mapping) and "flowgen" in tool:
        raise ConfigError(
            f"{path} already has a [tool.flowgen] table; nothing written. Edit "
            "the settings there, or remove the table to have flowgen init write it anew"
        )
    return data


def _check_result(data: bytes, path: Path, values: Mapping[str, Any]) -> None:
    """Refuse to write a file that would not read back as ``values``."""
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
        table = parsed["tool"]["flowgen"]
    except (tomllib.TOMLDecodeError, UnicodeError, KeyError, TypeError):
        table = None
    if table != values:
        raise ConfigError(
            f"{path}: a [tool.flowgen] section cannot be appended to it (does it "
            "define tool as an inline table?); add the section by hand"
        )
    config.check_table(table, path)


def _next_steps(values: Mapping[str, Any]) -> str:
    package = values["out"]
    if "project" in values:
        steps = [
            f"flowgen generate   write the package {package}/ from this SFDX project's flows",
            f"git add pyproject.toml {package}   commit the settings and the package",
        ]
    else:
        snapshot = values["snapshot"]
        login = (
            f"logs in as {values['target_org']}"
            if "target_org" in values
            else "log in with --target-org ALIAS or set target_org; see flowgen pull --help"
        )
        steps = [
            f"flowgen pull       read the org's flows into {snapshot}/ ({login})",
            f"flowgen generate   write the package {package}/ from the snapshot",
            f"git add pyproject.toml {snapshot} {package}   commit the snapshot and the package",
        ]
    steps.append(
        "in CI, flowgen check   fails when the committed package is stale "
        "(or use the flowgen-check pre-commit hook)"
    )
    return "Next:\n" + "\n".join(f"  {step}" for step in steps)
