"""``flowgen generate`` and ``flowgen check``: a source of flow files to a package.

Thin: settings and a source, then :mod:`flowgen.generate` renders and
:mod:`flowgen.output` puts the result on disk (or compares it with what is
there). A run whose inputs did not change since the last one does no work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowgen import config, output, sources
from flowgen.cli.exit import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, run_job, say
from flowgen.cli.org import actions_option, login_options
from flowgen.cli.pull import org_drift
from flowgen.errors import ConfigError

if TYPE_CHECKING:
    from flowgen.generate import FlowSource, Generated


def _source_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option(
        "--package",
        metavar="NAME",
        help="Import name of the generated package (default: package in "
        "[tool.flowgen], else salesforce_flows); not the name of a "
        "standard-library or installed module.",
    )(command)
    command = click.option(
        "--out",
        metavar="DIR",
        help="Directory of the generated package (default: ./<package>).",
    )(command)
    command = click.option(
        "--include-inactive/--no-include-inactive",
        default=None,
        help="From an SFDX project: also flows whose status is Draft or Obsolete "
        "(default: include_inactive in [tool.flowgen], else no).",
    )(command)
    command = click.option(
        "--project",
        metavar="DIR",
        help="An SFDX project to generate from instead of a snapshot: its "
        "*.flow-meta.xml and *.flow files, no org needed.",
    )(command)
    command = click.option(
        "--snapshot",
        metavar="DIR",
        help="Snapshot directory: flowgen-snapshot.json plus flows/*.json.",
    )(command)
    command = actions_option("bind", " From a snapshot only.")(command)
    return command


@click.command()
@_source_options
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def generate(**options: Any) -> None:
    """Generate the package from a snapshot or an SFDX project.

    The package is rendered in full before anything is written, then swapped
    in at once; files whose bytes did not change are left as they are. A run
    with nothing changed since the last one does no work.

    A flow file that cannot be read or parsed (a merge conflict left in it)
    stops the run: nothing is written, so no flow's module or import is
    deleted; the file is named. A second file describing a flow already
    read is named and left out; the flow is generated from the first.

    Exit status: 0 done; 1 a flow file could not be read (nothing written),
    or a file describes a flow again (done without it); 2 nothing written
    (bad settings or source).
    """
    sys.exit(run_job(lambda: _generate(options)))


@click.command()
@_source_options
@click.option(
    "--org",
    "against_org",
    is_flag=True,
    help="Also pull the org into a temporary copy of the snapshot and fail "
    "when the org has moved ahead of it (log in as for flowgen pull).",
)
@login_options
def check(**options: Any) -> None:
    """Fail when the generated package is stale or was edited by hand.

    Regenerates in memory and compares with the package on disk. With --org,
    also reads the org (as flowgen pull would, writing nothing) and reports
    what it has that the snapshot has not, breaking changes first.

    Exit status: 0 identical (and, with --org, the snapshot is what the org
    has); 1 different (a unified diff, or the org's changes, are printed);
    2 error (a flow file that cannot be read is one, named).
    """
    sys.exit(run_job(lambda: _check(options)))


def _settings(options: Mapping[str, Any]) -> config.Settings:
    settings = config.resolve(
        cwd=Path.cwd(),
        snapshot=options.get("snapshot"),
        out=options.get("out"),
        package=options.get("package"),
        project=options.get("project"),
        include_inactive=options.get("include_inactive"),
        actions=options.get("actions"),
    )
    if settings.snapshot is None and settings.project is None:
        raise ConfigError(
            "nothing to generate from: pass --snapshot DIR or --project DIR, or set "
            "snapshot or project in [tool.flowgen]"
        )
    return settings


def _source(settings: config.Settings, options: Mapping[str, Any]) -> FlowSource:
    if settings.project is not None:
        from flowgen.sources import sfdx  # XML: only for SFDX projects

        others = sorted(kind.value for kind in settings.actions.kinds) or ["flow"]
        if others != ["flow"] and not options.get("quiet"):
            say(
                f"warning: actions {', '.join(k for k in others if k != 'flow')}: "
                "an SFDX project gives flows only (pull a snapshot for the rest)"
            )
        return sfdx.open_project(
            settings.project, include_inactive=settings.include_inactive
        )
    assert settings.snapshot is not None
    return sources.open_snapshot(settings.snapshot, actions=settings.actions)


def _inputs(settings: config.Settings) -> tuple[list[Path], list[str]]:
    """The files the output depends on, and the settings that shape it."""
    if settings.project is not None:
        from flowgen.sources import sfdx

        return sfdx.project_files(settings.project), [f"project={settings.project}"]
    assert settings.snapshot is not None
    return sources.snapshot_files(settings.snapshot), settings.actions.settings()


def _keep(relative: str, data: bytes) -> tuple[str, bytes]:
    return relative, data


def _errors(result: Generated[Any]) -> tuple[str, ...]:
    # A duplicate is left out and its flow generated from the first file; an
    # unreadable file stops the run (see _unreadable).
    return tuple(
        f"error: {path}: {problem}"
        + ("" if path in result.unreadable else "; that file was left out")
        for path, problem in result.problems.items()
    )


def _unreadable(result: Generated[Any], doing: str) -> str:
    count = len(result.unreadable)
    return (
        f"{doing}: {count} flow file(s) could not be read, and a package without "
        "their flows would lose those flows' modules and imports; fix the "
        "file(s) named above (a merge conflict left in one?) and run again"
    )


def _say(warnings: tuple[str, ...], errors: tuple[str, ...], *, quiet: bool) -> None:
    for message in () if quiet else warnings:
        say(message)
    for message in errors:
        say(message)


def _generate(options: Mapping[str, Any]) -> int:
    settings = _settings(options)
    quiet = bool(options.get("quiet"))
    inputs, source_settings = _inputs(settings)
    cache_settings = [
        f"package={settings.package}",
        f"include_inactive={settings.include_inactive}",
        *source_settings,
    ]
    last_run = output.last_run_if_current(settings.out, inputs, cache_settings)
    if last_run is not None:
        _say(last_run.warnings, last_run.errors, quiet=quiet)
        if not quiet:
            click.echo(f"flowgen: {settings.out} is up to date", err=True)
        return last_run.exit_status

    # The command's one lazy import: jinja2, only when something is rendered.
    from flowgen import generate as generate_

    staged = output.StagedWrite(settings.out)

    def stage(relative: str, data: bytes) -> tuple[str, bool]:
        return relative, staged.put(relative, data)

    try:
        result = generate_.generate(
            _source(settings, options), package=settings.package, emit=stage
        )
        errors = _errors(result)
        _say(result.warnings, errors, quiet=quiet)
        if result.unreadable:
            staged.abort()
            say(_unreadable(result, f"nothing written; {settings.out} is as it was"))
            return EXIT_PARTIAL
        report = staged.finish(dict(result.results))
    except BaseException:
        staged.abort()
        raise
    status = EXIT_PARTIAL if errors else EXIT_OK
    output.remember(
        settings.out,
        inputs,
        cache_settings,
        warnings=result.warnings,
        errors=errors,
        exit_status=status,
        file_digests=result.file_digests,
        file_stamps=result.file_stamps,
    )
    if not quiet:
        click.echo(
            f"flowgen: {result.flow_count} flow(s)"
            + (f", {result.other_count} other action(s)" if result.other_count else "")
            + f" -> {settings.out} "
            f"({len(report.written)} written, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed)",
            err=True,
        )
    return status


def _check(options: Mapping[str, Any]) -> int:
    settings = _settings(options)
    if options.get("against_org") and settings.snapshot is None:
        raise ConfigError(
            "--org compares the snapshot with the org, and the source here is an "
            "SFDX project; pass --snapshot DIR"
        )
    status = _check_package(settings, options)
    if status == EXIT_ERROR or not options.get("against_org"):
        return status
    assert settings.snapshot is not None
    return EXIT_PARTIAL if org_drift(settings.snapshot, options) else status


def _check_package(settings: config.Settings, options: Mapping[str, Any]) -> int:
    from flowgen import generate as generate_  # jinja2: only to render

    result = generate_.generate(
        _source(settings, options),
        package=settings.package,
        emit=_keep,
    )
    errors = _errors(result)
    _say((), errors, quiet=True)
    if result.unreadable:
        say(_unreadable(result, f"cannot check {settings.out}"))
        return EXIT_ERROR
    if not settings.out.is_dir():
        click.echo(
            f"flowgen: {settings.out} does not exist; run flowgen generate", err=True
        )
        return EXIT_PARTIAL
    diff = output.diff_package(dict(result.results), settings.out)
    if diff:
        click.echo("".join(diff), nl=False)
        click.echo(
            f"flowgen: {settings.out} is not what flowgen generate would write; "
            "run flowgen generate and commit the result",
            err=True,
        )
        return EXIT_PARTIAL
    if errors:
        return EXIT_ERROR
    click.echo(f"flowgen: {settings.out} is up to date", err=True)
    return EXIT_OK
