"""``flowgen pull``, and ``check --org``'s reading of the org.

Thin, like the rest of the CLI: options to settings and a credential, then
:mod:`flowgen.sources.org.flows` does the reading, :mod:`flowgen.sources.snapshot`
the writing and :mod:`flowgen.changes.pull` the report of what changed.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowgen import changes, config, sources
from flowgen.cli.exit import EXIT_OK, run_job, say
from flowgen.cli.org import (
    actions_option,
    api_version_for,
    credential_for,
    login_options,
)
from flowgen.errors import ConfigError
from flowgen.output import atomic
from flowgen.sources import snapshot_write

if TYPE_CHECKING:
    from flowgen.sources.org import Pulled

# More flows added than this are one line of a pull's report, not one each.
MOST_ADDED_LISTED = 20


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
    help="Refresh only flows whose API name matches (repeatable); the "
    "snapshot's other flows stay as they are.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Do not refresh flows whose API name matches (repeatable); they stay "
    "in the snapshot as they are.",
)
@click.option("--full", is_flag=True, help="Describe every flow again, changed or not.")
@actions_option("pull")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar, warnings or summary; errors only.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help=f"List every flow added, even past {MOST_ADDED_LISTED} (a first pull "
    "adds them all); otherwise they are one line.",
)
def pull(**options: Any) -> None:
    """Read the org's flows into the snapshot directory.

    Lists the flows, asks FlowDefinitionView which changed since the last
    pull, and describes only those, 25 to a composite batch request. The
    snapshot is replaced in one step: a pull that fails leaves it as it was.

    Log in with one of: --target-org ALIAS (Salesforce CLI); --instance-url
    with SF_ACCESS_TOKEN; --jwt-key-file with --client-id and --username;
    --client-id with SF_CLIENT_SECRET; or SF_AUTH_URL in the environment.

    Then it says what changed in the flows' interfaces, breaking changes
    first, one line each; more than 20 flows added are one line (--verbose
    lists them).

    Exit status: 0 done; 2 nothing written (login, limits, errors).
    """
    sys.exit(run_job(lambda: _pull(options)))


def _old_describe(root: Path, name: str) -> Any:
    # A flow's describe as the previous snapshot holds it; None if unreadable.
    try:
        return json.loads((root / "flows" / f"{name}.json").read_bytes())
    except (OSError, ValueError):
        return None


def _pull(options: dict[str, Any]) -> int:
    table, base = config.load_table(Path.cwd())
    root = snapshot_root(table, base, options)
    quiet = bool(options.get("quiet"))
    pulled, found = pull_snapshot(root, table, base, options, quiet=quiet)
    if quiet:
        return EXIT_OK
    for warning in pulled.warnings:
        say(f"warning: {warning}")
    click.echo(
        f"flowgen: pulled {len(pulled.flows)} flow(s)"
        + _others(pulled)
        + f" into {root}: "
        f"{len(pulled.added)} added, {len(pulled.changed)} changed, "
        f"{len(pulled.removed)} removed, {len(pulled.unchanged)} unchanged "
        f"({pulled.requests} request(s))",
        err=True,
    )
    say_changes(found, "flow interface changes", verbose=bool(options.get("verbose")))
    return EXIT_OK


def _others(pulled: Pulled) -> str:
    count = sum(len(names) for names in pulled.actions.values())
    return f" and {count} other action(s)" if count else ""


def say_changes(
    found: Sequence[changes.Change], what: str, *, verbose: bool = True
) -> None:
    """Print ``found`` to stderr, breaking ones first, under a summary.

    Unless ``verbose``, more than :data:`MOST_ADDED_LISTED` flows added are
    one line: a first pull adds every flow of the org, hundreds of lines that
    would hide the rest.
    """
    click.echo(f"flowgen: {what}: {changes.summary_line(found)}", err=True)
    added = [change for change in found if change.kind == "flow-added"]
    folded = not verbose and len(added) > MOST_ADDED_LISTED
    listed = (
        [change for change in found if change.kind != "flow-added"] if folded else found
    )
    for line in changes.text_lines(listed):
        click.echo(f"  {line}", err=True)
    if folded:
        click.echo(
            f"  NON-BREAKING  {len(added)} flows added (flowgen pull --verbose "
            "lists them)",
            err=True,
        )


def snapshot_root(
    table: Mapping[str, Any], base: Path, options: Mapping[str, Any]
) -> Path:
    """The snapshot directory: ``--snapshot``, else the setting."""
    root = (
        Path(options["snapshot"])
        if options.get("snapshot")
        else config.setting_path(table, base, "snapshot")
    )
    if root is None:
        raise ConfigError(
            "no snapshot directory: pass --snapshot DIR or set snapshot in [tool.flowgen]"
        )
    return root


def pull_snapshot(
    root: Path,
    table: Mapping[str, Any],
    base: Path,
    options: Mapping[str, Any],
    *,
    quiet: bool,
) -> tuple[Pulled, list[changes.Change]]:
    """Pull the org into the snapshot at ``root``, replacing it in one step,
    and say what changed in the flows' interfaces."""
    # The command's one lazy import: httpx and asyncio, to talk to the org.
    import asyncio

    from flowgen.sources import org

    credential = credential_for(table, options, base)
    api_version = api_version_for(table, options)
    # A user's file in the snapshot directory stops the pull before the org is read.
    snapshot_write.refuse_foreign(root)
    previous = sources.read_manifest(root)
    # The settings' include/exclude are the snapshot's scope; the flags only
    # narrow what this pull refreshes.
    include: Sequence[str] = table.get("include") or ()
    exclude: Sequence[str] = table.get("exclude") or ()

    async def run() -> Pulled:
        async with org.OrgSession(credential, api_version=api_version) as session:
            with _progress(quiet) as progress:
                return await org.pull(
                    session,
                    previous=previous,
                    have_file=lambda key: (
                        root / snapshot_write.describe_file(key)
                    ).is_file(),
                    old_describe=lambda name: _old_describe(root, name),
                    include=include,
                    exclude=exclude,
                    refresh_include=options.get("include") or (),
                    refresh_exclude=options.get("exclude") or (),
                    full=bool(options.get("full")),
                    progress=progress,
                    actions=config.actions_selection(options.get("actions"), table),
                )

    async def stoppable() -> Pulled:
        # SIGINT or SIGTERM cancels the pull, which closes its connections in
        # order; then Interrupted is raised, below, and nothing is written.
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        with atomic.cancel_on_signal(lambda: loop.call_soon_threadsafe(task.cancel)):
            return await run()

    try:
        pulled = asyncio.run(stoppable())
    finally:
        atomic.check_interrupted()
    # Read before the old files are replaced.
    found = changes.pull_changes(
        root,
        previous=previous,
        flows=pulled.flows,
        files=pulled.files,
        touched=(*pulled.added, *pulled.changed, *pulled.removed),
        actions=pulled.actions,
    )
    sources.write_snapshot(
        root,
        manifest=pulled.manifest(),
        changed=pulled.files,
        unchanged=pulled.unchanged,
        sobjects=pulled.sobjects,
        apex_types=pulled.apex,
    )
    return pulled, found


def org_drift(root: Path, options: Mapping[str, Any]) -> bool:
    """Whether the org has moved ahead of the snapshot at ``root``; says how.

    The org is pulled into a temporary copy of the snapshot (so the pull is
    as incremental as the next real one) and the copy compared with it;
    ``root`` itself is never written.
    """
    table, base = config.load_table(Path.cwd())
    snapshot_write.refuse_foreign(root)  # as flowgen pull would
    with tempfile.TemporaryDirectory(prefix="flowgen-check-") as tmp:
        copy = Path(tmp) / "snapshot"
        if root.is_dir():
            shutil.copytree(root, copy)
        _, found = pull_snapshot(copy, table, base, options, quiet=True)
        differing = _differing_files(root, copy)
    if not differing:
        say(f"{root} is what the org has now")
        return False
    shown = ", ".join(differing[:10]) + (
        f" and {len(differing) - 10} more" if len(differing) > 10 else ""
    )
    say(
        f"the org has moved ahead of {root}: {len(differing)} file(s) "
        f"differ ({shown}); run flowgen pull, review and commit the snapshot"
    )
    say_changes(found, "flow interface changes in the org")
    return True


def _differing_files(old: Path, new: Path) -> list[str]:
    def files(root: Path) -> dict[str, Path]:
        return {
            path.relative_to(root).as_posix(): path
            for path in (root.rglob("*") if root.is_dir() else ())
            if path.is_file()
        }

    before, after = files(old), files(new)
    return sorted(
        name
        for name in before.keys() | after.keys()
        if name not in before
        or name not in after
        or not filecmp.cmp(before[name], after[name], shallow=False)
    )


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
