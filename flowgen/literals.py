"""Untrusted text to Python source: string literals, docstrings and comments.

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

_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    if ch.isprintable():
        return ch
    # Control, format (bidi overrides, zero-width), separator and surrogate
    # characters are spelled as escapes: visible in review, valid UTF-8 on disk.
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def python_string(text: str) -> str:
    """A one-line Python string literal for ``text``, quoted as black prefers.

    Black keeps double quotes unless they need more escapes than single ones.
    """
    body = "".join(_escape_char(ch) for ch in text)
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
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for raw in normalized.split("\n"):
        line = "".join(ch if ch == "\t" else _escape_char(ch) for ch in raw).expandtabs(
            4
        )
        lines.append(_QUOTE_RUN.sub(_escape_quotes, line.rstrip()))
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def comment_text(text: str | None) -> str:
    """``text`` on one line, fit for a ``#`` comment."""
    if not text:
        return ""
    return "".join(_escape_char(ch) for ch in " ".join(text.split()))
