"""The commands that read a live org, ``list`` and ``describe``, and the
login options and credential every org command shares (``pull`` and
``check --org`` too, in :mod:`flowgen.cli.pull`).
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowgen import config, sources
from flowgen.cli.exit import EXIT_ERROR, EXIT_OK, run_job, say
from flowgen.errors import AuthError, ConfigError
from flowgen.model import (
    ActionKind,
    ActionSelection,
    FlowOutline,
    FlowSpec,
    is_invocable,
)
from flowgen.model.actions import action_key, split_action_key
from flowgen.runtime import DEFAULT_API_VERSION

if TYPE_CHECKING:
    from flowgen.sources.org import Credential


def login_options(command: Callable[..., None]) -> Callable[..., None]:
    """Every way to name an org; tokens and secrets come from the environment only.

    Each flag but the last overrides the setting of the same name in
    ``[tool.flowgen]`` (see :func:`credential_for`).
    """
    options = [
        click.option(
            "--target-org",
            metavar="ALIAS",
            help="A Salesforce CLI login (alias or username), read with "
            "`sf org display` (default: target_org in [tool.flowgen]).",
        ),
        click.option(
            "--instance-url",
            metavar="URL",
            help="The org's URL; the token comes from SF_ACCESS_TOKEN "
            "(default: instance_url in [tool.flowgen]).",
        ),
        click.option(
            "--client-id",
            metavar="ID",
            help="A connected app's consumer key, for the JWT bearer flow (with "
            "--jwt-key-file) or the client credentials flow (secret in "
            "SF_CLIENT_SECRET) (default: client_id in [tool.flowgen]).",
        ),
        click.option(
            "--username",
            metavar="USER",
            help="The user the JWT bearer flow logs in as "
            "(default: username in [tool.flowgen]).",
        ),
        click.option(
            "--jwt-key-file",
            metavar="FILE",
            help="PEM private key whose certificate the connected app holds "
            "(default: jwt_key_file in [tool.flowgen]).",
        ),
        click.option(
            "--login-url",
            metavar="URL",
            help="login (default), test (sandboxes) or your My Domain URL "
            "(default: login_url in [tool.flowgen]).",
        ),
        click.option(
            "--api-version",
            metavar="X.Y",
            help=f"REST API version (default: api_version in [tool.flowgen], "
            f"else {DEFAULT_API_VERSION}).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def actions_option(verb: str, note: str = "") -> Callable[[Any], Any]:
    """``--actions KINDS``, the ``actions`` setting for one run: the kinds of
    invocable action a command ``verb``s (``note``: what else to know)."""
    return click.option(
        "--actions",
        metavar="KINDS",
        help=f"Kinds of invocable action to {verb}, comma-separated: flow, apex, "
        "prompt, standard:<name> (default: actions in [tool.flowgen], else "
        f"flow).{note}",
    )


# The flags that each pick a way to log in; --username and --login-url only
# complete one.
_LOGIN_FLAGS = ("target_org", "instance_url", "client_id", "jwt_key_file")


def credential_for(
    table: Mapping[str, Any], options: Mapping[str, Any], base: Path | None = None
) -> Credential:
    """The credential the flags ask for, with the login settings as fallback.

    A flag wins over the setting of the same name. A flag that picks a way to
    log in (``_LOGIN_FLAGS``) also sets aside the settings that would pick
    another: from the settings, only ``username`` and ``login_url`` (and
    ``client_id``, beside ``--jwt-key-file``) still fill in. ``jwt_key_file``
    in the settings is relative to ``base``, the pyproject.toml's directory.
    """
    from flowgen.sources import org  # httpx: only for commands that talk to an org

    chosen: dict[str, str | None] = {
        key: options.get(key) or None for key in config.LOGIN_SETTINGS
    }
    fill: Sequence[str] = config.LOGIN_SETTINGS
    if any(chosen[key] for key in _LOGIN_FLAGS):
        fill = ("username", "login_url")
        if chosen["jwt_key_file"]:
            fill = (*fill, "client_id")
    for key in fill:
        if chosen[key] is None and key in table:
            value = table[key]
            if config.SETTINGS[key].kind == "path":  # jwt_key_file
                value = str((base or Path.cwd()) / value)
            chosen[key] = value
    return org.choose(
        target_org=chosen["target_org"],
        instance_url=chosen["instance_url"],
        client_id=chosen["client_id"],
        username=chosen["username"],
        jwt_key_file=chosen["jwt_key_file"],
        login=chosen["login_url"],
    )


def api_version_for(table: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    return config.check_api_version(
        str(
            options.get("api_version")
            or table.get("api_version")
            or DEFAULT_API_VERSION
        )
    )


@click.command(name="list")
@click.option(
    "--snapshot",
    metavar="DIR",
    help="List the flows of this snapshot instead of the org's.",
)
@actions_option("list", " Other kinds are named <kind>/<Name>.")
@login_options
def list_flows(**options: Any) -> None:
    """List the flows: label, inputs, outputs, and whether REST can run them.

    Reads the org when a login is given (a login flag; target_org,
    instance_url, client_id or jwt_key_file in [tool.flowgen]; or SF_AUTH_URL,
    SF_INSTANCE_URL with SF_ACCESS_TOKEN, or SF_CLIENT_ID with
    SF_CLIENT_SECRET in the environment), logging in as `flowgen pull` does.
    Without a login it reads the snapshot that snapshot in [tool.flowgen]
    names. --snapshot DIR reads that snapshot in any case.

    Exit status: 0 done; 2 error, a snapshot's flow file that cannot be read
    among them (named; the readable flows are still listed).
    """
    sys.exit(run_job(lambda: _list(options)))


@click.command()
@click.argument("name")
@click.option(
    "--snapshot",
    metavar="DIR",
    help="Describe the flow as this snapshot has it instead of the org.",
)
@actions_option(
    "describe", " Name another kind's action <kind>/<Name>, as in apex/Create_Case."
)
@login_options
def describe(name: str, **options: Any) -> None:
    """Show one flow's interface as its generated function will have it.

    Reads the org when a login is given (a login flag; target_org,
    instance_url, client_id or jwt_key_file in [tool.flowgen]; or SF_AUTH_URL,
    SF_INSTANCE_URL with SF_ACCESS_TOKEN, or SF_CLIENT_ID with
    SF_CLIENT_SECRET in the environment), logging in as `flowgen pull` does.
    Without a login it reads the snapshot that snapshot in [tool.flowgen]
    names. --snapshot DIR reads that snapshot in any case.

    Exit status: 0 done; 2 error: no such flow, one REST cannot run, or a
    snapshot's flow file that cannot be read (named, whichever flow it holds).
    """
    sys.exit(run_job(lambda: _describe(name, options)))


# Logins the environment alone gives (as :func:`flowgen.sources.org.choose`
# reads them), spelled here so that reading a snapshot never imports httpx.
_ENVIRONMENT_LOGINS = (
    ("SF_AUTH_URL",),
    ("SF_INSTANCE_URL", "SF_ACCESS_TOKEN"),
    ("SF_CLIENT_ID", "SF_CLIENT_SECRET"),
)


def login_given(
    table: Mapping[str, Any],
    options: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
) -> bool:
    """Whether the user asked for the org: any login flag (even one that only
    completes a login, or --api-version), a setting that picks a way to log in,
    or a login in the environment."""
    env = os.environ if env is None else env
    if any(options.get(key) for key in (*config.LOGIN_SETTINGS, "api_version")):
        return True
    if any(key in table for key in _LOGIN_FLAGS):
        return True
    return any(all(env.get(name) for name in login) for login in _ENVIRONMENT_LOGINS)


def _specs(
    options: Mapping[str, Any], names: Sequence[str] = ()
) -> tuple[list[FlowSpec], Mapping[str, str]]:
    """FlowSpecs from the org when a login is given, else from the snapshot
    (--snapshot, else the snapshot setting); with the snapshot's flow files
    that could not be used (path -> why)."""
    table, base = config.load_table(Path.cwd())
    actions = config.actions_selection(options.get("actions"), table)
    if options.get("snapshot"):
        return _read_snapshot(options["snapshot"], actions)
    configured = config.setting_path(table, base, "snapshot")
    asked_for_org = login_given(table, options)
    if configured is not None and not asked_for_org:
        # Said on stderr: stdout shows the same table from either source.
        say(
            f"reading the snapshot {configured} (snapshot in [tool.flowgen]); "
            "give a login to read the org instead (see --help)"
        )
        return _read_snapshot(configured, actions)
    # The lazy import of the commands that read an org: httpx and asyncio.
    import asyncio

    from flowgen.sources import org

    try:
        credential = credential_for(table, options, base)
    except AuthError as exc:
        if asked_for_org:
            raise
        raise AuthError(
            f"{exc}; or read a snapshot: pass --snapshot DIR, or set snapshot "
            "in [tool.flowgen]"
        ) from None
    api_version = api_version_for(table, options)

    def warn(message: str) -> None:
        say(f"warning: {message}")

    # The flows' list, versions and describes: not a pull, which would also
    # describe the sObject and Apex types they use.
    async def run() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        async with org.OrgSession(credential, api_version=api_version) as session:
            described: dict[str, Any] = {}
            versions: dict[str, dict[str, Any]] = {}
            if ActionKind.FLOW in actions:
                found = await org.list_flows(session, include=names, warn=warn)
                versions = await org.flow_versions(session)
                described = await org.describe_flows(session, found)
            described.update(
                await org.describe_actions(session, actions, names=names, warn=warn)
            )
            return described, versions

    described, versions = asyncio.run(run())
    specs = []
    for key, body in sorted(described.items()):
        spec = sources.parse_describe(
            body,
            origin=f"the org's describe of {key}",
            process_type=versions.get(key, {}).get("process_type"),
            kind=split_action_key(key)[0],
            warn=warn,
        )
        specs.append(spec)
    return specs, {}


def _read_snapshot(
    directory: str | Path, actions: ActionSelection
) -> tuple[list[FlowSpec], Mapping[str, str]]:
    snapshot = sources.read_snapshot(directory, actions=actions)
    return list(snapshot.flows), dict(sorted(snapshot.skipped.items()))


def _unusable(problems: Mapping[str, str], after: str) -> int:
    # A broken flow file (a merge conflict left in it) is an error, never a
    # flow silently missing: named, one line each, and exit status 2.
    for path, problem in problems.items():
        say(f"error: {path}: {problem}")
    say(
        f"{len(problems)} flow file(s) of the snapshot could not be used; {after}; "
        "fix them (a merge conflict left in one?)"
    )
    return EXIT_ERROR


def _list(options: Mapping[str, Any]) -> int:
    specs, problems = _specs(options)
    rows = [
        (
            action_key(spec.kind, spec.api_name),
            spec.label or "",
            str(len(spec.inputs)),
            str(len(spec.outputs)),
            "yes" if is_invocable(spec) else f"no ({spec.process_type})",
        )
        for spec in specs
    ]
    rows.sort(key=lambda row: row[0])  # by name, other kinds as <kind>/<Name>
    header = ("NAME", "LABEL", "INPUTS", "OUTPUTS", "INVOCABLE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    if problems:
        return _unusable(problems, "the flows listed are the rest")
    return EXIT_OK


def _describe(name: str, options: Mapping[str, Any]) -> int:
    specs, problems = _specs(options, names=[name])
    found = [
        spec
        for spec in specs
        if action_key(spec.kind, spec.api_name).lower() == name.lower()
    ]
    if not found:
        if problems:
            return _unusable(problems, f"{name!r} may be in one of them")
        raise ConfigError(
            f"no flow named {name!r} (see flowgen list; another kind of action "
            "is named <kind>/<Name>, with that kind in --actions or the setting)"
        )
    spec = found[0]
    if not is_invocable(spec):
        click.echo(
            f"flowgen: {spec.api_name} is a {spec.process_type} flow, which the REST "
            "API cannot run; no function is generated for it",
            err=True,
        )
        return EXIT_ERROR
    from flowgen.generate import PackagePlan  # jinja2: only to render the module

    plan = PackagePlan([FlowOutline.of(spec)], package="flows", api_version="0.0")
    _, source = plan.flow_module(spec)
    click.echo(interface_text(source.decode("utf-8")))
    if problems:
        return _unusable(problems, f"{spec.api_name} is shown as its own file has it")
    return EXIT_OK


def interface_text(module_source: str) -> str:
    """The run function's signature and docstring, then the Output class's fields,
    cut from a generated flow module."""
    tree = ast.parse(module_source)
    lines = module_source.splitlines()
    function: list[str] = []
    output: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.endswith("_many"):
            docstring = node.body[0]
            function = lines[node.lineno - 1 : docstring.end_lineno]
        elif isinstance(node, ast.ClassDef) and node.name.endswith("Output"):
            output = [lines[node.lineno - 1]] + [
                lines[field.lineno - 1]
                for field in node.body
                if isinstance(field, ast.AnnAssign)
            ]
    return "\n".join([*function, "", *output])
