"""flowgen.changes.report: text, Markdown and JSON reports, and their escaping."""

from __future__ import annotations

import json

from flowgen.changes.diff import Change, Severity
from flowgen.changes.report import as_json, as_markdown, as_text, summary_line

BREAKING = Severity.BREAKING
NON_BREAKING = Severity.NON_BREAKING

CHANGES = [
    Change(NON_BREAKING, "label-changed", "CreateCase", None, None,
           "flow label changed from 'Create' to 'Create case'"),
    Change(BREAKING, "input-removed", "CreateCase", "input", "accountId", "removed"),
    Change(BREAKING, "type-changed", "CreateCase", "input", "amount",
           "type changed from str to Decimal"),
    Change(NON_BREAKING, "output-added", "CreateCase", "output", "caseId", "added"),
    Change(BREAKING, "flow-removed", "Escalate", None, None, "flow removed"),
]  # fmt: skip

HOSTILE = "a\nb\r\x1b[31mred`x`|<script>alert(1)</script>[x](http://e)*_~\u202e"


def hostile_changes() -> list[Change]:
    detail = f"flow label changed from 'a' to {HOSTILE!r}"
    return [
        Change(NON_BREAKING, "label-changed", HOSTILE, None, None, detail),
        Change(BREAKING, "input-removed", "F", "input", HOSTILE, "removed"),
        # Details are quoted by snapshot_diff, but the reports do not rely on it.
        Change(BREAKING, "output-removed", "F", "output", "o", HOSTILE),
    ]


def test_summary_line() -> None:
    assert summary_line([]) == "no changes"
    assert summary_line(CHANGES) == "3 breaking, 2 non-breaking changes"
    assert summary_line(CHANGES[:2]) == "1 breaking, 1 non-breaking change"
    assert summary_line(CHANGES[1:2]) == "1 breaking, 0 non-breaking changes"


def test_text_lists_breaking_changes_first_then_the_summary() -> None:
    assert as_text(CHANGES) == (
        "BREAKING  CreateCase: input accountId removed\n"
        "BREAKING  CreateCase: input amount type changed from str to Decimal\n"
        "BREAKING  Escalate: flow removed\n"
        "NON-BREAKING  CreateCase: flow label changed from 'Create' to 'Create case'\n"
        "NON-BREAKING  CreateCase: output caseId added\n"
        "3 breaking, 2 non-breaking changes"
    )


def test_text_of_no_changes() -> None:
    assert as_text([]) == "no changes"


def test_text_escapes_control_characters_in_names_and_details() -> None:
    text = as_text(hostile_changes())
    lines = text.split("\n")
    assert len(lines) == 4  # three changes and the summary: no injected breaks
    for forbidden in ("\r", "\x1b", "\u202e"):
        assert forbidden not in text
    assert lines[0] == (
        "BREAKING  F: input a\\x0ab\\x0d\\x1b[31mred`x`|<script>alert(1)</script>"
        "[x](http://e)*_~\\u202e removed"
    )
    assert lines[1].startswith("BREAKING  F: output o a\\x0ab\\x0d\\x1b[31m")


def test_markdown_has_a_summary_and_a_section_per_severity() -> None:
    assert as_markdown(CHANGES) == (
        "## Flow interface changes\n"
        "\n"
        "3 breaking, 2 non-breaking changes.\n"
        "\n"
        "### Breaking\n"
        "\n"
        "- `CreateCase`: input `accountId` removed\n"
        "- `CreateCase`: input `amount` type changed from str to Decimal\n"
        "- `Escalate`: flow removed\n"
        "\n"
        "### Non-breaking\n"
        "\n"
        "- `CreateCase`: flow label changed from \\'Create\\' to \\'Create case\\'\n"
        "- `CreateCase`: output `caseId` added\n"
    )


def test_markdown_shows_an_empty_section_as_none() -> None:
    markdown = as_markdown(CHANGES[1:2])
    assert markdown.endswith("### Non-breaking\n\nNone.\n")
    assert "1 breaking, 0 non-breaking changes." in markdown


def test_markdown_of_no_changes() -> None:
    assert as_markdown([]) == "## Flow interface changes\n\nNo changes.\n"


def test_markdown_code_spans_outlast_any_backtick_run() -> None:
    change = Change(BREAKING, "input-removed", "F`", "input", "a``b", "removed")
    assert as_markdown([change]).splitlines()[6] == (
        "- `` F` ``: input ```a``b``` removed"
    )
    empty = Change(BREAKING, "input-removed", "", "input", " x", "removed")
    assert as_markdown([empty]).splitlines()[6] == "- `  `: input `  x ` removed"


def test_markdown_escapes_hostile_text() -> None:
    markdown = as_markdown(hostile_changes())
    lines = markdown.split("\n")
    assert len(lines) == 13  # heading, summary, two sections: no injected lines
    for forbidden in ("\r", "\x1b", "\u202e"):
        assert forbidden not in markdown
    # Names go into code spans whose fence no backtick run inside can close.
    assert lines[6] == (
        "- `F`: input ``a\\x0ab\\x0d\\x1b[31mred`x`|<script>alert(1)</script>"
        "[x](http://e)*_~\\u202e`` removed"
    )
    # Details are plain text with every ASCII punctuation character escaped.
    assert lines[7] == (
        "- `F`: output `o` a\\\\x0ab\\\\x0d\\\\x1b\\[31mred\\`x\\`\\|\\<script\\>"
        "alert\\(1\\)\\<\\/script\\>\\[x\\]\\(http\\:\\/\\/e\\)\\*\\_\\~\\\\u202e"
    )
    detail_line = lines[11]
    assert detail_line.startswith("- ``a\\x0ab")
    assert (
        "\\<script\\>" in detail_line and "<script>" not in detail_line.split("``")[2]
    )
    assert "\\[x\\]\\(http\\:\\/\\/e\\)" in detail_line


def test_json_document() -> None:
    document = json.loads(as_json(CHANGES[:2]))
    assert document == {
        "format": 1,
        "summary": {"breaking": 1, "non-breaking": 1},
        "changes": [
            {
                "severity": "non-breaking",
                "kind": "label-changed",
                "flow": "CreateCase",
                "direction": None,
                "param": None,
                "detail": "flow label changed from 'Create' to 'Create case'",
            },
            {
                "severity": "breaking",
                "kind": "input-removed",
                "flow": "CreateCase",
                "direction": "input",
                "param": "accountId",
                "detail": "removed",
            },
        ],
    }


def test_json_layout_is_sorted_indented_and_ends_with_a_newline() -> None:
    assert as_json([]) == (
        "{\n"
        '  "changes": [],\n'
        '  "format": 1,\n'
        '  "summary": {\n'
        '    "breaking": 0,\n'
        '    "non-breaking": 0\n'
        "  }\n"
        "}\n"
    )
    text = as_json(CHANGES[1:2])
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert text.index('"detail"') < text.index('"direction"') < text.index('"flow"')
    assert as_json(CHANGES) == as_json(list(CHANGES))


def test_json_round_trips_hostile_text_in_ascii() -> None:
    changes = hostile_changes()
    text = as_json(changes)
    assert text.isascii() and "\x1b" not in text
    assert text.count("\n") == text.strip().count("\n") + 1
    rebuilt = [
        Change(
            Severity(item["severity"]),
            item["kind"],
            item["flow"],
            item["direction"],
            item["param"],
            item["detail"],
        )
        for item in json.loads(text)["changes"]
    ]
    assert rebuilt == changes


def test_markdown_mentions_in_org_text_notify_nobody() -> None:
    change = Change(
        Severity.NON_BREAKING,
        "label-changed",
        "F",
        "input",
        "x",
        "label changed from 'a' to 'ask @acme/admins'",
    )
    markdown = as_markdown([change])
    assert "@acme" not in markdown
    assert "ask \\@\u2060acme\\/admins" in markdown
