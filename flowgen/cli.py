"""The ``flowgen`` command: a thin layer that wires sources to rendering."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from flowgen import config, output, render
from flowgen.errors import ConfigError, FlowgenError
from flowgen.sources.snapshot import Snapshot, read_snapshot

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_ERROR = 2

_SETTINGS_HELP = (
    "Defaults come from [tool.flowgen] in ./pyproject.toml; flags override them."
)


def _source_options(command: click.decorators.FC) -> click.decorators.FC:
    command = click.option(
        "--package",
        metavar="NAME",
        help="Import name of the generated package (default: salesforce_flows).",
    )(command)
    command = click.option(
        "--out",
        metavar="DIR",
        help="Directory of the generated package (default: ./<package>).",
    )(command)
    command = click.option(
        "--snapshot",
        metavar="DIR",
        help="Snapshot directory: flowgen-snapshot.json plus flows/*.json.",
    )(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowgen")
def main() -> None:
    """Generate typed Python bindings for the Salesforce Flows of an org.

    flowgen reads a snapshot of the org's flow describes and writes a Python
    package with one typed function and dataclass pair per autolaunched flow,
    plus a small httpx runtime that makes the REST call.
    """


@main.command()
@_source_options
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def generate(
    snapshot: str | None, out: str | None, package: str | None, quiet: bool
) -> None:
    """Generate the package from a snapshot.

    The package is rendered in full before anything is written, then swapped
    in at once; files whose bytes did not change are left as they are.

    Exit status: 0 done; 1 done, but some flow files could not be read and
    their flows are missing; 2 nothing written (bad settings or snapshot).
    """
    sys.exit(_run(lambda: _generate(snapshot, out, package, quiet)))


@main.command()
@_source_options
def check(snapshot: str | None, out: str | None, package: str | None) -> None:
    """Fail when the generated package is stale or was edited by hand.

    Regenerates in memory and compares with the package on disk. Exit status:
    0 identical; 1 different (a unified diff is printed); 2 error.
    """
    sys.exit(_run(lambda: _check(snapshot, out, package)))


def _run(job: Callable[[], int]) -> int:
    try:
        return job()
    except FlowgenError as exc:
        click.echo(f"flowgen: error: {exc}", err=True)
        return EXIT_ERROR


def _render(
    snapshot: str | None, out: str | None, package: str | None, *, quiet: bool
) -> tuple[config.Settings, Snapshot, render.RenderedPackage]:
    settings = config.resolve(
        cwd=Path.cwd(), snapshot=snapshot, out=out, package=package
    )
    if settings.snapshot is None:
        raise ConfigError(
            "no snapshot to generate from: pass --snapshot DIR or set snapshot in [tool.flowgen]"
        )
    snap = read_snapshot(settings.snapshot)
    rendered = render.render_package(
        snap.flows, package=settings.package, api_version=snap.api_version
    )
    if not quiet:
        for warning in snap.warnings:
            click.echo(f"flowgen: warning: {warning}", err=True)
        for name, reason in sorted(rendered.skipped_flows.items()):
            click.echo(f"flowgen: skipped flow {name}: {reason}", err=True)
    for path, problem in sorted(snap.skipped.items()):
        click.echo(
            f"flowgen: error: {path}: {problem}; that flow was left out", err=True
        )
    return settings, snap, rendered


def _generate(
    snapshot: str | None, out: str | None, package: str | None, quiet: bool
) -> int:
    settings, snap, rendered = _render(snapshot, out, package, quiet=quiet)
    report = output.write_package(rendered.files, settings.out)
    if not quiet:
        flows = len(snap.flows) - len(rendered.skipped_flows)
        click.echo(
            f"flowgen: {flows} flow(s) -> {settings.out} "
            f"({len(report.written)} written, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed)",
            err=True,
        )
    return EXIT_PARTIAL if snap.skipped else EXIT_OK


def _check(snapshot: str | None, out: str | None, package: str | None) -> int:
    settings, snap, rendered = _render(snapshot, out, package, quiet=True)
    if not settings.out.is_dir():
        click.echo(
            f"flowgen: {settings.out} does not exist; run flowgen generate", err=True
        )
        return EXIT_PARTIAL
    diff = output.diff_package(rendered.files, settings.out)
    if diff:
        click.echo("".join(diff), nl=False)
        click.echo(
            f"flowgen: {settings.out} is not what flowgen generate would write; "
            "run flowgen generate and commit the result",
            err=True,
        )
        return EXIT_PARTIAL
    if snap.skipped:
        return EXIT_ERROR
    click.echo(f"flowgen: {settings.out} is up to date", err=True)
    return EXIT_OK
