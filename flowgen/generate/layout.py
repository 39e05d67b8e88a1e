"""Generated code laid out as black lays it out, and black where that fails.

Running black on every module would cost more than rendering it. So the
templates lay calls out themselves (:func:`layout_call`), and black runs
only on a module where that could not fit a line, or on a package-level
file with a line black would split.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

LINE_LENGTH = 88


def black_format(source: str) -> str:
    import black  # only here: it takes longer to import than most runs take

    return black.format_str(source, mode=black.Mode(line_length=LINE_LENGTH))


def black_if_needed(source: str) -> str:
    # For the package-level files; flow modules say themselves (layout.black).
    return black_format(source) if _has_long_code_line(source) else source


def layout_call(
    layout: dict[str, bool],
    indent: int,
    head: str,
    args: Sequence[str],
    tail: str,
    more_args: Sequence[str] = (),
) -> str:
    """``{head}({args}, {more_args}){tail}`` laid out as black would, at ``indent``.

    One line when it fits; else the arguments on a line of their own; else
    one to a line with a trailing comma. Where no layout fits (names that
    long), ``layout["black"]`` is set and black lays the module out.
    """
    pad = " " * indent
    inner = " " * (indent + 4)
    args = [*args, *more_args]
    joined = ", ".join(args)
    line = f"{pad}{head}({joined}){tail}"
    if fits(line):
        return line
    if not fits(f"{pad}{head}("):
        layout["black"] = True
        return line
    if fits(inner + joined):
        return f"{pad}{head}(\n{inner}{joined}\n{pad}){tail}"
    if not all(fits(f"{inner}{arg},") for arg in args):
        layout["black"] = True
    lines = "".join(f"{inner}{arg},\n" for arg in args)
    return f"{pad}{head}(\n{lines}{pad}){tail}"


def fits(line: str) -> bool:
    # Non-ASCII lines are never "fitting": black measures display width, and
    # the exploded layout is stable whatever the width.
    return line.isascii() and len(line) <= LINE_LENGTH


# Long lines black leaves as they are: nothing in them to split at.
_UNSPLITTABLE = re.compile(
    r"""\s*(?:
        def\ \w+\(                        # def very_long_name(
      | class\ \w+:                        # class VeryLongName:
      | from\ [\w.]+\ import\ \(          # from .flows.very_long import (
      | \w+,?                              # a name in an exploded list
      | \w+=\w+,?                          # keyword=argument,
      | (?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'),?            # "a string",
      | "(?:[^"\\]|\\.)*":\ "(?:[^"\\]|\\.)*",               # "key": "value",
    )\s*$""",
    re.VERBOSE,
)


# Lines black may measure as too long: over the limit in characters, or
# non-ASCII and long enough that wide characters could push them over.
_CANDIDATE_LINE = re.compile(r"^(?:.{89,}|(?=.*[^\x00-\x7f]).{45,})$", re.MULTILINE)


def _has_long_code_line(source: str) -> bool:
    """Whether black would split some line the templates left too long.

    Only lines outside docstrings count (generated docstrings escape every
    run of quotes, so counting triple quotes before a line tells), and only
    lines with something black could split at.
    """
    if source.isascii() and all(
        len(line) <= LINE_LENGTH for line in source.split("\n")
    ):  # the usual answer, found ten times faster than by the pattern
        return False
    quotes: list[int] | None = None
    for match in _CANDIDATE_LINE.finditer(source):
        line = match.group()
        if fits(line) or '"""' in line or line.lstrip().startswith("#"):
            continue
        if _UNSPLITTABLE.fullmatch(line):
            continue
        if quotes is None:
            quotes = [found.start() for found in re.finditer('"""', source)]
        if bisect.bisect(quotes, match.start()) % 2 == 0:  # not inside a docstring
            return True
    return False


def encode(source: str) -> bytes:
    return black_if_needed(source).encode("utf-8")
