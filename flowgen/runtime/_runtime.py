"""Runtime for flowgen-generated packages: the REST call, the codecs and the errors.

flowgen copies this module verbatim into every generated package as
``_runtime.py``. It needs only the standard library and httpx, and it imports
nothing from flowgen, so a generated package runs where flowgen is not installed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime
import decimal
import inspect
import ipaddress
import json
import keyword
import logging
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar

import httpx

__all__ = [
    "ApiLimitError",
    "AsyncFlowClient",
    "AsyncTokenProvider",
    "DEFAULT_API_VERSION",
    "FlowClient",
    "FlowConfigError",
    "FlowError",
    "FlowHTTPError",
    "FlowInterviewError",
    "FlowResponseError",
    "FlowResult",
    "FlowTransportError",
    "SalesforceError",
    "SessionExpiredError",
    "TokenProvider",
    "UNSET",
    "Unset",
]

DEFAULT_API_VERSION: Final = "62.0"
# A flow may run for a while before it answers; connecting should not.
DEFAULT_TIMEOUT: Final = httpx.Timeout(120.0, connect=10.0)
DEFAULT_BATCH_SIZE: Final = 200
# Resends after a refused connection: nothing was sent, so nothing ran.
DEFAULT_CONNECT_RETRIES: Final = 2

# Under the generated package's own name (``acme_flows``), so an app can
# turn these debug lines on for that package alone.
_log = logging.getLogger(__package__ or __name__)

_T = TypeVar("_T")
_OutT = TypeVar("_OutT")


# -- errors ---------------------------------------------------------------------


class FlowError(Exception):
    """Root of every error the generated package raises."""


class FlowConfigError(FlowError):
    """The client is not set up right (a missing setting, an unsafe URL)."""


class FlowTransportError(FlowError):
    """The request did not complete: no connection, a timeout, a dropped line.

    ``may_have_run`` is False only when the request provably never reached
    Salesforce; when True the flow may have run, so it is not resent.
    """

    def __init__(self, message: str, *, flow_name: str, may_have_run: bool) -> None:
        super().__init__(message)
        self.flow_name = flow_name
        self.may_have_run = may_have_run


class FlowHTTPError(FlowError):
    """Salesforce refused the whole request with an HTTP error."""

    def __init__(
        self,
        message: str,
        *,
        flow_name: str,
        status_code: int,
        error_code: str | None,
        sf_message: str | None,
    ) -> None:
        super().__init__(message)
        self.flow_name = flow_name
        self.status_code = status_code
        self.error_code = error_code
        self.sf_message = sf_message


class SessionExpiredError(FlowHTTPError):
    """401 ``INVALID_SESSION_ID``: the access token expired or was revoked."""


class ApiLimitError(FlowHTTPError):
    """403 ``REQUEST_LIMIT_EXCEEDED``: the org used up its API requests."""


class FlowResponseError(FlowError):
    """Salesforce answered in a shape the runtime cannot read."""


@dataclasses.dataclass(frozen=True)
class SalesforceError:
    """One error Salesforce reported for one flow input."""

    status_code: str | None
    message: str | None
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.status_code or 'ERROR'}: {self.message or '(no message)'}"
        return f"{text} (fields: {', '.join(self.fields)})" if self.fields else text


class FlowInterviewError(FlowError):
    """The flow ran for this input and failed (its fault path, a validation rule...)."""

    def __init__(
        self, flow_name: str, index: int, errors: Sequence[SalesforceError]
    ) -> None:
        details = (
            "; ".join(str(error) for error in errors) or "no error details were given"
        )
        super().__init__(
            f"flow {flow_name!r} failed for input {index}: {details}. "
            "Check the input values, or the flow's fault handling in Setup > Flows."
        )
        self.flow_name = flow_name
        self.index = index
        self.errors = tuple(errors)


# -- unset ----------------------------------------------------------------------


class Unset:
    """The type of :data:`UNSET`: an input the caller did not pass.

    Unset inputs are left out of the request, so the flow variable keeps its
    default; ``None`` is sent as ``null``.
    """

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset()


# -- codecs ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Codec:
    """Converts one flow variable between Python values and JSON values.

    ``same`` is the type whose values need no converting either way (``str``
    for strings): bulk calls pass those on without calling the codec.
    """

    name: str
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    same: type | None = None


def _expect(value: Any, types: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and bool not in (
        types if isinstance(types, tuple) else (types,)
    ):
        raise TypeError(f"expected {what}, got bool")
    if not isinstance(value, types):
        raise TypeError(f"expected {what}, got {type(value).__name__}")


def _encode_str(value: Any) -> str:
    if type(value) is str:  # the common case, checked first: bulk calls are hot
        return value
    _expect(value, str, "str")
    return str(value)


def _decode_str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _encode_bool(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    _expect(value, bool, "bool")
    return bool(value)


def _decode_bool(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    _expect(value, bool, "a boolean")
    return bool(value)


def _encode_int(value: Any) -> int:
    if type(value) is int:
        return value
    _expect(value, int, "int")
    return int(value)


def _decode_int(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        return int(value)
    _expect(value, int, "an integer")
    return int(value)


def _encode_float(value: Any) -> float:
    _expect(value, (int, float), "float")
    return float(value)


def _decode_float(value: Any) -> float:
    if isinstance(value, str):
        return float(value)
    _expect(value, (int, float, decimal.Decimal), "a number")
    return float(value)


def _encode_decimal(value: Any) -> decimal.Decimal:
    # Currency never goes through float: 0.1 + 0.2 must stay 0.3 on the wire.
    if isinstance(value, float):
        raise TypeError(
            "expected decimal.Decimal or int, got float (use decimal.Decimal('...'))"
        )
    _expect(value, (decimal.Decimal, int), "decimal.Decimal")
    result = decimal.Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{result} cannot be sent to Salesforce")
    return result


def _decode_decimal(value: Any) -> decimal.Decimal:
    # Responses are parsed with parse_float=Decimal, so no digit was lost.
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    _expect(value, (decimal.Decimal, int, str), "a number")
    try:
        return decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def _encode_date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        raise TypeError("expected datetime.date, got datetime.datetime (use .date())")
    _expect(value, datetime.date, "datetime.date")
    return str(value.isoformat())


def _decode_date(value: Any) -> datetime.date:
    _expect(value, str, "a date string")
    return datetime.date.fromisoformat(value[:10])


def _encode_datetime(value: Any) -> str:
    _expect(value, datetime.datetime, "datetime.datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "naive datetime: Salesforce needs a time zone "
            "(e.g. datetime.datetime.now(datetime.timezone.utc))"
        )
    utc = value.astimezone(datetime.timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def _decode_datetime(value: Any) -> datetime.datetime:
    _expect(value, str, "a datetime string")
    match = _DATETIME.match(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 datetime: {value!r}")
    day, hour, minute, second, fraction, zone = match.groups()
    tz = (
        datetime.timezone.utc
    )  # Salesforce always sends UTC; a bare value is taken as UTC
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = datetime.timezone(sign * offset)
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day),
        datetime.time(int(hour), int(minute), int(second or 0), micros),
        tzinfo=tz,
    )


def _encode_time(value: Any) -> str:
    _expect(value, datetime.time, "datetime.time")
    if value.utcoffset():
        raise ValueError(
            "Salesforce times have no time zone; pass a naive datetime.time"
        )
    return f"{value:%H:%M:%S}.{value.microsecond // 1000:03d}Z"


_TIME = re.compile(
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)


def _decode_time(value: Any) -> datetime.time:
    _expect(value, str, "a time string")
    match = _TIME.match(value.strip())
    if match is None:
        raise ValueError(f"not a time: {value!r}")
    hour, minute, second, fraction, _zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime.time(int(hour), int(minute), int(second or 0), micros)


def _encode_multipicklist(value: Any) -> str:
    if isinstance(value, str):
        raise TypeError("expected a list of str, got str")
    _expect(value, (list, tuple), "list[str]")
    items = [_encode_str(item) for item in value]
    if any(";" in item for item in items):
        raise ValueError("multi-select picklist values cannot contain ';'")
    return ";".join(items)


def _decode_multipicklist(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_decode_str(item) for item in value]
    _expect(value, str, "a ';'-separated string")
    return [item for item in value.split(";") if item]


def _passthrough(value: Any) -> Any:
    return value


STRING: Final = Codec("string", _encode_str, _decode_str, str)
BOOLEAN: Final = Codec("boolean", _encode_bool, _decode_bool, bool)
INTEGER: Final = Codec("integer", _encode_int, _decode_int, int)
FLOAT: Final = Codec("float", _encode_float, _decode_float)
DECIMAL: Final = Codec("decimal", _encode_decimal, _decode_decimal)
DATE: Final = Codec("date", _encode_date, _decode_date)
DATETIME: Final = Codec("datetime", _encode_datetime, _decode_datetime)
TIME: Final = Codec("time", _encode_time, _decode_time)
MULTIPICKLIST: Final = Codec(
    "multipicklist", _encode_multipicklist, _decode_multipicklist
)
ANY: Final = Codec("any", _passthrough, _passthrough)


def record(sobject_type: str | None) -> Codec:
    """The codec of an sObject record: sent with ``attributes.type`` set."""

    def encode(value: Any) -> dict[str, Any]:
        _expect(value, Mapping, "a record (a mapping of field names to values)")
        body = dict(value)
        attributes = body.get("attributes")
        attributes = dict(attributes) if isinstance(attributes, Mapping) else {}
        if sobject_type is None:
            if not isinstance(attributes.get("type"), str):
                raise ValueError(
                    "this record needs attributes={'type': '<sObject name>'}"
                )
        elif attributes.setdefault("type", sobject_type) != sobject_type:
            raise ValueError(
                f"expected a {sobject_type} record, got {attributes['type']!r}"
            )
        body["attributes"] = attributes
        return body

    def decode(value: Any) -> dict[str, Any]:
        _expect(value, Mapping, "a record object")
        return dict(value)

    return Codec(f"record({sobject_type})", encode, decode)


def list_of(item: Codec) -> Codec:
    """The codec of a collection variable of ``item``."""

    def encode(value: Any) -> list[Any]:
        if isinstance(value, (str, bytes, Mapping)):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        _expect(value, (list, tuple), "a list")
        return [None if element is None else item.encode(element) for element in value]

    def decode(value: Any) -> list[Any]:
        _expect(value, list, "a list")
        return [None if element is None else item.decode(element) for element in value]

    return Codec(f"list[{item.name}]", encode, decode)


# Apex-defined types flowgen could read: generated dataclass -> (Apex name,
# members). Filled by the package's apex_types module as it is imported.
_APEX_TYPES: dict[Any, tuple[str, tuple[Field, ...]]] = {}


def register_apex(cls: type, name: str, members: Sequence[Field]) -> None:
    """Record how the dataclass ``cls`` stands for the Apex class ``name``."""
    _APEX_TYPES[cls] = (name, tuple(members))


def apex(cls: Any) -> Codec:
    """The codec of an Apex-defined type.

    For a registered dataclass: its members by their Apex names, each through
    its own codec (nested types and lists of them too). For a type flowgen
    could not read (``cls`` is then a dict alias), the dict as it is.
    Looked up at each call, so types may refer to each other in any order.
    """

    def encode(value: Any) -> Any:
        found = _APEX_TYPES.get(cls)
        if found is None:
            _expect(value, Mapping, "a dict of the Apex class's members")
            return dict(value)
        name, members = found
        if isinstance(value, Mapping):  # the wire shape, given as it is
            return dict(value)
        _expect(value, cls, name)
        body: dict[str, Any] = {}
        for member in members:
            item = getattr(value, member.attr)
            body[member.wire] = None if item is None else member.codec.encode(item)
        return body

    def decode(value: Any) -> Any:
        found = _APEX_TYPES.get(cls)
        _expect(value, Mapping, "an Apex object")
        if found is None:
            return dict(value)
        _, members = found
        # Apex names are case-insensitive: so are the keys of its JSON.
        folded: dict[str, Any] | None = None
        fields: dict[str, Any] = {}
        for member in members:
            raw = value.get(member.wire, _ABSENT)
            if raw is _ABSENT:
                if folded is None:
                    folded = {str(key).lower(): item for key, item in value.items()}
                raw = folded.get(member.wire.lower())
            fields[member.attr] = None if raw is None else member.codec.decode(raw)
        return cls(**fields)

    return Codec(f"apex({getattr(cls, '__name__', 'dict')})", encode, decode)


# -- bindings -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Field:
    """A flow variable: its Python attribute, its wire name and its codec."""

    attr: str
    wire: str
    codec: Codec


# The fields every Output ends with: what Salesforce says of the interview.
_INTERVIEW_FIELDS: Final = (
    Field("interview_status", "Flow__InterviewStatus", STRING),
    Field("interview_guid", "Flow__InterviewGuid", STRING),
)


class FlowResult(tuple[Any, ...], Generic[_T]):
    """The outcome of one input of a bulk call.

    ``output`` when the flow ran and succeeded; ``errors`` when it ran and
    failed; ``exception`` when the request carrying this input failed as a
    whole (a :class:`FlowTransportError` says whether the flow may have run),
    or was not sent because an earlier one ended in a session or limit error.

    Immutable: a tuple underneath, as a named tuple is, because a bulk call
    makes one per input. A tuple of plain values is the cheapest object
    CPython builds, and the cyclic collector stops looking at it after its
    first pass, where it would walk every other kind of object each time.
    A FlowResult equals only another FlowResult with the same fields.
    """

    __slots__ = ()
    __match_args__ = ("flow_name", "index", "output", "errors", "exception")

    def __new__(
        cls,
        flow_name: str,
        index: int,
        output: _T | None,
        errors: tuple[SalesforceError, ...] = (),
        exception: FlowError | None = None,
    ) -> FlowResult[_T]:
        return tuple.__new__(cls, (flow_name, index, output, errors, exception))

    @property
    def flow_name(self) -> str:
        return self[0]  # type: ignore[no-any-return]

    @property
    def index(self) -> int:  # type: ignore[override]
        """The input's position in the list the bulk call was given."""
        return self[1]  # type: ignore[no-any-return]

    @property
    def output(self) -> _T | None:
        return self[2]  # type: ignore[no-any-return]

    @property
    def errors(self) -> tuple[SalesforceError, ...]:
        return self[3]  # type: ignore[no-any-return]

    @property
    def exception(self) -> FlowError | None:
        return self[4]  # type: ignore[no-any-return]

    @property
    def is_success(self) -> bool:
        return self[2] is not None

    def unwrap(self) -> _T:
        """The output, or the error: :class:`FlowInterviewError` when the flow
        failed for this input, the request's own error when that failed."""
        if self.exception is not None:
            raise self.exception
        if self.output is None:
            raise FlowInterviewError(self.flow_name, self.index, self.errors)
        return self.output

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(self.__match_args__, self, strict=True)
        )
        return f"FlowResult({fields})"


class FlowBinding(Generic[_OutT]):
    """One flow as generated code sees it: its name, variables and Output class."""

    def __init__(
        self,
        name: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        inputs: Sequence[Field],
        outputs: Sequence[Field],
        output_type: Callable[..., _OutT],
    ) -> None:
        self.name = name
        # The REST API version the binding was generated against; a client
        # built without an api_version calls each flow at its own.
        self.api_version = api_version
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.output_type = output_type
        # What encode and decode read per field, unpacked once: bulk calls are hot.
        self._encoders = [
            (f.attr, f.wire, f.codec.encode, f.codec.same) for f in self.inputs
        ]
        # The Output is a named tuple: its fields in order, each read from
        # the answer under its wire name.
        fields = getattr(output_type, "_fields", None)
        by_attr = {f.attr: f for f in (*self.outputs, *_INTERVIEW_FIELDS)}
        if not (
            isinstance(output_type, type)
            and issubclass(output_type, tuple)
            and isinstance(fields, tuple)
            and set(fields) == set(by_attr)
        ):
            raise FlowConfigError(
                f"flow {name!r}: output_type must be a NamedTuple with a field for "
                f"each output and interview_status, interview_guid: {sorted(by_attr)}"
            )
        self._decoders = [
            (by_attr[name].wire, by_attr[name].codec.decode, by_attr[name].codec.same)
            for name in fields
        ]
        self._stand_ins: dict[tuple[str, ...], dict[str, str | None]] = {}
        # The loops a bulk call runs per input, written out for this flow.
        self._encode_fast = _compile_encode(self)
        self._results_fast = _compile_results(self)

    def encode(self, value: object) -> dict[str, Any]:
        """One Input dataclass to its wire object; UNSET inputs are left out."""
        return self._encode_fast(value)

    def _encode_each(self, value: object) -> dict[str, Any]:
        # The loop _compile_encode writes out; it names the input a bad value
        # was given for, so the compiled code falls back on it to raise.
        body: dict[str, Any] = {}
        # getattr: generated Inputs are slotted, and any object with the
        # attributes will do.
        for attr, wire, encode, same in self._encoders:
            item = getattr(value, attr)
            if item is UNSET:
                continue
            if item is None or type(item) is same:
                body[wire] = item
                continue
            try:
                body[wire] = encode(item)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{self.name}: input {attr!r}: {exc}") from None
        return body

    def decode(self, values: Mapping[str, Any] | None) -> _OutT:
        """``outputValues`` of one result to the Output named tuple."""
        if values is None:
            values = {}
        elif not isinstance(values, Mapping):
            raise FlowResponseError(
                f"flow {self.name!r}: outputValues is a {type(values).__name__}, "
                "not a JSON object"
            )
        get = values.get
        items: list[Any] = []
        append = items.append
        try:
            for key, decode, same in self._decoders:
                raw = get(key, _ABSENT)
                if raw is _ABSENT:
                    raw = self._missing(values, key)
                if raw is not None and type(raw) is not same:
                    raw = decode(raw)
                append(raw)
        except (TypeError, ValueError) as exc:
            codec = next(
                f.codec.name
                for f in (*self.outputs, *_INTERVIEW_FIELDS)
                if f.wire == key
            )
            raise FlowResponseError(
                f"flow {self.name!r}: output {key!r} could not be read as {codec}: {exc}"
            ) from None
        return _tuple_new(self.output_type, items)  # type: ignore[no-any-return]

    def _missing(self, values: Mapping[str, Any], key: str) -> Any:
        # An output the answer lacks, or holds under its name in another case
        # (the wire is lenient). The answers of one flow share their keys, so
        # which key stands in for each output missing is worked out once per
        # set of keys, not once per answer.
        shape = tuple(values)
        stand_ins = self._stand_ins.get(shape)
        if stand_ins is None:
            folded = {name.lower(): name for name in reversed(shape)}
            stand_ins = {
                wire: folded.get(wire.lower())
                for wire, _, _ in self._decoders
                if wire not in values
            }
            if len(self._stand_ins) < 64:
                self._stand_ins[shape] = stand_ins
        stand_in = stand_ins.get(key)
        return None if stand_in is None else values[stand_in]

    def run(self, client: FlowClient, value: object) -> _OutT:
        """Invoke the flow for one input; raise if it failed."""
        (result,) = self.run_many(client, [value])
        return result.unwrap()

    async def run_async(self, client: AsyncFlowClient, value: object) -> _OutT:
        """Invoke the flow for one input; raise if it failed."""
        (result,) = await self.run_many_async(client, [value])
        return result.unwrap()

    def run_many(
        self,
        client: FlowClient,
        values: Sequence[object],
        *,
        batch_size: int | None = None,
        max_in_flight: int | None = None,
    ) -> list[FlowResult[_OutT]]:
        """Invoke the flow for many inputs: one result per input, in order.

        Inputs go ``batch_size`` to a request, up to ``max_in_flight`` requests
        at a time (the client's settings unless given here).
        """
        chunks = self._chunks(values, batch_size or client.batch_size)
        fatal: list[FlowError] = []  # once set, chunks not yet sent stay unsent

        def send(chunk: tuple[int, list[dict[str, Any]]]) -> list[FlowResult[_OutT]]:
            start, elements = chunk
            if fatal:
                return self._failed(start, len(elements), fatal[0])
            try:
                answers = client.invoke(
                    self.name, elements, api_version=self.api_version
                )
            except FlowError as exc:
                if _stops_the_rest(exc):
                    fatal.append(exc)
                return self._failed(start, len(elements), exc)
            return self._results_fast(start, answers)

        in_flight = min(max_in_flight or client.max_in_flight, len(chunks))
        if in_flight <= 1:
            per_chunk = [send(chunk) for chunk in chunks]
        else:
            with concurrent.futures.ThreadPoolExecutor(in_flight) as pool:
                per_chunk = list(pool.map(send, chunks))
        return [result for results in per_chunk for result in results]

    async def run_many_async(
        self,
        client: AsyncFlowClient,
        values: Sequence[object],
        *,
        batch_size: int | None = None,
        max_in_flight: int | None = None,
    ) -> list[FlowResult[_OutT]]:
        """:meth:`run_many` for an :class:`AsyncFlowClient`."""
        chunks = self._chunks(values, batch_size or client.batch_size)
        gate = asyncio.Semaphore(max(1, max_in_flight or client.max_in_flight))
        fatal: list[FlowError] = []

        async def send(
            start: int, elements: list[dict[str, Any]]
        ) -> list[FlowResult[_OutT]]:
            async with gate:
                if fatal:
                    return self._failed(start, len(elements), fatal[0])
                try:
                    answers = await client.invoke(
                        self.name, elements, api_version=self.api_version
                    )
                except FlowError as exc:
                    if _stops_the_rest(exc):
                        fatal.append(exc)
                    return self._failed(start, len(elements), exc)
            # Let the next chunk's request go out before decoding this answer,
            # so the org is never kept waiting on our decoding.
            await asyncio.sleep(0)
            return self._results_fast(start, answers)

        per_chunk = await asyncio.gather(*(send(start, els) for start, els in chunks))
        return [result for results in per_chunk for result in results]

    def _chunks(
        self, values: Sequence[object], size: int
    ) -> list[tuple[int, list[dict[str, Any]]]]:
        # Every input is encoded before anything is sent: a bad value at the
        # end must not fail the call after earlier chunks already ran.
        if size < 1:
            raise FlowConfigError("batch_size must be at least 1")
        encode = self._encode_fast
        encoded = [encode(value) for value in values]
        return [
            (start, encoded[start : start + size])
            for start in range(0, len(encoded), size)
        ]

    def _failed(
        self, start: int, count: int, exc: FlowError
    ) -> list[FlowResult[_OutT]]:
        return [FlowResult(self.name, start + i, None, (), exc) for i in range(count)]

    def _result(self, index: int, element: Mapping[str, Any]) -> FlowResult[_OutT]:
        # An answer not marked "isSuccess": true; _compile_results writes the
        # loop that reads the others.
        errors = _errors(element.get("errors"))
        if element.get("isSuccess") is None and not errors:
            return FlowResult(
                self.name, index, self.decode(element.get("outputValues"))
            )
        return FlowResult(self.name, index, None, errors)


# Results and Outputs of answers are made with tuple.__new__, not through
# their constructors: keyword calls cost more, in a bulk call of thousands,
# than decoding the values. The object is the one the constructor would
# make; a test holds them equal.
_tuple_new: Final[Callable[..., Any]] = tuple.__new__
_ABSENT: Final = object()


# -- compiled loops -------------------------------------------------------------
#
# A bulk call encodes every input and decodes every answer, and a loop over a
# flow's fields costs, per field, more than the work it does. So each binding
# writes out its two loops once, as dataclasses and namedtuple write their
# methods, and compiles them. Only names of the runtime's own making and Input
# attribute names that are plain ASCII identifiers are spelt in the source;
# wire names, other attribute names, codecs and classes reach it as values in
# its namespace, so no text from the org is ever compiled.


def _compile(source: str, namespace: dict[str, Any], name: str) -> Any:
    exec(compile(source, f"<flowgen {name}>", "exec"), namespace)
    return namespace[name]


def _compile_encode(binding: FlowBinding[Any]) -> Callable[[object], dict[str, Any]]:
    namespace: dict[str, Any] = {"UNSET": UNSET, "each": binding._encode_each}
    lines = ["def encode(value):", "    body = {}", "    try:", "        pass"]
    for i, (attr, wire, encode, same) in enumerate(binding._encoders):
        namespace.update({f"wire{i}": wire, f"encode{i}": encode, f"same{i}": same})
        # value.name for a name spelt the same in any source (ASCII, so no
        # normalising changes it); getattr for any other attribute.
        if attr.isascii() and attr.isidentifier() and not keyword.iskeyword(attr):
            read = f"value.{attr}"
        else:
            namespace[f"attr{i}"] = attr
            read = f"getattr(value, attr{i})"
        lines += [
            f"        item = {read}",
            "        if item is not UNSET:",
            f"            if item is None or type(item) is same{i}:",
            f"                body[wire{i}] = item",
            "            else:",
            f"                body[wire{i}] = encode{i}(item)",
        ]
    lines += [
        "    except (TypeError, ValueError):",
        "        each(value)  # raises the error that names the input",
        "        raise",
        "    return body",
    ]
    return _compile("\n".join(lines), namespace, "encode")  # type: ignore[no-any-return]


def _compile_results(
    binding: FlowBinding[_OutT],
) -> Callable[[int, Sequence[Mapping[str, Any]]], list[FlowResult[_OutT]]]:
    namespace: dict[str, Any] = {
        "ABSENT": _ABSENT,
        "new": _tuple_new,
        "FlowResult": FlowResult,
        "Output": binding.output_type,
        "name": binding.name,
        "decode": binding.decode,
        "missing": binding._missing,
        "other": binding._result,
    }
    lines = [
        "def results(start, answers):",
        "    out = []",
        "    append = out.append",
        "    index = start",
        "    for element in answers:",
        '        if element.get("isSuccess") is not True:',
        "            append(other(index, element))",
        '        elif type(values := element.get("outputValues")) is not dict:',
        "            append(new(FlowResult, (name, index, decode(values), (), None)))",
        "        else:",
        "            get = values.get",
        "            try:",
    ]
    # An answer whose keys are all wire names of this flow holds no stand-in
    # (see FlowBinding._missing) for an output it lacks, unless two of them
    # differ only in case: the output was left out, and is None at once.
    wires = [wire for wire, _, _ in binding._decoders]
    left_out = ""
    if len({wire.lower() for wire in wires}) == len(wires):
        namespace["only_wires"] = frozenset(wires).issuperset
        left_out = "None if only_wires(values) else "
    for i, (wire, decode, same) in enumerate(binding._decoders):
        namespace.update({f"wire{i}": wire, f"decode{i}": decode, f"same{i}": same})
        lines += [
            f"                v{i} = get(wire{i}, ABSENT)",
            f"                if v{i} is ABSENT:",
            f"                    v{i} = {left_out}missing(values, wire{i})",
            f"                if v{i} is not None and type(v{i}) is not same{i}:",
            f"                    v{i} = decode{i}(v{i})",
        ]
    items = ", ".join(f"v{i}" for i in range(len(binding._decoders)))
    lines += [
        "            except (TypeError, ValueError):",
        "                decode(values)  # raises the error that names the output",
        "                raise",
        f"            output = new(Output, ({items},))",
        "            append(new(FlowResult, (name, index, output, (), None)))",
        "        index += 1",
        "    return out",
    ]
    return _compile("\n".join(lines), namespace, "results")  # type: ignore[no-any-return]


def _errors(raw: Any) -> tuple[SalesforceError, ...]:
    if not isinstance(raw, list):
        return ()
    errors = []
    for item in raw:
        if isinstance(item, Mapping):
            fields = item.get("fields")
            errors.append(
                SalesforceError(
                    status_code=_str_or_none(
                        item.get("statusCode") or item.get("errorCode")
                    ),
                    message=_str_or_none(item.get("message")),
                    fields=(
                        tuple(str(f) for f in fields)
                        if isinstance(fields, list)
                        else ()
                    ),
                )
            )
    return tuple(errors)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


# -- JSON -----------------------------------------------------------------------


def dumps(value: Any) -> str:
    """JSON text in which Decimal values keep every digit."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except TypeError:
        return "".join(_json_parts(value))


def _json_parts(value: Any) -> Iterator[str]:
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not valid JSON")
        yield str(value)
    elif isinstance(value, Mapping):
        yield "{"
        for position, (key, item) in enumerate(value.items()):
            yield ("," if position else "") + json.dumps(str(key)) + ":"
            yield from _json_parts(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for position, item in enumerate(value):
            if position:
                yield ","
            yield from _json_parts(item)
        yield "]"
    else:
        yield json.dumps(value, allow_nan=False)


# -- client ---------------------------------------------------------------------

_LOOPBACK_NAMES = frozenset({"localhost"})


def _check_instance_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise FlowConfigError(
            f"instance URL {url!r} is not an http(s) URL like https://acme.my.salesforce.com"
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise FlowConfigError(
            f"instance URL {url!r} uses plain http; the access token must travel over https"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


TokenProvider = Callable[[], str]
"""Returns a fresh access token; called when the org says the session expired."""

AsyncTokenProvider = Callable[[], "str | Awaitable[str]"]
"""A :data:`TokenProvider` that may also be a coroutine function."""


@dataclasses.dataclass
class _Tries:
    """The resend rules for one POST, shared by both clients.

    A flow run is not idempotent, so a request is sent again only when it
    provably did not run: the connection was refused before anything was
    sent, or the org refused the session (401) and a fresh token was got.
    ``unsafe_retries`` (0 unless the caller opts in) allows resending after
    failures where the flow may have run: timeouts, dropped connections,
    429 and 5xx answers.
    """

    connect_retries: int
    unsafe_retries: int
    refreshed: bool = False
    resent: int = 0

    def after_transport_error(self, exc: httpx.TransportError) -> float | None:
        """Seconds to wait before resending, or None: give up."""
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            if self.connect_retries > 0:
                self.connect_retries -= 1
                return self._pause()
        if self.unsafe_retries > 0:
            self.unsafe_retries -= 1
            return self._pause()
        return None

    def refresh_due(self, response: httpx.Response, can_refresh: bool) -> bool:
        """Whether to get a fresh token and resend (once per request)."""
        if response.status_code != 401 or not can_refresh or self.refreshed:
            return False
        self.refreshed = True
        return True

    def resend_due(self, response: httpx.Response) -> float | None:
        """Seconds to wait before resending after a failed answer, or None."""
        status = response.status_code
        if (status == 429 or status >= 500) and self.unsafe_retries > 0:
            self.unsafe_retries -= 1
            return self._pause()
        return None

    def _pause(self) -> float:
        self.resent += 1
        return min(4.0, 0.25 * 2.0 ** (self.resent - 1))


class _ClientSettings:
    """What both clients share: the org, the token and the call settings."""

    def __init__(
        self,
        instance_url: str,
        access_token: str | None,
        *,
        token_provider: Callable[[], Any] | None,
        api_version: str | None,
        timeout: float | httpx.Timeout,
        batch_size: int,
        max_in_flight: int,
        connect_retries: int,
        unsafe_retries: int,
    ) -> None:
        if not access_token and token_provider is None:
            raise FlowConfigError(
                "no access token given, and no token_provider to get one"
            )
        if batch_size < 1 or max_in_flight < 1:
            raise FlowConfigError("batch_size and max_in_flight must be at least 1")
        if connect_retries < 0 or unsafe_retries < 0:
            raise FlowConfigError("retry counts cannot be negative")
        self.instance_url = _check_instance_url(instance_url)
        # None: each flow is called at the API version it was generated for.
        self.api_version = api_version.removeprefix("v") if api_version else None
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self._token = access_token or ""
        self._token_provider = token_provider
        self._timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        self._connect_retries = connect_retries
        self._unsafe_retries = unsafe_retries

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(instance_url={self.instance_url!r}, "
            f"api_version={self.api_version!r})"
        )

    def flow_url(
        self, flow_name: str, *, api_version: str = DEFAULT_API_VERSION
    ) -> str:
        """The flow's REST URL; the client's own api_version, when set, wins."""
        version = self.api_version or api_version.removeprefix("v")
        quoted = urllib.parse.quote(flow_name, safe="")
        return (
            f"{self.instance_url}/services/data/v{version}/actions/custom/flow/{quoted}"
        )

    def _tries(self) -> _Tries:
        return _Tries(self._connect_retries, self._unsafe_retries)

    @staticmethod
    def _headers(token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    @staticmethod
    def _log(
        flow_name: str, count: int, outcome: str, started: float, attempt: int
    ) -> None:
        # Never the headers or the token: only what was called and how it went.
        if not _log.isEnabledFor(logging.DEBUG):
            return  # the common case: nothing to format on the hot path
        _log.debug(
            "flow %s: %d input(s), %s in %.0f ms%s",
            flow_name,
            count,
            outcome,
            (time.perf_counter() - started) * 1000,
            f" (attempt {attempt})" if attempt > 1 else "",
        )


class FlowClient(_ClientSettings):
    """Calls flows in one org through ``/services/data/vXX.X/actions/custom/flow``.

    Give ``access_token``, or a ``token_provider`` that returns a fresh one
    (called for the first request without a token, and once more when the
    org says the session expired). Pass an ``http_client`` to reuse your own
    connection pool, proxies or TLS settings; otherwise the client owns one
    and closes it in :meth:`close`. ``batch_size`` inputs go to a request in
    bulk calls, ``max_in_flight`` requests at a time. A request is resent
    only where it provably did not run, unless ``unsafe_retries`` says
    otherwise (see :class:`_Tries`).
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str | None = None,
        *,
        token_provider: TokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_in_flight: int = 1,
        connect_retries: int = DEFAULT_CONNECT_RETRIES,
        unsafe_retries: int = 0,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            instance_url,
            access_token,
            token_provider=token_provider,
            api_version=api_version,
            timeout=timeout,
            batch_size=batch_size,
            max_in_flight=max_in_flight,
            connect_retries=connect_retries,
            unsafe_retries=unsafe_retries,
        )
        self._refresh_lock = threading.Lock()
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()

    @classmethod
    def from_env(cls, **kwargs: Any) -> FlowClient:
        """A client from ``SF_INSTANCE_URL``, ``SF_ACCESS_TOKEN`` and ``SF_API_VERSION``."""
        url, token = _env_settings(kwargs)
        return cls(url, token, **kwargs)

    def __enter__(self) -> FlowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool, unless it was passed in."""
        if self._owns_http:
            self._http.close()

    def invoke(
        self,
        flow_name: str,
        inputs: Sequence[Mapping[str, Any]],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[Mapping[str, Any]]:
        """POST the inputs in one request; one raw result element per input, in order.

        Raises :class:`FlowHTTPError` (and subclasses) when Salesforce refuses
        the request as a whole, :class:`FlowTransportError` when it fails in
        transit.
        """
        content = dumps({"inputs": list(inputs)}).encode("utf-8")
        url = self.flow_url(flow_name, api_version=api_version)
        tries = self._tries()
        attempt = 0
        while True:
            attempt += 1
            token = self._token or self._fresh_token("")
            started = time.perf_counter()
            try:
                response = self._http.post(
                    url,
                    content=content,
                    headers=self._headers(token),
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                self._log(flow_name, len(inputs), type(exc).__name__, started, attempt)
                delay = tries.after_transport_error(exc)
                if delay is None:
                    raise _transport_error(flow_name, exc) from None
                time.sleep(delay)
                continue
            self._log(
                flow_name, len(inputs), f"HTTP {response.status_code}", started, attempt
            )
            if tries.refresh_due(response, self._token_provider is not None):
                self._fresh_token(token)
                continue
            delay = tries.resend_due(response)
            if delay is not None:
                time.sleep(delay)
                continue
            return _parse_invoke_response(flow_name, response, len(inputs))

    def _fresh_token(self, refused: str) -> str:
        with self._refresh_lock:
            if self._token != refused:  # another thread renewed it meanwhile
                return self._token
            if self._token_provider is None:
                raise FlowConfigError("no access token given, and no token_provider")
            token = self._token_provider()
            if not isinstance(token, str) or not token:
                raise FlowConfigError("the token_provider returned no token")
            self._token = token
            return token


class AsyncFlowClient(_ClientSettings):
    """:class:`FlowClient` for asyncio: the same settings over ``httpx.AsyncClient``.

    ``token_provider`` may be a plain function or a coroutine function.
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str | None = None,
        *,
        token_provider: AsyncTokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_in_flight: int = 4,
        connect_retries: int = DEFAULT_CONNECT_RETRIES,
        unsafe_retries: int = 0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            instance_url,
            access_token,
            token_provider=token_provider,
            api_version=api_version,
            timeout=timeout,
            batch_size=batch_size,
            max_in_flight=max_in_flight,
            connect_retries=connect_retries,
            unsafe_retries=unsafe_retries,
        )
        self._refresh_lock: asyncio.Lock | None = None  # made in the running loop
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()

    @classmethod
    def from_env(cls, **kwargs: Any) -> AsyncFlowClient:
        """A client from ``SF_INSTANCE_URL``, ``SF_ACCESS_TOKEN`` and ``SF_API_VERSION``."""
        url, token = _env_settings(kwargs)
        return cls(url, token, **kwargs)

    async def __aenter__(self) -> AsyncFlowClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def invoke(
        self,
        flow_name: str,
        inputs: Sequence[Mapping[str, Any]],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[Mapping[str, Any]]:
        """:meth:`FlowClient.invoke`, awaited."""
        content = dumps({"inputs": list(inputs)}).encode("utf-8")
        url = self.flow_url(flow_name, api_version=api_version)
        tries = self._tries()
        attempt = 0
        while True:
            attempt += 1
            token = self._token or await self._fresh_token("")
            started = time.perf_counter()
            try:
                response = await self._http.post(
                    url,
                    content=content,
                    headers=self._headers(token),
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                self._log(flow_name, len(inputs), type(exc).__name__, started, attempt)
                delay = tries.after_transport_error(exc)
                if delay is None:
                    raise _transport_error(flow_name, exc) from None
                await asyncio.sleep(delay)
                continue
            self._log(
                flow_name, len(inputs), f"HTTP {response.status_code}", started, attempt
            )
            if tries.refresh_due(response, self._token_provider is not None):
                await self._fresh_token(token)
                continue
            delay = tries.resend_due(response)
            if delay is not None:
                await asyncio.sleep(delay)
                continue
            return _parse_invoke_response(flow_name, response, len(inputs))

    async def _fresh_token(self, refused: str) -> str:
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if self._token != refused:  # another task renewed it meanwhile
                return self._token
            if self._token_provider is None:
                raise FlowConfigError("no access token given, and no token_provider")
            token = self._token_provider()
            if inspect.isawaitable(token):
                token = await token
            if not isinstance(token, str) or not token:
                raise FlowConfigError("the token_provider returned no token")
            self._token = token
            return token


def _env_settings(kwargs: dict[str, Any]) -> tuple[str, str]:
    url = os.environ.get("SF_INSTANCE_URL", "")
    token = os.environ.get("SF_ACCESS_TOKEN", "")
    missing = [
        name
        for name, value in (("SF_INSTANCE_URL", url), ("SF_ACCESS_TOKEN", token))
        if not value
    ]
    if missing:
        raise FlowConfigError(
            f"{' and '.join(missing)} not set; set them to your org's instance URL and an "
            "access token (e.g. from `sf org display --json`)"
        )
    version = os.environ.get("SF_API_VERSION")
    if version:
        kwargs.setdefault("api_version", version)
    return url, token


def _stops_the_rest(exc: FlowError) -> bool:
    # After these, every later request of a bulk call would fail the same way.
    return isinstance(exc, (SessionExpiredError, ApiLimitError, FlowConfigError))


def _transport_error(flow_name: str, exc: httpx.TransportError) -> FlowTransportError:
    # A refused or unresolved connection sent nothing; anything later may have run the flow.
    sent_nothing = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
    advice = (
        "nothing was sent; check the instance URL and the network"
        if sent_nothing
        else "the flow may have run; check in the org before trying again"
    )
    return FlowTransportError(
        f"flow {flow_name!r}: {type(exc).__name__}: {exc or 'no details'}; {advice}",
        flow_name=flow_name,
        may_have_run=not sent_nothing,
    )


def _parse_invoke_response(
    flow_name: str, response: httpx.Response, count: int
) -> list[Mapping[str, Any]]:
    status = response.status_code
    try:
        body: Any = json.loads(response.content, parse_float=decimal.Decimal)
    except ValueError:
        body = None
    # A partly failed call comes back 400 with the full per-input array.
    if (
        status in (200, 400)
        and isinstance(body, list)
        and body
        and all(
            # dict, not Mapping: json.loads makes dicts, and an ABC check per
            # element is a real cost in a bulk answer of thousands.
            type(item) is dict and ("isSuccess" in item or "outputValues" in item)
            for item in body
        )
    ):
        if len(body) != count:
            raise FlowResponseError(
                f"flow {flow_name!r}: sent {count} input(s) but got {len(body)} result(s)"
            )
        return body
    if status == 200:
        raise FlowResponseError(
            f"flow {flow_name!r}: HTTP 200 with an unreadable body: {_snippet(response)}"
        )
    raise _http_error(flow_name, status, body, response)


def _http_error(
    flow_name: str, status: int, body: Any, response: httpx.Response
) -> FlowHTTPError:
    first = (
        body[0]
        if isinstance(body, list) and body and isinstance(body[0], Mapping)
        else {}
    )
    if isinstance(body, Mapping):
        first = body
    error_code = _str_or_none(first.get("errorCode"))
    sf_message = _str_or_none(first.get("message"))
    said = (
        f"{error_code}: {sf_message}"
        if error_code or sf_message
        else _snippet(response)
    )
    what = f"flow {flow_name!r}: HTTP {status}: {said}"
    kwargs: dict[str, Any] = dict(
        flow_name=flow_name,
        status_code=status,
        error_code=error_code,
        sf_message=sf_message,
    )
    if status == 401:
        return SessionExpiredError(
            f"{what}. Log in again and use a fresh access token.", **kwargs
        )
    if status == 403 and error_code == "REQUEST_LIMIT_EXCEEDED":
        return ApiLimitError(
            f"{what}. The org has used its API requests for now; try again later "
            "or ask an admin about the limit.",
            **kwargs,
        )
    if status == 404:
        return FlowHTTPError(
            f"{what}. Is the flow active, autolaunched and visible to this user, "
            "and the bindings generated from this org?",
            **kwargs,
        )
    return FlowHTTPError(what, **kwargs)


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return (
        repr(text[:200] + ("..." if len(text) > 200 else ""))
        if text
        else "(empty body)"
    )
