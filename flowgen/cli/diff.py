"""``flowgen diff``: what changed between two snapshots, and what it breaks."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import click

from flowgen import changes, config, sources
from flowgen.cli.exit import EXIT_OK, EXIT_PARTIAL, run_job
from flowgen.errors import SourceError
from flowgen.model import ActionSelection, FlowSpec
from flowgen.model.actions import FLOWS_ONLY, action_key

FORMATS = ("text", "markdown", "json")


@click.command("diff")
@click.argument("old", required=False, metavar="[OLD]")
@click.argument("new", required=False, metavar="[NEW]")
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)
def diff(old: str | None, new: str | None, format_: str) -> None:
    """Classify every change between two snapshots, breaking ones first.

    OLD and NEW are snapshot directories, or git:REV for the snapshot
    directory as committed at a revision (git:HEAD, git:main; git:REV:PATH
    for another directory). By default OLD is git:HEAD and NEW the snapshot
    directory of [tool.flowgen]: what a pull changed, before you commit it.

    Breaking: a flow removed (or no longer runnable through REST), an input or
    output removed, a type changed (scalar and list included, and a record's
    object type), an input became required or a required one was added.
    Everything else (a new flow, a new optional input, a new output, a label
    or description) is not.

    Exit status: 0 nothing breaking; 1 something breaking; 2 error.
    """
    sys.exit(run_job(lambda: _diff(old, new, format_)))


def _diff(old: str | None, new: str | None, format_: str) -> int:
    table, base = config.load_table(Path.cwd())
    configured = config.setting_path(table, base, "snapshot")
    old = old or "git:HEAD"
    if new is None:
        if configured is None:
            raise SourceError(
                "NEW",
                "no snapshot to compare: pass OLD and NEW, or set snapshot in "
                "[tool.flowgen]",
            )
        new = str(configured)
    actions = config.actions_selection(None, table)
    found = changes.diff_flows(
        read_flows(old, configured, actions), read_flows(new, configured, actions)
    )
    render = {
        "text": changes.as_text,
        "markdown": changes.as_markdown,
        "json": changes.as_json,
    }[format_]
    report = render(found)
    click.echo(report, nl=not report.endswith("\n"))
    return EXIT_PARTIAL if changes.has_breaking(found) else EXIT_OK


def read_flows(
    spec: str, configured: Path | None, actions: ActionSelection = FLOWS_ONLY
) -> Mapping[str, FlowSpec]:
    """The flows of a snapshot directory or ``git:REV[:PATH]``, by API name
    (and the other kinds of action ``actions`` selects, as ``<kind>/<Name>``).

    A flow file that cannot be read is an error here, where generate would
    leave the flow out: a diff would call it removed.
    """
    with ExitStack() as stack:
        directory = (
            stack.enter_context(sources.checked_out(spec, configured))
            if sources.is_git_spec(spec)
            else Path(spec)
        )
        snapshot = sources.read_snapshot(directory, actions=actions)
    if snapshot.skipped:
        shown, problem = sorted(snapshot.skipped.items())[0]
        more = len(snapshot.skipped) - 1
        raise SourceError(
            spec,
            f"cannot compare: {shown}: {problem}"
            + (f" (and {more} more unreadable flow files)" if more else ""),
        )
    return {action_key(flow.kind, flow.api_name): flow for flow in snapshot.flows}
