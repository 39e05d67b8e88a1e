"""What changed between two snapshots, how much it breaks, and its reports."""

from flowgen.changes.diff import Change, Severity, diff_flows, has_breaking
from flowgen.changes.pull import pull_changes
from flowgen.changes.report import (
    as_json,
    as_markdown,
    as_text,
    summary_line,
    text_lines,
)

__all__ = [
    "Change",
    "Severity",
    "as_json",
    "as_markdown",
    "as_text",
    "diff_flows",
    "has_breaking",
    "pull_changes",
    "summary_line",
    "text_lines",
]
