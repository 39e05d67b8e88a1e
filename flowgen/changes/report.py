"""Reports of snapshot changes: terminal text, pull-request Markdown, JSON.

Flow and variable names come from the org and may hold anything; details
quote org text through ``repr()`` but are escaped again here all the same, so
no report can be steered by what it reports: no line breaks or terminal
escape sequences in text, no HTML, links or formatting in Markdown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from flowgen.changes.diff import Change, Severity, counts
from flowgen.literals import one_line

JSON_FORMAT = 1

_LABELS = {Severity.BREAKING: "BREAKING", Severity.NON_BREAKING: "NON-BREAKING"}
_SECTIONS = {Severity.BREAKING: "Breaking", Severity.NON_BREAKING: "Non-breaking"}

# Any ASCII punctuation may carry a backslash in CommonMark and then reads
# as itself; escaping all of it leaves no emphasis, link, HTML or table syntax.
_MD_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_BACKTICKS = re.compile(r"`+")


def _md_text(text: str) -> str:
    escaped = _MD_PUNCTUATION.sub(lambda match: "\\" + match.group(), one_line(text))
    # GitHub turns @name into a mention even when escaped; an invisible word
    # joiner after the @ keeps a label from notifying anyone.
    return escaped.replace("@", "@\u2060")


def _md_code(text: str) -> str:
    # A fence longer than any run of backticks inside cannot be closed early.
    # The renderer strips one space from each end when both ends have one,
    # which lets the text start or end with a backtick or a space. A code
    # span also keeps names out of mentions and autolinks.
    text = one_line(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if not text or text[0] in "` " or text[-1] in "` ":
        text = f" {text} "
    return f"{fence}{text}{fence}"


def _by_severity(changes: Iterable[Change]) -> dict[Severity, list[Change]]:
    groups: dict[Severity, list[Change]] = {severity: [] for severity in Severity}
    for change in changes:
        groups[change.severity].append(change)
    return groups


def summary_line(changes: Iterable[Change]) -> str:
    """``2 breaking, 3 non-breaking changes``, or ``no changes``."""
    tally = counts(changes)
    breaking, non_breaking = tally["breaking"], tally["non-breaking"]
    if not breaking and not non_breaking:
        return "no changes"
    noun = "change" if non_breaking == 1 else "changes"
    return f"{breaking} breaking, {non_breaking} non-breaking {noun}"


def _text_line(change: Change) -> str:
    subject = ""
    if change.param is not None:
        subject = f"{change.direction or 'variable'} {one_line(change.param)} "
    label = _LABELS[change.severity]
    return f"{label}  {one_line(change.flow)}: {subject}{one_line(change.detail)}"


def text_lines(changes: Sequence[Change]) -> list[str]:
    """One line per change, breaking ones first."""
    groups = _by_severity(changes)
    return [_text_line(change) for severity in Severity for change in groups[severity]]


def as_text(changes: Sequence[Change]) -> str:
    """:func:`text_lines`, then the summary line.

    No trailing newline: the caller echoes it as one message.
    """
    return "\n".join([*text_lines(changes), summary_line(changes)])


def _md_item(change: Change) -> str:
    subject = ""
    if change.param is not None:
        direction = _md_text(change.direction or "variable")
        subject = f"{direction} {_md_code(change.param)} "
    return f"- {_md_code(change.flow)}: {subject}{_md_text(change.detail)}"


def as_markdown(changes: Sequence[Change]) -> str:
    """A pull-request comment: heading, summary, a section per severity."""
    summary = summary_line(changes)
    lines = ["## Flow interface changes", "", summary[0].upper() + summary[1:] + "."]
    if changes:
        groups = _by_severity(changes)
        for severity in Severity:
            lines += ["", f"### {_SECTIONS[severity]}", ""]
            lines += [_md_item(change) for change in groups[severity]] or ["None."]
    return "\n".join(lines) + "\n"


def as_json(changes: Sequence[Change]) -> str:
    """The changes as a versioned JSON document, with a trailing newline."""
    document = {
        "format": JSON_FORMAT,
        "summary": counts(changes),
        "changes": [
            {
                "severity": change.severity.value,
                "kind": change.kind,
                "flow": change.flow,
                "direction": change.direction,
                "param": change.param,
                "detail": change.detail,
            }
            for change in changes
        ],
    }
    # ASCII only: any non-ASCII or control character is a \\u escape.
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n"
