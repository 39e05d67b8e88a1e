"""The commands that read a live org: ``pull``, ``list`` and ``describe``.

Thin, like the rest of the CLI: options to settings and a credential, then
:mod:`flowgen.sources.org` does the reading and :mod:`flowgen.sources.snapshot`
the writing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowgen import config
from flowgen.errors import ConfigError, FlowgenError

if TYPE_CHECKING:
    from flowgen.auth import Credential
    from flowgen.model import FlowSpec

EXIT_OK = 0
EXIT_ERROR = 2
DEFAULT_API_VERSION = "62.0"


def login_options(command: Callable[..., None]) -> Callable[..., None]:
    """Every way to name an org; tokens and secrets come from the environment only."""
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
            help="The org's URL; the token comes from SF_ACCESS_TOKEN.",
        ),
        click.option(
            "--client-id",
            metavar="ID",
            help="A connected app's consumer key, for the JWT bearer flow (with "
            "--jwt-key-file) or the client credentials flow (secret in "
            "SF_CLIENT_SECRET).",
        ),
        click.option(
            "--username",
            metavar="USER",
            help="The user the JWT bearer flow logs in as.",
        ),
        click.option(
            "--jwt-key-file",
            metavar="FILE",
            help="PEM private key whose certificate the connected app holds.",
        ),
        click.option(
            "--login-url",
            metavar="URL",
            help="login (default), test (sandboxes) or your My Domain URL.",
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


def credential_for(table: Mapping[str, Any], options: Mapping[str, Any]) -> Credential:
    """The credential the flags ask for, with ``target_org`` from settings as fallback."""
    from flowgen import auth  # httpx: only for the commands that talk to an org

    has_flag = any(
        options.get(key)
        for key in ("target_org", "instance_url", "client_id", "jwt_key_file")
    )
    return auth.choose(
        target_org=options.get("target_org")
        or (None if has_flag else table.get("target_org")),
        instance_url=options.get("instance_url"),
        client_id=options.get("client_id"),
        username=options.get("username"),
        jwt_key_file=options.get("jwt_key_file"),
        login=options.get("login_url"),
    )


def api_version_for(table: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    version = str(
        options.get("api_version") or table.get("api_version") or DEFAULT_API_VERSION
    )
    major, dot, minor = version.partition(".")
    if not (dot and major.isdigit() and minor.isdigit()):
        raise ConfigError(f"API version {version!r} is not like 62.0")
    return version


@click.command()
@click.option(
    "--snapshot",
    metavar="DIR",
    help="Snapshot directory to write (default: snapshot in [tool.flowgen]).",
)
@login_options
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Pull only flows whose API name matches (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out flows whose API name matches (repeatable).",
)
@click.option("--full", is_flag=True, help="Describe every flow again, changed or not.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar, warnings or summary; errors only.",
)
def pull(**options: Any) -> None:
    """Read the org's flows into the snapshot directory.

    Lists the flows, asks FlowDefinitionView which changed since the last
    pull, and describes only those, 25 to a composite batch request. The
    snapshot is replaced in one step: a pull that fails leaves it as it was.

    Log in with one of: --target-org ALIAS (Salesforce CLI); --instance-url
    with SF_ACCESS_TOKEN; --jwt-key-file with --client-id and --username;
    --client-id with SF_CLIENT_SECRET; or SF_AUTH_URL in the environment.

    Exit status: 0 done; 2 nothing written (login, limits, errors).
    """
    sys.exit(_run(lambda: _pull(options)))


def _run(job: Callable[[], int]) -> int:
    try:
        return job()
    except FlowgenError as exc:
        click.echo(f"flowgen: error: {exc}", err=True)
        return EXIT_ERROR


def _old_describe(root: Path, name: str) -> Any:
    # A flow's describe as the previous snapshot holds it; None if unreadable.
    import json

    try:
        return json.loads((root / "flows" / f"{name}.json").read_bytes())
    except (OSError, ValueError):
        return None


def _pull(options: dict[str, Any]) -> int:
    import asyncio  # with httpx: only for the commands that talk to an org

    from flowgen.sources import org as org_source
    from flowgen.sources import snapshot as snapshot_dir
    from flowgen.sources.org_http import OrgSession

    table, base = config.load_table(Path.cwd())
    target = options.get("snapshot") or (
        str(base / table["snapshot"]) if "snapshot" in table else None
    )
    if target is None:
        raise ConfigError(
            "no snapshot directory to write: pass --snapshot DIR or set snapshot in [tool.flowgen]"
        )
    root = Path(target)
    credential = credential_for(table, options)
    api_version = api_version_for(table, options)
    previous = None if options.get("full") else snapshot_dir.read_manifest(root)
    include: Sequence[str] = options.get("include") or table.get("include") or ()
    exclude: Sequence[str] = options.get("exclude") or table.get("exclude") or ()
    quiet = bool(options.get("quiet"))

    async def run() -> org_source.Pulled:
        async with OrgSession(credential, api_version=api_version) as org:
            with _progress(quiet) as progress:
                return await org_source.pull(
                    org,
                    previous=previous,
                    have_file=lambda name: (root / "flows" / f"{name}.json").is_file(),
                    old_describe=lambda name: _old_describe(root, name),
                    include=include,
                    exclude=exclude,
                    full=bool(options.get("full")),
                    progress=progress,
                )

    pulled = asyncio.run(run())
    snapshot_dir.write_snapshot(
        root,
        manifest=pulled.manifest(),
        changed=pulled.files,
        unchanged=pulled.unchanged,
        sobjects=pulled.sobjects,
        apex_types=pulled.apex,
    )
    if quiet:
        return EXIT_OK
    for warning in pulled.warnings:
        click.echo(f"flowgen: warning: {warning}", err=True)
    click.echo(
        f"flowgen: pulled {len(pulled.flows)} flow(s) into {root}: "
        f"{len(pulled.added)} added, {len(pulled.changed)} changed, "
        f"{len(pulled.removed)} removed, {len(pulled.unchanged)} unchanged "
        f"({pulled.requests} request(s))",
        err=True,
    )
    return EXIT_OK


class _progress:
    """A progress bar on stderr when it is a terminal; otherwise nothing."""

    def __init__(self, quiet: bool) -> None:
        self._bar: Any = None
        self._shown = 0
        self._show = not quiet and sys.stderr.isatty()

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self._show:
            return None

        def advance(done: int, total: int) -> None:
            if self._bar is None:
                self._bar = click.progressbar(
                    length=total, label="describing flows", file=sys.stderr
                )
                self._bar.__enter__()
            self._bar.update(done - self._shown)
            self._shown = done

        return advance

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc_info)


@click.command(name="list")
@click.option(
    "--snapshot",
    metavar="DIR",
    help="List the flows of this snapshot instead of the org's.",
)
@login_options
def list_flows(**options: Any) -> None:
    """List the flows: label, inputs, outputs, and whether REST can run them.

    Reads the org (log in as for `flowgen pull`), or a snapshot with --snapshot.
    """
    sys.exit(_run(lambda: _list(options)))


@click.command()
@click.argument("name")
@click.option(
    "--snapshot",
    metavar="DIR",
    help="Describe the flow as this snapshot has it instead of the org.",
)
@login_options
def describe(name: str, **options: Any) -> None:
    """Show one flow's interface as its generated function will have it."""
    sys.exit(_run(lambda: _describe(name, options)))


def _specs(options: Mapping[str, Any], names: Sequence[str] = ()) -> list[FlowSpec]:
    """FlowSpecs from the snapshot in --snapshot, else read from the org."""
    from flowgen.sources.describe import parse_describe
    from flowgen.sources.snapshot import read_snapshot

    if options.get("snapshot"):
        snap = read_snapshot(options["snapshot"])
        return list(snap.flows)
    import asyncio

    from flowgen.sources import org as org_source
    from flowgen.sources.org_http import OrgSession

    table, _ = config.load_table(Path.cwd())
    credential = credential_for(table, options)
    api_version = api_version_for(table, options)

    async def run() -> org_source.Pulled:
        async with OrgSession(credential, api_version=api_version) as org:
            return await org_source.pull(org, previous=None, include=names)

    pulled = asyncio.run(run())
    return [
        parse_describe(
            body,
            origin=f"the org's describe of {name}",
            process_type=pulled.flows.get(name, {}).get("process_type"),
            warn=lambda message: click.echo(f"flowgen: warning: {message}", err=True),
        )
        for name, body in sorted(pulled.described.items())
    ]


def _list(options: Mapping[str, Any]) -> int:
    from flowgen.model import is_invocable

    rows = [
        (
            spec.api_name,
            spec.label or "",
            str(len(spec.inputs)),
            str(len(spec.outputs)),
            "yes" if is_invocable(spec) else f"no ({spec.process_type})",
        )
        for spec in _specs(options)
    ]
    header = ("NAME", "LABEL", "INPUTS", "OUTPUTS", "INVOCABLE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    return EXIT_OK


def _describe(name: str, options: Mapping[str, Any]) -> int:
    from flowgen.model import FlowOutline, is_invocable
    from flowgen.render import PackagePlan

    found = [
        spec
        for spec in _specs(options, names=[name])
        if spec.api_name.lower() == name.lower()
    ]
    if not found:
        raise ConfigError(f"no flow named {name!r} (see flowgen list)")
    spec = found[0]
    if not is_invocable(spec):
        click.echo(
            f"flowgen: {spec.api_name} is a {spec.process_type} flow, which the REST "
            "API cannot run; no function is generated for it",
            err=True,
        )
        return EXIT_ERROR
    plan = PackagePlan([FlowOutline.of(spec)], package="flows", api_version="0.0")
    _, source = plan.flow_module(spec)
    click.echo(interface_text(source.decode("utf-8")))
    return EXIT_OK


def interface_text(module_source: str) -> str:
    """The run function's signature and docstring, then the Output class's fields,
    cut from a generated flow module."""
    import ast

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
