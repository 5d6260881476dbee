"""`sesflow events`: verify an SNS message, parse an SES event record."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from ._app import CliError, Context, add_command, add_group, read_bytes, seconds
from ._output import Result, fields_text, jsonable

if TYPE_CHECKING:
    from sesflow.events import SesEvent

__all__ = ["event_data", "register"]

# Shown in the text form of an event; `raw`, headers and the like stay in --json.
_HIDDEN = frozenset(
    {"raw", "headers", "common_headers", "tags", "is_notification", "headers_truncated"}
)


def _body(ctx: Context) -> bytes:
    source = ctx.args.file
    return read_bytes(source, option="FILE" if source != "-" else "stdin")


def event_data(event: SesEvent) -> dict[str, Any]:
    """An event as JSON data: every dataclass field (datetimes as ISO 8601) and its class.

    Examples:
        >>> data = event_data(parse_event(bounce_record))
        >>> data["class"], data["event_type"], data["bounce_type"]
        ('BounceEvent', 'Bounce', 'Permanent')
        >>> data["timestamp"], data["bounced_recipients"][0]["status"]
        ('2024-05-01T12:00:00+00:00', '5.1.1')
    """
    data: dict[str, Any] = {"class": type(event).__name__}
    data.update(jsonable(event))
    return data


def _event_text(event: SesEvent) -> str:
    pairs: list[tuple[str, object]] = [("class", type(event).__name__)]
    for item in dataclasses.fields(event):
        if item.name in _HIDDEN:
            continue
        value = getattr(event, item.name)
        if value in (None, (), [], {}):
            continue
        if dataclasses.is_dataclass(value) or (
            isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0])
        ):
            value = json.dumps(jsonable(value), ensure_ascii=False)
        pairs.append((item.name, value))
    return fields_text(pairs)


def _verify(ctx: Context) -> Result:
    from sesflow.events import InvalidSignatureError, SnsVerifier, parse_sns

    args = ctx.args
    body = _body(ctx)
    fetcher = None
    if args.cert is not None:
        pem = read_bytes(args.cert, option="--cert")

        def fetcher(url: str) -> bytes:
            # Offline: the certificate given stands in for the one at SigningCertURL,
            # which still has to pass the URL checks.
            return pem

    verifier = SnsVerifier(
        allowed_topic_arns=args.topic or None, cert_fetcher=fetcher, max_age=args.max_age
    )
    try:
        message = verifier.verify(body)
    except InvalidSignatureError as exc:
        shown = InvalidSignatureError(f"SNS message not verified: {exc}", check=exc.check)
        return ctx.failure(shown, data={"verified": False})
    data: dict[str, Any] = {
        "verified": True,
        "type": message.type,
        "message_id": message.message_id,
        "topic_arn": message.topic_arn,
        "timestamp": message.timestamp,
        "subject": message.subject,
        "signature_version": message.signature_version,
        "signing_cert_url": message.signing_cert_url,
        "subscribe_url": message.subscribe_url,
    }
    pairs = list(data.items())
    if message.type == "Notification":
        from sesflow.events import EventParseError

        try:
            event = parse_sns(message)
        except EventParseError as exc:
            data["event"] = None
            pairs.append(("event", f"not an SES event ({exc})"))
        else:
            data["event"] = event_data(event)
            pairs += [
                ("event", f"{event.event_type} of {event.message_id}"),
                ("recipients", ", ".join(event.destination)),
            ]
    data["message"] = message.message
    return Result(data, fields_text(pairs))


def _parse(ctx: Context) -> Result:
    from sesflow.events import parse_event, parse_sns

    body = _body(ctx)
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise CliError(f"the input is not JSON: {exc}") from exc
    # An SNS envelope carries the record as a JSON string in "Message"; a record has "mail".
    is_envelope = isinstance(document, dict) and "Type" in document and "Message" in document
    event = parse_sns(document) if is_envelope else parse_event(document)
    return Result(event_data(event), _event_text(event))


def register(commands: Any) -> None:
    """Add `sesflow events verify|parse` to the command tree."""
    _, sub = add_group(
        commands,
        "events",
        help="verify SNS messages and parse SES event records",
        description=(
            "SES events (sends, deliveries, bounces, complaints, opens, clicks, ...) as a\n"
            "configuration set publishes them, usually through SNS. 'verify' needs the\n"
            "events extra: pip install 'sesflow[events]'."
        ),
    )
    verify = add_command(
        sub,
        "verify",
        _verify,
        help="verify an SNS message's signature; print the envelope",
        description=(
            "Check an SNS message (an HTTP(S) delivery body) as a webhook must: the\n"
            "signing certificate URL, the signature (SignatureVersion 1 or 2), the age,\n"
            "and optionally the topic. Prints the verified envelope (and the SES event in\n"
            "a Notification); exits 1 if any check fails."
        ),
        epilog="example:\n  sesflow events verify body.json --topic arn:aws:sns:us-east-1:123:ses",
    )
    verify.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="default stdin")
    verify.add_argument(
        "--topic",
        action="extend",
        nargs="+",
        metavar="ARN",
        help="accept only these topics (default: any)",
    )
    verify.add_argument(
        "--max-age",
        type=seconds,
        default=3600.0,
        metavar="S",
        help="reject messages older than S seconds (default 3600)",
    )
    verify.add_argument(
        "--cert",
        metavar="PEM",
        help="use this signing certificate instead of downloading SigningCertURL",
    )
    parse = add_command(
        sub,
        "parse",
        _parse,
        help="parse an SES event record (or SNS envelope)",
        description=(
            "Parse one SES event record, or an SNS envelope around one (its signature is\n"
            "NOT checked: use 'verify' for messages from the network), and print the typed\n"
            "event: its type, message id, recipients and the type's details."
        ),
    )
    parse.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="default stdin")
