import ast
import inspect
import re

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from flowgen import literals

_MODE = black.Mode(line_length=88)
HOSTILE = [
    'say """hi"""',
    "it's '''quoted'''",
    "C:\\Acme\\exports\\",
    'ends with a quote"',
    "{{ jinja }} {% raw %}",
    "nul\x00byte",
    "bidi \u202e override",
    "lone \ud800 surrogate",
    "tab\there",
    "line\r\nbreaks\rand\nmore",
    '"""); import os; os.system(\'echo pwned\') #',
]


@given(st.text())
def test_python_string_round_trips_and_is_black_stable(text: str) -> None:
    literal = literals.python_string(text)
    assert ast.literal_eval(literal) == text
    assert "\n" not in literal
    source = f"x = {literal}\n"
    assert black.format_str(source, mode=_MODE) == source


def test_python_string_hostile_examples() -> None:
    for text in HOSTILE:
        assert ast.literal_eval(literals.python_string(text)) == text
    assert literals.python_string("plain") == '"plain"'
    assert literals.python_string('say "hi"') == "'say \"hi\"'"


def _norm(line: str) -> str:
    # Tabs become spaces at generation time; compare with runs of blanks folded.
    return re.sub(r"[ \t]+", " ", line).rstrip(" ")


def _expected_lines(text: str) -> list[str]:
    lines = [
        _norm(line)
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    while lines and not lines[0].strip(" "):
        lines.pop(0)
    while lines and not lines[-1].strip(" "):
        lines.pop()
    return lines


def _docstring_module(text: str) -> str:
    body = "\n".join(
        f"    {line}" if line else "" for line in literals.docstring_lines(text)
    )
    return f'def f() -> None:\n    """Title.\n\n    Body:\n{body}\n    """\n'


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8")
        | st.sampled_from(['"', "\\", "\n", "\t", " ", "'"])
    )
)
def test_docstring_lines_compile_read_back_and_are_black_stable(text: str) -> None:
    source = _docstring_module(text)
    namespace: dict[str, object] = {}
    exec(
        compile(source, "<generated>", "exec"), namespace
    )  # noqa: S102 - our own rendered source
    doc = inspect.cleandoc(namespace["f"].__doc__)  # type: ignore[attr-defined]
    assert [_norm(line) for line in doc.split("\n")[3:]] == _expected_lines(text)
    assert black.format_str(source, mode=_MODE) == source


def test_docstring_lines_hostile_examples_stay_inert() -> None:
    for text in HOSTILE:
        source = _docstring_module(text)
        tree = ast.parse(source)
        (function,) = tree.body
        assert isinstance(function, ast.FunctionDef)
        assert len(function.body) == 1  # only the docstring: nothing escaped into code
        assert black.format_str(source, mode=_MODE) == source
