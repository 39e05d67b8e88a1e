"""One flow as its generated module describes it, and the result of one input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar, cast

from ._codecs import WireObject, with_keys
from ._errors import (
    FlowConfigError,
    FlowError,
    FlowInterviewError,
    FlowResponseError,
    SalesforceError,
    salesforce_errors,
)
from ._json import dumps

DEFAULT_API_VERSION = "62.0"

_InT = TypeVar("_InT")
_OutT = TypeVar("_OutT")


class Request(NamedTuple):
    """One request of a bulk call: where its inputs start, how many, its body."""

    start: int
    size: int  # inputs in the body
    content: bytes


# The keys every answer's outputValues carries besides the flow's outputs.
INTERVIEW_KEYS = ("Flow__InterviewStatus", "Flow__InterviewGuid")


# Not frozen: a frozen dataclass sets each field through object.__setattr__,
# which cost about 3% of a 2,000-input bulk call (bench/invoke.py).
@dataclasses.dataclass(slots=True)
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

    @property
    def output_keys(self) -> tuple[str, ...]:
        """The outputs' wire keys, in the Output's field order, then INTERVIEW_KEYS."""
        return self._output_keys

    def to_wire(self, value: _InT) -> WireObject:
        """One Input as one element of ``inputs``."""
        return self._to_wire(value)

    def encode(self, values: Sequence[_InT], batch_size: int) -> list[Request]:
        """The request bodies for ``values``, ``batch_size`` inputs to each.

        All are made before anything is sent: a bad value at the end must
        not fail the call after earlier requests already ran. Each chunk's
        wire dicts are let go once its JSON is written.
        """
        if batch_size < 1:
            raise FlowConfigError("batch_size must be at least 1")
        to_wire = self._to_wire
        requests: list[Request] = []
        try:
            for start in range(0, len(values), batch_size):
                chunk = [to_wire(value) for value in values[start : start + batch_size]]
                requests.append(Request(start, len(chunk), dumps({"inputs": chunk})))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self.name}: {exc}") from exc
        return requests

    def results(
        self, start: int, answers: Sequence[Mapping[str, Any]]
    ) -> list[FlowResult[_OutT]]:
        """One result per answer of a chunk whose first input was ``start``."""
        name, from_wire, keys = self.name, self._from_wire, self._all_keys
        results: list[FlowResult[_OutT]] = []
        try:
            for index, answer in enumerate(answers, start):
                success = answer.get("isSuccess")
                errors = (
                    () if success is True else salesforce_errors(answer.get("errors"))
                )
                # No isSuccess at all and no errors: read it as a success.
                if success is True or (success is None and not errors):
                    values: WireObject | None = answer.get("outputValues")
                    if type(values) is not dict or not keys.issubset(values):
                        values = self._outputs(values)
                    results.append(FlowResult(name, index, from_wire(values)))
                else:
                    results.append(FlowResult(name, index, None, errors))
        except (TypeError, ValueError) as exc:
            raise FlowResponseError(f"flow {name!r}: {exc}") from exc
        return results

    def output(self, values: object) -> _OutT:
        """One answer's ``outputValues`` to the Output."""
        (result,) = self.results(0, [{"isSuccess": True, "outputValues": values}])
        return result.unwrap()

    def _outputs(self, values: object) -> WireObject:
        # The slow path: no outputValues, or keys in another case than ours.
        if values is None:
            return {}
        if type(values) is not dict:
            raise FlowResponseError(
                f"flow {self.name!r}: outputValues is a {type(values).__name__}, "
                "not a JSON object"
            )
        return with_keys(cast("WireObject", values), self._output_keys)

    def failed(self, request: Request, exc: FlowError) -> list[FlowResult[_OutT]]:
        """The results of a request that failed as a whole."""
        start, count = request.start, request.size
        return [
            FlowResult(self.name, i, None, (), exc) for i in range(start, start + count)
        ]
