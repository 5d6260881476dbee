"""The REST-JSON wire format, read and written from a botocore service model.

This is the server half of what botocore does on the client: it routes an HTTP request to an
operation by its `http.method` and `http.requestUri` template, turns the URI labels, query
string, headers and JSON body back into the parameters the caller passed, and renders a handler's
result (or an error) as the response botocore will parse. Nothing here knows about SES itself,
so the same code serves the in-process hook and a loopback HTTP server.

Examples:
    >>> import botocore.session
    >>> model = botocore.session.get_session().get_service_model("sesv2")
    >>> op, params = decode_request(model, "GET", "/v2/email/identities/a%40b.com", "", {}, b"")
    >>> op, params
    ('GetEmailIdentity', {'EmailIdentity': 'a@b.com'})
    >>> status, headers, body = encode_response(model.operation_model(op),
    ...                                         {"IdentityType": "EMAIL_ADDRESS"})
    >>> status, body
    (200, b'{"IdentityType":"EMAIL_ADDRESS"}')
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import enum
import json
import math
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

__all__ = [
    "RequestDecodeError",
    "RouteAlias",
    "RouteNotFoundError",
    "aliases_between",
    "decode_request",
    "encode_error",
    "encode_response",
]

_JSON_CONTENT_TYPE = "application/json"
_NON_FINITE = ("NaN", "Infinity", "-Infinity")
_NON_FINITE_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


class RouteNotFoundError(LookupError):
    """No operation of the service model answers this method and path.

    Examples:
        >>> import botocore.session
        >>> model = botocore.session.get_session().get_service_model("sesv2")
        >>> decode_request(model, "GET", "/nowhere", "", {}, b"")
        Traceback (most recent call last):
        sesflow.testing._codec.RouteNotFoundError: no sesv2 operation answers GET /nowhere
    """


class RequestDecodeError(ValueError):
    """The request matched an operation but its content does not fit the operation's shapes.

    Examples:
        >>> import botocore.session
        >>> model = botocore.session.get_session().get_service_model("sesv2")
        >>> decode_request(model, "POST", "/v2/email/identities", "", {}, b"{not json")
        Traceback (most recent call last):
        sesflow.testing._codec.RequestDecodeError: ...
    """


# --- routing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteAlias:
    """Another route to an operation of the model: where an older or newer model sends it.

    `bindings` says where input members travel on this route, as `(member, location, wire
    name)` with the model's location names (`"uri"`, `"querystring"`, `"header"`) or
    `None` for the JSON body; members it does not name travel as the model says, unless the
    model binds them to its own route's URI or query string (they then go in the body).
    Shapes (types) always come from the model.

    Examples:
        ```python
        alias = RouteAlias("ListEmailIdentities", "GET", "/v2/email/identities",
                           (("PageSize", "querystring", "PageSize"),))
        op, params = decode_request(model, "GET", "/v2/email/identities", "PageSize=5", {}, b"",
                                    aliases=(alias,))
        assert (op, params) == ("ListEmailIdentities", {"PageSize": 5})
        ```
    """

    operation: str
    method: str
    request_uri: str
    bindings: tuple[tuple[str, str | None, str], ...] = ()


def aliases_between(model: ServiceModel, other: ServiceModel) -> tuple[RouteAlias, ...]:
    """The routes `other` uses for operations of `model` that `model` routes elsewhere.

    Examples:
        ```python
        aliases = aliases_between(newest_model, older_model)
        assert [a.operation for a in aliases] == ["ListEmailIdentities", ...]
        ```
    """
    found: list[RouteAlias] = []
    ours = set(model.operation_names)
    for name in other.operation_names:
        if name not in ours:
            continue
        theirs = other.operation_model(name)
        mine = model.operation_model(name)
        method = str(theirs.http.get("method", "POST")).upper()
        uri = str(theirs.http["requestUri"])
        if (method, uri) == (str(mine.http.get("method", "POST")).upper(), mine.http["requestUri"]):
            continue
        shape = theirs.input_shape
        members = set(mine.input_shape.members) if mine.input_shape is not None else set()
        bindings: list[tuple[str, str | None, str]] = []
        for member, member_shape in (shape.members if shape is not None else {}).items():
            if member in members:
                location = member_shape.serialization.get("location")
                bindings.append((member, location, _wire_name(member_shape, member)))
        found.append(RouteAlias(name, method, uri, tuple(bindings)))
    return tuple(found)


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    # Literal query parameters some templates carry (`/{Bucket}?uploads`); they must be present.
    static_query: tuple[tuple[str, str | None], ...]
    # Sorts more literal templates first, so `.../contacts/list` beats `.../contacts/{Email}`.
    rank: tuple[int, int, int, str]
    # An alias's member bindings; None for the model's own route.
    bindings: tuple[tuple[str, str | None, str], ...] | None = None


_LABEL = re.compile(r"(\{[^}]+\})")
_route_cache: weakref.WeakKeyDictionary[
    ServiceModel, dict[tuple[RouteAlias, ...], tuple[_Route, ...]]
] = weakref.WeakKeyDictionary()
_route_cache_lock = threading.Lock()


def _compile_route(operation: OperationModel) -> _Route:
    method = str(operation.http.get("method", "POST"))
    return _compile(operation.name, method, str(operation.http["requestUri"]))


def _compile_alias(alias: RouteAlias) -> _Route:
    return _compile(alias.operation, alias.method, alias.request_uri, alias.bindings)


def _compile(
    operation: str,
    method: str,
    template: str,
    bindings: tuple[tuple[str, str | None, str], ...] | None = None,
) -> _Route:
    path_template, _, query_template = template.partition("?")
    regex: list[str] = []
    labels: list[str] = []
    greedy = 0
    literal = 0
    for part in _LABEL.split(path_template):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if name.endswith("+"):
                greedy += 1
                labels.append(name[:-1])
                regex.append("(.+)")
            else:
                labels.append(name)
                regex.append("([^/]+)")
        elif part:
            literal += len(part.replace("/", ""))
            regex.append(re.escape(part))
    static_query = tuple(
        (key, value if sep else None)
        for key, sep, value in (item.partition("=") for item in query_template.split("&") if item)
    )
    return _Route(
        operation=operation,
        method=method.upper(),
        pattern=re.compile("".join(regex) + r"\Z"),
        labels=tuple(labels),
        static_query=static_query,
        rank=(greedy, len(labels), -literal, template),
        bindings=bindings,
    )


def _routes(service_model: ServiceModel, aliases: tuple[RouteAlias, ...]) -> tuple[_Route, ...]:
    with _route_cache_lock:
        per_model = _route_cache.setdefault(service_model, {})
        cached = per_model.get(aliases)
        if cached is None:
            compiled = (
                _compile_route(service_model.operation_model(name))
                for name in service_model.operation_names
            )
            known = set(service_model.operation_names)
            extra = (_compile_alias(alias) for alias in aliases if alias.operation in known)
            # The model's own routes first: an alias answers only what none of them does.
            cached = tuple(sorted(compiled, key=lambda route: route.rank)) + tuple(
                sorted(extra, key=lambda route: route.rank)
            )
            per_model[aliases] = cached
        return cached


def _route(
    service_model: ServiceModel,
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    aliases: tuple[RouteAlias, ...] = (),
) -> tuple[OperationModel, dict[str, str], _Route]:
    method = method.upper()
    for route in _routes(service_model, aliases):
        if route.method != method:
            continue
        match = route.pattern.match(path)
        if match is None:
            continue
        if any(
            key not in query or (value is not None and value not in query[key])
            for key, value in route.static_query
        ):
            continue
        labels = {
            name: unquote(raw) for name, raw in zip(route.labels, match.groups(), strict=True)
        }
        return service_model.operation_model(route.operation), labels, route
    raise RouteNotFoundError(f"no {service_model.service_name} operation answers {method} {path}")


# --- requests --------------------------------------------------------------------------------


def decode_request(
    service_model: ServiceModel,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    aliases: tuple[RouteAlias, ...] = (),
) -> tuple[str, dict[str, Any]]:
    """Route an HTTP request to its operation and rebuild the caller's parameters.

    Parameters come back the way a boto3 caller wrote them: member names as keys, timestamps as
    aware UTC `datetime`, blobs as `bytes`, numbers and booleans typed, absent members absent.

    Examples:
        >>> from sesflow.testing._model import sesv2_model  # the fake's own, newest model
        >>> model = sesv2_model()
        >>> decode_request(model, "POST", "/v2/email/list-identities", "", {}, b'{"PageSize": 5}')
        ('ListEmailIdentities', {'PageSize': 5})

    Args:
        service_model: The botocore model of the service being served.
        method: The HTTP method.
        path: The request path, still percent-encoded, without the query string.
        query_string: The raw query string, without the leading `?` (may be empty).
        headers: The request headers (looked up case-insensitively).
        body: The raw request body.
        aliases: More routes to the model's operations (tried after the model's own).

    Returns:
        The operation name and its parameters.

    Raises:
        RouteNotFoundError: No operation has this method and URI template.
        RequestDecodeError: The request does not fit the operation's input shape.
    """
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    operation, labels, route = _route(service_model, method, path or "/", query, aliases)
    shape = operation.input_shape
    if shape is None:
        return operation.name, {}
    locate = _locator(route)
    params = _decode_bound(shape, labels, query, headers, locate)
    params.update(_decode_body(shape, body, locate))
    return operation.name, params


_Locate = Callable[[str, Shape], tuple[str | None, str]]


def _locator(route: _Route) -> _Locate:
    """Where each input member travels on `route`: `(location or None for the body, wire)`."""
    if route.bindings is None:
        return lambda name, member: (member.serialization.get("location"), _wire_name(member, name))
    bound = {name: (location, wire) for name, location, wire in route.bindings}

    def locate(name: str, member: Shape) -> tuple[str | None, str]:
        if name in bound:
            return bound[name]
        location = member.serialization.get("location")
        # The model's URI and query-string members belong to the model's own route.
        return (None if location in ("uri", "querystring") else location), _wire_name(member, name)

    return locate


def _decode_bound(
    shape: StructureShape,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    locate: _Locate,
) -> dict[str, Any]:
    """Decode the members bound to the URI, the query string and headers."""
    lowered = {key.lower(): value for key, value in headers.items()}
    params: dict[str, Any] = {}
    bound_query: set[str] = set()
    query_maps: list[tuple[str, MapShape]] = []
    for name, member in shape.members.items():
        location, wire = locate(name, member)
        if location == "uri" and wire in labels:
            params[name] = _from_text(member, labels[wire], "uri")
        elif location == "querystring":
            if isinstance(member, MapShape):
                query_maps.append((name, member))
            elif wire in query:
                bound_query.add(wire)
                if isinstance(member, ListShape):
                    params[name] = [
                        _from_text(member.member, item, "querystring") for item in query[wire]
                    ]
                else:
                    params[name] = _from_text(member, query[wire][0], "querystring")
        elif location == "header" and wire.lower() in lowered:
            params[name] = _from_text(member, lowered[wire.lower()], "header")
        elif location == "headers":
            prefix = wire.lower()
            found = {
                key[len(prefix) :]: value
                for key, value in headers.items()
                if key.lower().startswith(prefix)
            }
            if found:
                params[name] = found
    for name, map_shape in query_maps:
        # A querystring map collects whatever the named members did not claim.
        rest = {key: values for key, values in query.items() if key not in bound_query}
        if rest:
            many = isinstance(map_shape.value, ListShape)
            params[name] = {key: (values if many else values[0]) for key, values in rest.items()}
    return params


def _decode_body(shape: StructureShape, body: bytes, locate: _Locate) -> dict[str, Any]:
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name == "blob":
            return {payload: bytes(body)} if body else {}
        if member.type_name == "string":
            return {payload: body.decode("utf-8")} if body else {}
        document = _load_json(body)
        return {} if document is None else {payload: _from_json(member, document, payload)}
    document = _load_json(body)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise RequestDecodeError("the request body must be a JSON object")
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location, wire = locate(name, member)
        if location is not None:
            continue
        value = document.get(wire)
        if value is not None:
            params[name] = _from_json(member, value, name)
    return params


def _wire_name(member: Shape, name: str) -> str:
    return str(member.serialization.get("name", name))


def _load_json(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise RequestDecodeError(f"the request body is not valid JSON: {exc}") from None


def _from_json(shape: Shape, value: Any, where: str) -> Any:
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise RequestDecodeError(f"{where} must be an object")
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(_wire_name(member, name))
            if item is not None:
                out[name] = _from_json(member, item, f"{where}.{name}")
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise RequestDecodeError(f"{where} must be a list")
        return [_from_json(shape.member, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise RequestDecodeError(f"{where} must be an object")
        return {k: _from_json(shape.value, v, f"{where}.{k}") for k, v in value.items()}
    kind = shape.type_name
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise RequestDecodeError(f"{where} must be a timestamp")
        return _parse_timestamp(value, where)
    if kind == "blob":
        if not isinstance(value, str):
            raise RequestDecodeError(f"{where} must be base64 text")
        return _b64decode(value, where)
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RequestDecodeError(f"{where} must be an integer")
        return value
    if kind in ("float", "double"):
        if isinstance(value, str) and value in _NON_FINITE:
            return float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RequestDecodeError(f"{where} must be a number")
        return float(value)
    if kind == "boolean" and not isinstance(value, bool):
        raise RequestDecodeError(f"{where} must be a boolean")
    if kind == "string" and not isinstance(value, str):
        raise RequestDecodeError(f"{where} must be a string")
    return value


def _from_text(shape: Shape, text: str, location: str) -> Any:
    kind = shape.type_name
    where = f"{location} value {shape.name}"
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise RequestDecodeError(f"{where} must be a number, got {text!r}") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise RequestDecodeError(f"{where} must be true or false, got {text!r}")
        return text.lower() == "true"
    if kind == "timestamp":
        return _parse_timestamp(text, where)
    if kind == "blob":
        return _b64decode(text, where)
    if isinstance(shape, ListShape):
        # Only header lists arrive as one text value: comma separated, per RFC 7230.
        return [_from_text(shape.member, part.strip(), location) for part in text.split(",")]
    if kind == "string" and shape.serialization.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(text))
        except (ValueError, binascii.Error):
            raise RequestDecodeError(f"{where} must be base64-encoded JSON") from None
    return text


def _parse_timestamp(value: float | str, where: str) -> dt.datetime:
    # The JSON body carries epoch seconds; query strings ISO 8601; headers RFC 822. Accept all
    # three anywhere, as the service does not care which one a hand-written client picked.
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        if not isinstance(value, str):
            raise RequestDecodeError(f"{where} is out of range: {value!r}") from None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise RequestDecodeError(f"{where} is not a timestamp: {value!r}") from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _b64decode(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise RequestDecodeError(f"{where} must be base64") from None


# --- responses -------------------------------------------------------------------------------


def encode_response(
    operation_model: OperationModel,
    result: Mapping[str, Any],
    *,
    request_id: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Render an operation's result as the HTTP response botocore expects.

    Members the output shape puts in headers go to headers; the rest become the JSON body.
    `datetime` values (or epoch numbers) for timestamp members are written as epoch seconds,
    `bytes` for blob members as base64, str-enums as their values. `None` means absent.

    Examples:
        >>> import botocore.session
        >>> model = botocore.session.get_session().get_service_model("sesv2")
        >>> op = model.operation_model("CreateEmailIdentity")
        >>> status, headers, body = encode_response(op, {"IdentityType": "DOMAIN"})
        >>> status, headers["Content-Type"], body
        (200, 'application/json', b'{"IdentityType":"DOMAIN"}')

    Args:
        operation_model: The operation being answered.
        result: Output members by name, as a boto3 caller would receive them.
        request_id: The `x-amzn-RequestId` to send; a fresh UUID when omitted.

    Returns:
        `(status, headers, body)`.

    Raises:
        ValueError: `result` has a member the output shape lacks.
        TypeError: A value has the wrong type for its member.

    Both are bugs in whoever built the result, caught here rather than as a confusing parse
    error in the client.
    """
    shape = operation_model.output_shape
    status = int(operation_model.http.get("responseCode", 200))
    headers = _base_headers(request_id)
    if shape is None:
        if any(value is not None for value in result.values()):
            raise ValueError(f"{operation_model.name} has no output, got {sorted(result)}")
        return _finish(status, headers, b"{}")
    unknown = sorted(set(result) - set(shape.members))
    if unknown:
        raise ValueError(f"{operation_model.name} output has no member(s) {unknown}")
    payload = shape.serialization.get("payload")
    document: dict[str, Any] = {}
    body: bytes | None = None
    for name, value in result.items():
        if value is None:
            continue
        member = shape.members[name]
        location = member.serialization.get("location")
        wire = _wire_name(member, name)
        where = f"{operation_model.name}.{name}"
        if location == "header":
            headers[wire] = _to_header(member, value, where)
        elif location == "headers":
            for key, item in _mapping(value, where).items():
                headers[wire + str(key)] = str(item)
        elif location == "statusCode":
            status = int(value)
        elif name == payload:
            if member.type_name in ("blob", "string"):
                body = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            else:
                body = _dump(_to_json(member, value, where))
        else:
            document[wire] = _to_json(member, value, where)
    if body is None:
        body = b"" if payload is not None else _dump(document)
    return _finish(status, headers, body)


def encode_error(
    code: str, message: str, status: int, *, request_id: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Render an error response the way SES v2 sends one.

    botocore reads `Error.Code` from the `x-amzn-ErrorType` header and `Error.Message`
    from the body's `message`.

    Examples:
        >>> status, headers, body = encode_error("NotFoundException", "No such identity", 404)
        >>> status, headers["x-amzn-ErrorType"], body
        (404, 'NotFoundException', b'{"message":"No such identity"}')

    Args:
        code: The error code, e.g. `"TooManyRequestsException"`.
        message: The human-readable message.
        status: The HTTP status.
        request_id: The `x-amzn-RequestId` to send; a fresh UUID when omitted.

    Returns:
        `(status, headers, body)`.
    """
    headers = _base_headers(request_id)
    headers["x-amzn-ErrorType"] = code
    return _finish(int(status), headers, _dump({"message": message}))


def _base_headers(request_id: str | None) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        "Content-Type": _JSON_CONTENT_TYPE,
    }


def _finish(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    headers["Content-Length"] = str(len(body))
    return status, headers, body


def _dump(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _mapping(value: Any, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be a mapping, got {type(value).__name__}")
    return value


def _to_json(shape: Shape, value: Any, where: str) -> Any:
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return value
        fields = _mapping(value, where)
        unknown = sorted(set(fields) - set(shape.members))
        if unknown:
            raise ValueError(f"{where} ({shape.name}) has no member(s) {unknown}")
        return {
            _wire_name(member, name): _to_json(member, fields[name], f"{where}.{name}")
            for name, member in shape.members.items()
            if fields.get(name) is not None
        }
    if isinstance(shape, ListShape):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | Set):
            raise TypeError(f"{where} must be a list, got {type(value).__name__}")
        return [_to_json(shape.member, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        return {
            _enum_value(key): _to_json(shape.value, item, f"{where}.{key}")
            for key, item in _mapping(value, where).items()
        }
    kind = shape.type_name
    if kind == "timestamp":
        return _epoch(value, where)
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise TypeError(f"{where} must be bytes, got {type(value).__name__}")
        return base64.b64encode(bytes(raw)).decode("ascii")
    if kind == "boolean" and not isinstance(value, bool):
        raise TypeError(f"{where} must be a bool, got {type(value).__name__}")
    if kind in ("integer", "long") and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{where} must be an int, got {type(value).__name__}")
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} must be a number, got {type(value).__name__}")
        number = float(value)
        # JSON has no literal for these; the AWS JSON protocols spell them as strings.
        return number if math.isfinite(number) else _NON_FINITE_NAMES[repr(number)]
    if kind == "string":
        text = _enum_value(value)
        if not isinstance(text, str):
            raise TypeError(f"{where} must be a str, got {type(value).__name__}")
        return text
    return value


def _enum_value(value: Any) -> Any:
    # str() of a (str, Enum) member is "Cls.NAME", not its value; send the value itself.
    return value.value if isinstance(value, enum.Enum) else value


def _epoch(value: Any, where: str) -> float:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{where} must be a datetime, got {type(value).__name__}")


def _to_header(shape: Shape, value: Any, where: str) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        stamp = _epoch(value, where)
        fmt = str(shape.serialization.get("timestampFormat", "rfc822")).lower()
        if fmt == "unixtimestamp":
            return str(int(stamp)) if stamp.is_integer() else repr(stamp)
        when = dt.datetime.fromtimestamp(stamp, dt.UTC)
        if fmt == "iso8601":
            return when.isoformat().replace("+00:00", "Z")
        return email.utils.format_datetime(when, usegmt=True)
    if kind == "boolean":
        return "true" if value else "false"
    if isinstance(shape, ListShape):
        return ",".join(_to_header(shape.member, item, where) for item in value)
    if kind == "blob":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(_dump(value)).decode("ascii")
    return str(_enum_value(value))
