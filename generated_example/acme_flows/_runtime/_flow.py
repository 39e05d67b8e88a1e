"""One flow as its generated module describes it, and the result of one input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from ._codecs import WireObject, with_keys
from ._errors import (
    FlowConfigError,
    FlowError,
    FlowInterviewError,
    FlowResponseError,
    SalesforceError,
    salesforce_errors,
)

DEFAULT_API_VERSION = "62.0"

_InT = TypeVar("_InT")
_OutT = TypeVar("_OutT")

# The keys every answer's outputValues carries besides the flow's outputs.
INTERVIEW_KEYS = ("Flow__InterviewStatus", "Flow__InterviewGuid")


@dataclasses.dataclass(frozen=True, slots=True)
class FlowResult(Generic[_OutT]):
    """The outcome of one input of a bulk call.

    ``output`` when the flow ran and succeeded; ``errors`` when it ran and
    failed; ``exception`` when the request carrying this input failed as a
    whole (a :class:`FlowTransportError` says whether the flow may have run),
    or was not sent because an earlier one ended in a session or limit error.
    """

    flow_name: str
    index: int  # the input's position in the list the bulk call was given
    output: _OutT | None
    errors: tuple[SalesforceError, ...] = ()
    exception: FlowError | None = None

    @property
    def is_success(self) -> bool:
        return self.output is not None

    def unwrap(self) -> _OutT:
        """The output, or the error: :class:`FlowInterviewError` when the flow
        failed for this input, the request's own error when that failed."""
        if self.exception is not None:
            raise self.exception
        if self.output is None:
            raise FlowInterviewError(self.flow_name, self.index, self.errors)
        return self.output


class Flow(Generic[_InT, _OutT]):
    """A flow's name and the two functions its module writes out for it.

    ``to_wire`` turns one Input into the JSON object of one element of
    ``inputs``; ``from_wire`` turns one answer's ``outputValues`` into the
    Output. ``output_keys`` are the keys ``from_wire`` reads, so that an
    answer holding one in another case can be read all the same.
    """

    def __init__(
        self,
        name: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        to_wire: Callable[[_InT], WireObject],
        from_wire: Callable[[WireObject], _OutT],
        output_keys: Sequence[str],
    ) -> None:
        self.name = name
        # The REST API version the module was generated against; a client
        # built without an api_version calls each flow at its own.
        self.api_version = api_version
        self._to_wire = to_wire
        self._from_wire = from_wire
        self._output_keys = (*output_keys, *INTERVIEW_KEYS)
        self._all_keys = frozenset(self._output_keys)

    def __repr__(self) -> str:
        return f"Flow({self.name!r})"

    def encode(self, values: Sequence[_InT], batch_size: int) -> list[list[WireObject]]:
        """Every input's JSON object, ``batch_size`` to a chunk.

        All are encoded before anything is sent: a bad value at the end must
        not fail the call after earlier chunks already ran.
        """
        if batch_size < 1:
            raise FlowConfigError("batch_size must be at least 1")
        to_wire = self._to_wire
        try:
            encoded = [to_wire(value) for value in values]
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self.name}: {exc}") from exc
        return [
            encoded[start : start + batch_size]
            for start in range(0, len(encoded), batch_size)
        ]

    def results(
        self, start: int, answers: Sequence[Mapping[str, Any]]
    ) -> list[FlowResult[_OutT]]:
        """One result per answer of a chunk whose first input was ``start``."""
        name = self.name
        output = self.output
        results: list[FlowResult[_OutT]] = []
        for index, answer in enumerate(answers, start):
            success = answer.get("isSuccess")
            if success is True:
                values = answer.get("outputValues")
                results.append(FlowResult(name, index, output(values)))
                continue
            errors = salesforce_errors(answer.get("errors"))
            # No isSuccess at all and no errors: read it as a success.
            if success is None and not errors:
                values = answer.get("outputValues")
                results.append(FlowResult(name, index, output(values)))
            else:
                results.append(FlowResult(name, index, None, errors))
        return results

    def output(self, values: object) -> _OutT:
        """One answer's ``outputValues`` to the Output."""
        if values is None:
            values = {}
        elif type(values) is not dict:
            raise FlowResponseError(
                f"flow {self.name!r}: outputValues is a {type(values).__name__}, "
                "not a JSON object"
            )
        found = cast("WireObject", values)
        if not self._all_keys.issubset(found):
            found = with_keys(found, self._output_keys)
        try:
            return self._from_wire(found)
        except (TypeError, ValueError) as exc:
            raise FlowResponseError(f"flow {self.name!r}: {exc}") from exc

    def failed(self, start: int, count: int, exc: FlowError) -> list[FlowResult[_OutT]]:
        """The results of a chunk whose request failed as a whole."""
        return [FlowResult(self.name, start + i, None, (), exc) for i in range(count)]
