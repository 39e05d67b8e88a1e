"""The ``flowgen`` command group: every command, one module per group of them."""

from __future__ import annotations

from typing import Any

import click

from flowgen.cli import diff, generate, init, org, pull
from flowgen.cli.exit import interrupted_status
from flowgen.output import atomic


class _Group(click.Group):
    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # An interrupt while click reads the command line: as below. SystemExit
        # passes through click, which would turn KeyboardInterrupt into "Aborted!".
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as exc:
            raise SystemExit(interrupted_status(exc)) from None

    def invoke(self, ctx: click.Context) -> Any:
        # An interrupt before a command's job began (run_job handles those
        # after): the same quiet line and status, not click's "Aborted!".
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            ctx.exit(interrupted_status(exc))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="salesforce-flowgen")
def main() -> None:
    """Generate typed Python bindings for the Salesforce Flows of an org.

    `flowgen pull` reads the org's flow describes into a snapshot directory;
    `flowgen generate` turns the snapshot into a Python package with one typed
    function and dataclass pair per autolaunched flow, plus a small httpx
    runtime that makes the REST call.

    The everyday loop: flowgen pull (says what changed, breaking first),
    review the snapshot's diff (or flowgen diff), flowgen generate, commit
    both; CI runs flowgen check, which fails when the committed package is
    stale.

    Settings come from [tool.flowgen] in ./pyproject.toml (flowgen init
    writes a commented one); flags override them.
    """


def run() -> None:
    """The console script's entry point. SIGTERM, like SIGINT, interrupts
    a command, which then says what state it leaves (see :func:`.exit.run_job`)."""
    atomic.install_signal_handlers()
    main()


main.add_command(generate.generate)
main.add_command(generate.check)
main.add_command(diff.diff)
main.add_command(init.init)
main.add_command(pull.pull)
main.add_command(org.list_flows)
main.add_command(org.describe)
