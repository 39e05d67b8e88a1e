"""Whatever a describe holds, parsing never crashes and the package always compiles."""

from __future__ import annotations

import ast
from typing import Any

import black
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flowgen.errors import SourceError
from flowgen.generate import layout, plan
from flowgen.sources.describe import parse_describe

TYPES = st.one_of(
    st.sampled_from(
        [
            "STRING",
            "currency",
            "Date",
            "DATETIME",
            "TIME",
            "MULTIPICKLIST",
            "SOBJECT",
            "APEX",
            "INT",
        ]
    ),
    st.none(),
    st.text(max_size=8),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def params(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": draw(st.text(min_size=1, max_size=30)),
        "type": draw(TYPES),
        "label": draw(st.none() | st.text(max_size=40)),
        "description": draw(st.none() | st.text(max_size=120)),
        "maxOccurs": draw(st.sampled_from([1, 2000, "2000", None, True])),
        "required": draw(st.sampled_from([True, False, None, "yes"])),
        draw(st.sampled_from(["sobjectType", "sObjectType", "SOBJECTTYPE"])): draw(
            st.none() | st.text(max_size=20)
        ),
        "apexClass": draw(st.none() | st.text(max_size=20)),
        "picklistValues": draw(
            st.none()
            | st.lists(
                st.text(max_size=10)
                | st.fixed_dictionaries({"value": st.text(max_size=10)}),
                max_size=3,
            )
        ),
    }
    for key, value in draw(
        st.dictionaries(st.text(max_size=8), JSONISH, max_size=2)
    ).items():
        body.setdefault(key, value)
    return body


@st.composite
def describes(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(JSONISH)  # sometimes not a describe at all
    return {
        "name": draw(st.text(min_size=1, max_size=40)),
        "label": draw(st.none() | st.text(max_size=60)),
        "description": draw(st.none() | st.text(max_size=200)),
        "inputs": draw(st.lists(params(), max_size=5)),
        "outputs": draw(st.lists(params(), max_size=4)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(describes(), min_size=1, max_size=4))
# Found by this test: a docstring may not start with a quote (black pads it),
# and a name that is only "whitespace" to str.split() still needs a title.
@example(
    [{"name": '"0', "label": None, "description": None, "inputs": [], "outputs": []}]
)
@example(
    [{"name": "\x1f", "label": " ", "description": "\x1f", "inputs": [], "outputs": []}]
)
def test_any_describes_parse_or_fail_cleanly_and_always_render_valid_code(
    bodies: list[Any],
) -> None:
    specs = []
    for index, body in enumerate(bodies):
        try:
            specs.append(
                parse_describe(
                    body, origin=f"flows/{index}.json", warn=lambda message: None
                )
            )
        except SourceError:
            continue
    rendered = plan.render_package(specs, package="fuzzed", api_version="62.0")
    mode = black.Mode(line_length=layout.LINE_LENGTH)
    for path, data in rendered.files.items():
        if path.endswith(".py"):
            source = data.decode("utf-8")
            tree = ast.parse(source, path)
            assert not any(
                isinstance(node, ast.Name) and node.id == "__import__"
                for node in ast.walk(tree)
            )
            if path.startswith("flows/") and path != "flows/__init__.py":
                assert black.format_str(source, mode=mode) == source, path
