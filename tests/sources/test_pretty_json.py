"""The snapshot's JSON writer gives exactly the stdlib's indented, sorted output."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowgen.sources import pretty_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=40,
)


@given(values)
def test_same_text_as_the_stdlib(value: Any) -> None:
    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    assert pretty_json.dumps(value) == expected


@pytest.mark.parametrize("bad", [{1: "x"}, {"a": object()}, [b"bytes"]])
def test_what_is_not_json_is_refused(bad: Any) -> None:
    with pytest.raises(TypeError):
        pretty_json.dumps(bad)


def test_a_describe_with_a_lone_surrogate_is_stored_escaped() -> None:
    from flowgen.sources.snapshot import describe_bytes

    body = {"label": "caf\u00e9 \ud800", "name": "F"}
    data = describe_bytes(body)
    assert json.loads(data.decode("utf-8")) == body
    assert (
        describe_bytes({"label": "caf\u00e9"}) == '{\n  "label": "café"\n}\n'.encode()
    )
