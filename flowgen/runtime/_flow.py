"""One flow as its generated module describes it, and the result of one input."""

from __future__ import annotations

import dataclasses
import functools
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
    subject,
)

DEFAULT_API_VERSION = "62.0"

_InT = TypeVar("_InT")
_OutT = TypeVar("_OutT")


class Request(NamedTuple):
    """One request of a bulk call: where its inputs start, how many, its body."""

    start: int
    size: int  # inputs in the body
    content: bytes


# The keys every flow answer's outputValues carries besides the flow's outputs.
INTERVIEW_KEYS = ("Flow__InterviewStatus", "Flow__InterviewGuid")
# Where flows are invoked: actions/custom/flow/<Name>. The org's other
# invocable actions take another path (custom/apex, standard...).
FLOW_PATH = "custom/flow"


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
    # actions/<path>: a flow, or another kind of action (for messages)
    path: str = dataclasses.field(default=FLOW_PATH, repr=False)

    @property
    def is_success(self) -> bool:
        return self.output is not None

    def unwrap(self) -> _OutT:
        """The output, or the error: :class:`FlowInterviewError` when the flow
        failed for this input, the request's own error when that failed."""
        if self.exception is not None:
            raise self.exception
        if self.output is None:
            raise FlowInterviewError(self.flow_name, self.index, self.errors, self.path)
        return self.output


class Flow(Generic[_InT, _OutT]):
    """A flow's name and the two functions its module writes out for it.

    ``to_json`` writes one Input as the JSON text of one element of
    ``inputs``; ``from_wire`` turns one answer's ``outputValues`` into the
    Output, reading each of ``output_keys`` by subscript; when one is
    missing, or in another case (Apex names are case-insensitive),
    ``from_wire`` is called again with every key found or set to None.
    """

    def __init__(
        self,
        name: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        to_json: Callable[[_InT], str],
        from_wire: Callable[[WireObject], _OutT],
        output_keys: Sequence[str],
        path: str = FLOW_PATH,
    ) -> None:
        self.name = name
        # actions/<path>/<name>: a flow, or another kind of invocable action.
        self.path = path
        # The REST API version the module was generated against; a client
        # built without an api_version calls each flow at its own.
        self.api_version = api_version
        self._to_json = to_json
        self._from_wire = from_wire
        extras = INTERVIEW_KEYS if path == FLOW_PATH else ()
        self._output_keys = (*output_keys, *extras)
        # A flow's results are made by the class itself, the fastest way.
        self._result: Callable[..., FlowResult[_OutT]] = (
            FlowResult
            if path == FLOW_PATH
            else functools.partial(FlowResult, path=path)
        )

    def __repr__(self) -> str:
        if self.path == FLOW_PATH:
            return f"Flow({self.name!r})"
        return f"Flow({self.name!r}, path={self.path!r})"

    @property
    def output_keys(self) -> tuple[str, ...]:
        """The outputs' wire keys, in the Output's field order (a flow's
        then INTERVIEW_KEYS)."""
        return self._output_keys

    def to_json(self, value: _InT) -> str:
        """One Input as the JSON text of one element of ``inputs``."""
        return self._to_json(value)

    def encode(self, values: Sequence[_InT], batch_size: int) -> list[Request]:
        """The request bodies for ``values``, ``batch_size`` inputs to each.

        All are made before anything is sent: a bad value at the end must
        not fail the call after earlier requests already ran.
        """
        if batch_size < 1:
            raise FlowConfigError("batch_size must be at least 1")
        to_json = self._to_json
        requests: list[Request] = []
        try:
            for start in range(0, len(values), batch_size):
                chunk = [to_json(value) for value in values[start : start + batch_size]]
                body = '{"inputs":[' + ",".join(chunk) + "]}"
                requests.append(Request(start, len(chunk), body.encode("utf-8")))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self.name}: {exc}") from exc
        return requests

    def results(
        self, start: int, answers: Sequence[Mapping[str, Any]]
    ) -> list[FlowResult[_OutT]]:
        """One result per answer of a chunk whose first input was ``start``."""
        name, from_wire, result = self.name, self._from_wire, self._result
        results: list[FlowResult[_OutT]] = []
        try:
            for index, answer in enumerate(answers, start):
                success = answer.get("isSuccess")
                errors = (
                    () if success is True else salesforce_errors(answer.get("errors"))
                )
                # No isSuccess at all and no errors: read it as a success.
                if success is True or (success is None and not errors):
                    values: object = answer.get("outputValues")
                    if type(values) is dict:
                        wire = cast("WireObject", values)
                        # from_wire reads each key by subscript: a KeyError
                        # means one is missing or in another case.
                        try:
                            output = from_wire(wire)
                        except KeyError:
                            output = from_wire(self._outputs(wire))
                    else:
                        output = from_wire(self._outputs(values))
                    results.append(result(name, index, output))
                else:
                    results.append(result(name, index, None, errors))
        except (KeyError, TypeError, ValueError) as exc:
            raise FlowResponseError(f"{subject(name, self.path)}: {exc}") from exc
        return results

    def output(self, values: object) -> _OutT:
        """One answer's ``outputValues`` to the Output."""
        (result,) = self.results(0, [{"isSuccess": True, "outputValues": values}])
        return result.unwrap()

    def _outputs(self, values: object) -> WireObject:
        # The slow path: no outputValues, or keys missing or in another case
        # than ours. Every output key is then there, None where not found.
        if values is None:
            empty: WireObject = {key: None for key in self._output_keys}
            return empty
        if type(values) is not dict:
            raise FlowResponseError(
                f"{subject(self.name, self.path)}: outputValues is a "
                f"{type(values).__name__}, "
                "not a JSON object"
            )
        return with_keys(cast("WireObject", values), self._output_keys)

    def failed(self, request: Request, exc: FlowError) -> list[FlowResult[_OutT]]:
        """The results of a request that failed as a whole."""
        start, count = request.start, request.size
        return [
            self._result(self.name, i, None, (), exc)
            for i in range(start, start + count)
        ]
