"""Untrusted text to Python source: string literals and docstrings.

Org metadata reaches generated code only through these functions. Whatever
the text holds (quotes, backslashes, NULs, newlines, bidi controls, lone
surrogates, template syntax), the result is inert source that compiles, reads
back as the original text, and is left unchanged by black.
"""

from __future__ import annotations

import re

# Quotes that could close a triple-quoted string: runs of two or more, and one
# at the end of a line (it may end up before the closing quotes).
_QUOTE_RUN = re.compile(r'"{2,}|"$')

# Printable ASCII and newlines, without backslashes or double quotes.
_PLAIN = re.compile(r"[\n\x20\x23-\x5b\x5d-\x7e]*")
_SURROGATE = re.compile("[\ud800-\udfff]")

_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    return printable_char(ch)


def printable_char(ch: str) -> str:
    """``ch``, or its ``\\xNN``/``\\uNNNN``/``\\UNNNNNNNN`` escape when it is not printable.

    Control, format (bidi overrides, zero-width), separator and surrogate
    characters are spelled as escapes: visible in review, valid UTF-8 on
    disk, and unable to move a terminal's cursor.
    """
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Characters that may need an escape; plain printable ASCII never does, and
# most metadata is nothing else, so only these are looked at one by one.
_MAYBE_ESCAPED = re.compile(r"[^\x20-\x5b\x5d-\x7e]")
_MAYBE_ESCAPED_KEEP_TABS = re.compile(r"[^\t\x20-\x5b\x5d-\x7e]")


def _escape(text: str, *, keep_tabs: bool = False) -> str:
    pattern = _MAYBE_ESCAPED_KEEP_TABS if keep_tabs else _MAYBE_ESCAPED
    return pattern.sub(lambda match: _escape_char(match.group()), text)


def python_string(text: str) -> str:
    """A one-line Python string literal for ``text``, quoted as black prefers.

    Black keeps double quotes unless they need more escapes than single ones.
    """
    body = _escape(text)
    if body.count('"') > body.count("'"):
        return "'" + body.replace("'", "\\'") + "'"
    return '"' + body.replace('"', '\\"') + '"'


def _escape_quotes(match: re.Match[str]) -> str:
    return match.group().replace('"', '\\"')


def docstring_lines(text: str | None) -> list[str]:
    """``text`` as lines safe to place inside a triple-double-quoted docstring.

    Newlines stay real line breaks; tabs become spaces and trailing blanks go,
    as black would do them; backslashes and quotes that could end the string
    are escaped. Leading blank lines go, so the first line is never empty.
    """
    if not text:
        return []
    if _PLAIN.fullmatch(text):  # the common case: nothing to escape or fold
        lines = [line.rstrip() for line in text.split("\n")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return lines
    # A lone surrogate cannot be a class's __doc__ (CPython stores it as UTF-8).
    normalized = _SURROGATE.sub(
        "\ufffd", text.replace("\r\n", "\n").replace("\r", "\n")
    )
    lines = []
    for raw in normalized.split("\n"):
        line = _escape(raw, keep_tabs=True).expandtabs(4)
        lines.append(_QUOTE_RUN.sub(_escape_quotes, line.rstrip()))
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def docstring_line(text: str) -> str:
    """Untrusted text as one line safe inside a docstring (runs of blanks
    and line breaks become one space)."""
    line = " ".join(docstring_lines(" ".join(text.split())))
    # Black pads a docstring that starts with a quote; an escaped one reads the same.
    return "\\" + line if line.startswith('"') else line


# Characters a terminal or a Markdown renderer may act on rather than show
# are among these: controls (ESC, CR, LF...), bidi and zero-width formats,
# line separators. printable_char keeps the printable ones.
_NOT_ASCII_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def one_line(text: str) -> str:
    """``text`` with every character that is not printable spelled as an
    escape: org text fit for one line of a terminal or a report."""
    return _NOT_ASCII_PRINTABLE.sub(lambda match: printable_char(match.group()), text)
