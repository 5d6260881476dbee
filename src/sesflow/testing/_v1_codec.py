"""The AWS Query wire format of SES v1, read and written from botocore's `ses` service model.

The server half of botocore's `query` protocol, as `_codec.py` is of REST-JSON: a request is a
form-encoded `POST /` whose `Action` names the operation and whose other fields flatten its
input (`Destination.ToAddresses.member.1`, `Tags.member.2.Name`, `Foo.entry.1.key`); the
answer is XML, `<{Action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/">`
holding `<{Action}Result>` and `<ResponseMetadata>`, or an `<ErrorResponse>`. Nothing here
knows what an action does; `_v1.py` does.

Examples:
    >>> model = ses_model()
    >>> body = b"Action=DeleteIdentity&Version=2010-12-01&Identity=example.com"
    >>> decode_query(model, body)
    ('DeleteIdentity', {'Identity': 'example.com'})
    >>> status, headers, xml = encode_query_response(
    ...     model.operation_model("ListIdentities"), {"Identities": ["example.com"]},
    ...     request_id="r-1",
    ... )
    >>> for part in re.split("(?<=>)(?=<)", xml.decode()):
    ...     print(part)
    <ListIdentitiesResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
    <ListIdentitiesResult>
    <Identities>
    <member>example.com</member>
    </Identities>
    </ListIdentitiesResult>
    <ResponseMetadata>
    <RequestId>r-1</RequestId>
    </ResponseMetadata>
    </ListIdentitiesResponse>
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import functools
import math
import re
import uuid
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from sesflow.testing._fake import _isolated_session

__all__ = [
    "QueryError",
    "decode_query",
    "encode_query_error",
    "encode_query_response",
    "is_query_request",
    "ses_model",
]

_FORM = "application/x-www-form-urlencoded"
_XML_CONTENT_TYPE = "text/xml"
# XML 1.0 cannot carry these characters at all, escaped or not.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@functools.cache
def ses_model() -> ServiceModel:
    """Return botocore's bundled SES v1 (`ses`, 2010-12-01) service model, loaded once.

    Examples:
        >>> ses_model().metadata["protocol"]
        'query'
    """
    return _isolated_session().get_service_model("ses")


def is_query_request(method: str, path: str, headers: Mapping[str, str]) -> bool:
    """Whether a request is an AWS Query call: a form-encoded `POST` to `/`.

    SES v2 never posts a form to `/`, so this tells the two APIs apart before any parsing.

    Examples:
        >>> form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        >>> is_query_request("POST", "/", form)
        True
        >>> is_query_request("POST", "/v2/email/outbound-emails", {"Content-Type": "text/json"})
        False
    """
    if method.upper() != "POST" or path.partition("?")[0] != "/":
        return False
    content_type = next(
        (value for key, value in headers.items() if key.lower() == "content-type"), ""
    )
    return content_type.split(";")[0].strip().lower() == _FORM


class QueryError(Exception):
    """A v1 error answer: `<Error><Code>` `code`, `<Message>` `message`, HTTP `status`.

    Examples:
        >>> QueryError("MessageRejected", "Email address is not verified.")
        QueryError('MessageRejected', 'Email address is not verified.', status=400)

    Args:
        code: The error code botocore reports as `Error.Code`.
        message: The human-readable message.
        status: The HTTP status (400 for every modeled SES v1 error).
        request_id: The request id to answer with; a fresh one when omitted.
    """

    def __init__(
        self, code: str, message: str, status: int = 400, *, request_id: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = int(status)
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"QueryError({self.code!r}, {self.message!r}, status={self.status})"


# --- requests --------------------------------------------------------------------------------


@dataclass
class _Node:
    """One segment of the dotted parameter names: its own value, and what hangs below it."""

    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)


def decode_query(model: ServiceModel, body: bytes) -> tuple[str, dict[str, Any]]:
    """Return `(action, parameters)` of a form-encoded Query request.

    The parameters are the operation's input as a boto3 caller wrote them: nested lists and maps
    rebuilt from their flattened names, blobs base64-decoded, numbers, booleans and timestamps
    typed. Fields the input shape does not name are ignored, as AWS ignores them.

    Examples:
        >>> decode_query(ses_model(), (
        ...     b"Action=SendEmail&Source=a%40example.com"
        ...     b"&Destination.ToAddresses.member.1=b%40example.com"
        ...     b"&Message.Subject.Data=Hi&Message.Body.Text.Data=Hello"
        ...     b"&Tags.member.1.Name=campaign&Tags.member.1.Value=spring"
        ... ))  # doctest: +NORMALIZE_WHITESPACE
        ('SendEmail', {'Source': 'a@example.com',
                       'Destination': {'ToAddresses': ['b@example.com']},
                       'Message': {'Subject': {'Data': 'Hi'}, 'Body': {'Text': {'Data': 'Hello'}}},
                       'Tags': [{'Name': 'campaign', 'Value': 'spring'}]})

    Raises:
        QueryError: `MissingAction` (no `Action`), `InvalidAction` (not an action of the
            model), `MissingParameter` (a required member is absent) or
            `InvalidParameterValue` (a value that does not fit its shape, a body that is not
            UTF-8).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("InvalidParameterValue", "The request body is not UTF-8.") from None
    pairs = parse_qsl(text, keep_blank_values=True)
    root = _Node()
    action: str | None = None
    for key, value in pairs:
        if key == "Action":
            action = value
            continue
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    if not action:
        raise QueryError("MissingAction", "The request must contain the parameter Action.")
    if action not in model.operation_names:
        raise QueryError(
            "InvalidAction",
            f"{action} is not an action of SES v1 (API version {model.metadata['apiVersion']}).",
        )
    shape = model.operation_model(action).input_shape
    if shape is None:
        return action, {}
    return action, _decode_structure(shape, root, "")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _decode(shape: Shape, node: _Node, where: str) -> Any:
    if isinstance(shape, StructureShape):
        return _decode_structure(shape, node, where)
    if isinstance(shape, ListShape):
        return _decode_list(shape, node, where)
    if isinstance(shape, MapShape):
        return _decode_map(shape, node, where)
    if node.value is None:
        raise QueryError("InvalidParameterValue", f"{where} must be a single value.")
    return _scalar(shape, node.value, where)


def _decode_structure(shape: StructureShape, node: _Node, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        wire = str(member.serialization.get("name", name))
        child = node.children.get(wire)
        if child is not None:
            out[name] = _decode(member, child, _join(where, wire))
    missing = [name for name in shape.required_members if name not in out]
    if missing:
        raise QueryError(
            "MissingParameter",
            f"The request must contain the parameter {_join(where, missing[0])}.",
        )
    return out


def _indexed(node: _Node, where: str) -> list[tuple[str, _Node]]:
    """The children of a list or map node named 1, 2, ..., in numeric order."""
    items: list[tuple[int, str, _Node]] = []
    for index, child in node.children.items():
        if not (index.isdigit() and int(index) > 0):
            raise QueryError("InvalidParameterValue", f"{where}.{index} is not a list index.")
        items.append((int(index), index, child))
    return [(index, child) for _, index, child in sorted(items)]


def _decode_list(shape: ListShape, node: _Node, where: str) -> list[Any]:
    if not node.children:
        # `Name=` is how the query protocol sends an empty list.
        if node.value:
            raise QueryError("InvalidParameterValue", f"{where} must be a list.")
        return []
    if shape.serialization.get("flattened"):
        holder, prefix = node, where
    else:
        name = str(shape.member.serialization.get("name", "member"))
        unknown = sorted(set(node.children) - {name})
        if unknown:
            raise QueryError(
                "InvalidParameterValue", f"{where}.{unknown[0]}: list items are {where}.{name}.N."
            )
        holder, prefix = node.children[name], f"{where}.{name}"
    return [
        _decode(shape.member, child, f"{prefix}.{index}")
        for index, child in _indexed(holder, prefix)
    ]


def _decode_map(shape: MapShape, node: _Node, where: str) -> dict[Any, Any]:
    if shape.serialization.get("flattened"):
        holder, prefix = node, where
    else:
        holder, prefix = node.children.get("entry", _Node()), f"{where}.entry"
    key_name = str(shape.key.serialization.get("name", "key"))
    value_name = str(shape.value.serialization.get("name", "value"))
    out: dict[Any, Any] = {}
    for index, entry in _indexed(holder, prefix):
        key_node = entry.children.get(key_name)
        value_node = entry.children.get(value_name)
        if key_node is None or value_node is None:
            raise QueryError(
                "MissingParameter",
                f"The request must contain {prefix}.{index}.{key_name} and "
                f"{prefix}.{index}.{value_name}.",
            )
        key = _decode(shape.key, key_node, f"{prefix}.{index}.{key_name}")
        out[key] = _decode(shape.value, value_node, f"{prefix}.{index}.{value_name}")
    return out


def _scalar(shape: Shape, text: str, where: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise QueryError("InvalidParameterValue", f"{where} must be an integer.") from None
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise QueryError("InvalidParameterValue", f"{where} must be a number.") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise QueryError("InvalidParameterValue", f"{where} must be true or false.")
        return text.lower() == "true"
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            raise QueryError("InvalidParameterValue", f"{where} must be base64.") from None
    if kind == "timestamp":
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise QueryError("InvalidParameterValue", f"{where} is not a timestamp.") from None
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed
    return text


# --- responses -------------------------------------------------------------------------------


def encode_query_response(
    operation_model: OperationModel,
    result: Mapping[str, Any],
    *,
    request_id: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Render an action's result as v1's XML answer.

    Members are written in the output shape's order; `None` means absent; lists are
    `<member>` items, maps `<entry><key/><value/></entry>`, timestamps ISO 8601 (`datetime`
    or epoch seconds), booleans `true`/`false`, blobs base64.

    Examples:
        >>> _, _, xml = encode_query_response(
        ...     ses_model().operation_model("GetSendQuota"),
        ...     {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0},
        ...     request_id="r-2",
        ... )
        >>> b"<Max24HourSend>200.0</Max24HourSend>" in xml
        True

    Args:
        operation_model: The v1 operation being answered.
        result: Output members by name, as a boto3 caller would receive them.
        request_id: The `RequestId` to send; a fresh UUID when omitted.

    Returns:
        `(status, headers, body)`: 200, `text/xml`, the document.

    Raises:
        ValueError: `result` has a member the output shape lacks.
        TypeError: A value has the wrong type for its member.
    """
    name = operation_model.name
    namespace = operation_model.metadata.get("xmlNamespace", "")
    shape = operation_model.output_shape
    parts = [f'<{name}Response xmlns="{namespace}">']
    if shape is None:
        if any(value is not None for value in result.values()):
            raise ValueError(f"{name} has no output, got {sorted(result)}")
    else:
        wrapper = str(shape.serialization.get("resultWrapper", f"{name}Result"))
        parts.append(f"<{wrapper}>")
        _write_members(parts, shape, result, name)
        parts.append(f"</{wrapper}>")
    rid = _text(request_id or str(uuid.uuid4()))
    parts.append(f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return _finish(200, "".join(parts).encode("utf-8"), request_id=rid)


def encode_query_error(
    code: str, message: str, status: int, *, request_id: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Render an error the way SES v1 sends one.

    `Type` is `Sender` for a 4xx status and `Receiver` for a 5xx one.

    Examples:
        >>> status, headers, xml = encode_query_error(
        ...     "TemplateDoesNotExist", "Template welcome does not exist.", 400, request_id="r-3"
        ... )
        >>> status
        400
        >>> for part in re.split("(?<=>)(?=<)", xml.decode()):
        ...     print(part)
        <ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
        <Error>
        <Type>Sender</Type>
        <Code>TemplateDoesNotExist</Code>
        <Message>Template welcome does not exist.</Message>
        </Error>
        <RequestId>r-3</RequestId>
        </ErrorResponse>

    Args:
        code: The error code, e.g. `"MessageRejected"`.
        message: The human-readable message.
        status: The HTTP status.
        request_id: The `RequestId` to send; a fresh UUID when omitted.

    Returns:
        `(status, headers, body)`.
    """
    namespace = ses_model().metadata["xmlNamespace"]
    kind = "Receiver" if int(status) >= 500 else "Sender"
    rid = _text(request_id or str(uuid.uuid4()))
    document = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{_text(code)}</Code><Message>{_text(message)}</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>"
    )
    return _finish(int(status), document.encode("utf-8"), request_id=rid)


def _finish(status: int, body: bytes, *, request_id: str) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "x-amzn-RequestId": request_id,
        "Content-Type": _XML_CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }
    return status, headers, body


def _text(value: str) -> str:
    # A bare CR would reach the client as LF (XML normalises line ends); a reference keeps it.
    return escape(_NOT_XML.sub("\ufffd", value), {"\r": "&#13;"})


def _write_members(parts: list[str], shape: StructureShape, value: Any, where: str) -> None:
    fields = _mapping(value, where)
    unknown = sorted(set(fields) - set(shape.members))
    if unknown:
        raise ValueError(f"{where} ({shape.name}) has no member(s) {unknown}")
    for name, member in shape.members.items():
        item = fields.get(name)
        if item is None:
            continue
        wire = str(member.serialization.get("name", name))
        if isinstance(member, ListShape) and member.serialization.get("flattened"):
            tag = str(member.member.serialization.get("name", wire))
            for i, element in enumerate(_sequence(item, f"{where}.{name}")):
                parts.append(f"<{tag}>")
                _write(parts, member.member, element, f"{where}.{name}[{i}]")
                parts.append(f"</{tag}>")
            continue
        if isinstance(member, MapShape) and member.serialization.get("flattened"):
            for key, element in _mapping(item, f"{where}.{name}").items():
                parts.append(f"<{wire}>")
                _write_entry(parts, member, key, element, f"{where}.{name}")
                parts.append(f"</{wire}>")
            continue
        parts.append(f"<{wire}>")
        _write(parts, member, item, f"{where}.{name}")
        parts.append(f"</{wire}>")


def _write_entry(parts: list[str], shape: MapShape, key: Any, value: Any, where: str) -> None:
    key_tag = str(shape.key.serialization.get("name", "key"))
    value_tag = str(shape.value.serialization.get("name", "value"))
    parts.append(f"<{key_tag}>")
    _write(parts, shape.key, key, f"{where}.{key}")
    parts.append(f"</{key_tag}><{value_tag}>")
    _write(parts, shape.value, value, f"{where}.{key}")
    parts.append(f"</{value_tag}>")


def _write(parts: list[str], shape: Shape, value: Any, where: str) -> None:
    if isinstance(shape, StructureShape):
        _write_members(parts, shape, value, where)
        return
    if isinstance(shape, ListShape):
        tag = str(shape.member.serialization.get("name", "member"))
        for i, element in enumerate(_sequence(value, where)):
            parts.append(f"<{tag}>")
            _write(parts, shape.member, element, f"{where}[{i}]")
            parts.append(f"</{tag}>")
        return
    if isinstance(shape, MapShape):
        for key, item in _mapping(value, where).items():
            parts.append("<entry>")
            _write_entry(parts, shape, key, item, where)
            parts.append("</entry>")
        return
    parts.append(_text(_scalar_text(shape, value, where)))


def _scalar_text(shape: Shape, value: Any, where: str) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        return _iso8601(value, where)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise TypeError(f"{where} must be a bool, got {type(value).__name__}")
        return "true" if value else "false"
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be an int, got {type(value).__name__}")
        return str(value)
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} must be a number, got {type(value).__name__}")
        number = float(value)
        if not math.isfinite(number):
            return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(number)]
        return repr(number)
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise TypeError(f"{where} must be bytes, got {type(value).__name__}")
        return base64.b64encode(bytes(raw)).decode("ascii")
    text = value.value if isinstance(value, enum.Enum) else value
    if not isinstance(text, str):
        raise TypeError(f"{where} must be a str, got {type(value).__name__}")
    return text


def _iso8601(value: Any, where: str) -> str:
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = dt.datetime.fromtimestamp(float(value), dt.UTC)
    else:
        raise TypeError(f"{where} must be a datetime, got {type(value).__name__}")
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _mapping(value: Any, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be a mapping, got {type(value).__name__}")
    return value


def _sequence(value: Any, where: str) -> Sequence[Any] | Set[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | Set):
        raise TypeError(f"{where} must be a list, got {type(value).__name__}")
    return value
