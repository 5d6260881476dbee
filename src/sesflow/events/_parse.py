"""`parse_event`: an SES event record (dict or JSON text) → a typed `SesEvent`.

Two record shapes exist. Configuration-set event publishing names the type in
`eventType` (ten types, including `Rendering Failure` with a space, whose details sit
under `failure`). The older identity notifications name it in `notificationType`
(`Bounce`, `Complaint`, `Delivery`) and use the same detail objects.

Parsing is strict about structure and lenient about content: a field of the wrong JSON
type is an error naming its path, because a record shaped like that did not come from
SES; but unknown fields are ignored, missing optional fields become None, unknown
sub-type strings pass through, and an unknown event type is a plain `SesEvent`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Any

from ._records import (
    BouncedRecipient,
    BounceEvent,
    ClickEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    EventParseError,
    OpenEvent,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
    SesEvent,
    SubscriptionEvent,
    TopicPreferences,
)

__all__ = ["parse_event", "parse_timestamp"]

# Epoch numbers at or above this are milliseconds: as seconds they would be past year 5000.
_MILLIS_THRESHOLD = 1e11
# An offset separated from the time by spaces, as SES's own docs show it
# ("2018-10-08T14:05:45 +0000"); not every Python version's ISO parser takes that.
_SPACED_OFFSET = re.compile(r"^(.*\d)\s+([+-]\d{2}(?::?\d{2})?)$")
_UTC_SUFFIX = re.compile(r"\s*(?:Z|UTC|GMT)$", re.IGNORECASE)
# Longer strings are not timestamps; refusing them early keeps the regexes linear.
_MAX_TIMESTAMP_LENGTH = 100
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")


def parse_timestamp(value: object) -> datetime:
    """Read a timestamp as SES (or an ISP, via SES) writes it; always aware UTC.

    Accepted: ISO 8601 with `Z`, `+00:00`, `+0000` or any other offset, with or without
    fractional seconds (any number of digits; beyond microseconds they are dropped), a
    space instead of `T`, a space before the offset, lower-case `t`/`z`, a `UTC`/`GMT`
    suffix, or no offset at all (taken as UTC); RFC 2822 dates such as
    `Mon, 08 Oct 2018 14:05:45 +0000`; Unix epoch numbers (or numeric strings) in
    seconds, or in milliseconds when too large to be seconds; and `datetime` objects
    (naive ones taken as UTC).

    Args:
        value: the timestamp.

    Returns:
        A `datetime` whose `tzinfo` is `datetime.UTC`.

    Raises:
        EventParseError: `value` is not a timestamp in any of these forms, or is out of
            the range `datetime` can hold.

    Examples:
        >>> parse_timestamp("2017-08-05T00:41:02.669Z")
        datetime.datetime(2017, 8, 5, 0, 41, 2, 669000, tzinfo=datetime.timezone.utc)
        >>> parse_timestamp("2009-12-03T04:24:21.000-05:00").isoformat()
        '2009-12-03T09:24:21+00:00'
    """
    try:
        parsed = _to_datetime(value)
    except (ValueError, TypeError, OverflowError, OSError):
        parsed = None
    if parsed is None:
        raise EventParseError(f"not a timestamp: {_preview(value)}")
    try:
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise EventParseError(f"timestamp out of range: {_preview(value)}") from exc


def _to_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool):  # a bool is an int to Python, never a time to SES
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_TIMESTAMP_LENGTH:
        return None
    iso = _UTC_SUFFIX.sub("+00:00", text)
    iso = _SPACED_OFFSET.sub(r"\1\2", iso)
    if len(iso) > 10 and iso[10] == "t":
        iso = f"{iso[:10]}T{iso[11:]}"
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    # After ISO, so that a basic-format date such as "20170805" is not read as seconds.
    if _NUMBER.match(text):
        return _from_epoch(float(text))
    # parsedate_to_datetime raises on garbage, except on some inputs where older Pythons
    # return None or raise TypeError/IndexError instead; all of them mean "not a date".
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds):
        return None
    if abs(seconds) >= _MILLIS_THRESHOLD:
        seconds /= 1000.0
    return datetime.fromtimestamp(seconds, UTC)


def _preview(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


class _Obj:
    """One JSON object of the record, reading fields by type and naming them by path."""

    __slots__ = ("data", "event_type", "path")

    def __init__(self, data: Mapping[str, Any], path: str, event_type: str | None) -> None:
        self.data = data
        self.path = path
        self.event_type = event_type

    def where(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> EventParseError:
        where = self.where(key)
        return EventParseError(f"{where}: {message}", field=where, event_type=self.event_type)

    def get(self, key: str) -> Any:
        # JSON null is how SES says "no value" (complaintSubType is often null).
        return self.data.get(key)

    def opt_str(self, key: str) -> str | None:
        value = self.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(key, f"expected a string, got {_type_name(value)}")

    def req_str(self, key: str) -> str:
        value = self.opt_str(key)
        if value is None:
            raise self.fail(key, "is missing")
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdecimal():
            return int(value.strip())
        raise self.fail(key, f"expected a whole number, got {_type_name(value)}")

    def opt_bool(self, key: str) -> bool | None:
        value = self.get(key)
        if value is None or isinstance(value, bool):
            return value
        # The docs describe headersTruncated as "a string" that is true or false.
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.fail(key, f"expected true or false, got {_type_name(value)}")

    def opt_time(self, key: str) -> datetime | None:
        value = self.get(key)
        if value is None:
            return None
        try:
            return parse_timestamp(value)
        except EventParseError as exc:
            raise self.fail(key, str(exc)) from None

    def req_time(self, key: str) -> datetime:
        value = self.opt_time(key)
        if value is None:
            raise self.fail(key, "is missing")
        return value

    def opt_obj(self, key: str) -> _Obj | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, Mapping):
            return _Obj(value, self.where(key), self.event_type)
        raise self.fail(key, f"expected an object, got {_type_name(value)}")

    def obj_or_empty(self, key: str) -> _Obj:
        found = self.opt_obj(key)
        return found if found is not None else _Obj({}, self.where(key), self.event_type)

    def list_of(self, key: str) -> list[tuple[str, Any]]:
        """The items of a list field with each item's path; [] when absent."""
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self.fail(key, f"expected a list, got {_type_name(value)}")
        base = self.where(key)
        return [(f"{base}[{index}]", item) for index, item in enumerate(value)]

    def str_tuple(self, key: str) -> tuple[str, ...]:
        items = []
        for where, item in self.list_of(key):
            if not isinstance(item, str):
                raise self.fail_at(where, f"expected a string, got {_type_name(item)}")
            items.append(item)
        return tuple(items)

    def objects(self, key: str) -> list[_Obj]:
        found = []
        for where, item in self.list_of(key):
            if not isinstance(item, Mapping):
                raise self.fail_at(where, f"expected an object, got {_type_name(item)}")
            found.append(_Obj(item, where, self.event_type))
        return found

    def tag_map(self, key: str) -> Mapping[str, tuple[str, ...]]:
        """A name → list-of-strings object (message tags, link tags), read-only."""
        source = self.opt_obj(key)
        if source is None:
            return MappingProxyType({})
        tags: dict[str, tuple[str, ...]] = {}
        for name, values in source.data.items():
            if isinstance(values, str):  # SES sends lists; a lone string is one value
                tags[name] = (values,)
            else:
                tags[name] = source.str_tuple(name)
        return MappingProxyType(tags)

    def fail_at(self, where: str, message: str) -> EventParseError:
        return EventParseError(f"{where}: {message}", field=where, event_type=self.event_type)


def _headers(mail: _Obj) -> tuple[tuple[str, str], ...]:
    pairs = []
    for header in mail.objects("headers"):
        pairs.append((header.req_str("name"), header.opt_str("value") or ""))
    return tuple(pairs)


def _common_headers(mail: _Obj) -> Mapping[str, Any]:
    common = mail.opt_obj("commonHeaders")
    return MappingProxyType({}) if common is None else MappingProxyType(common.data)


def _bounce(detail: _Obj) -> dict[str, Any]:
    return {
        "bounce_type": detail.opt_str("bounceType"),
        "bounce_sub_type": detail.opt_str("bounceSubType"),
        "bounced_recipients": tuple(
            BouncedRecipient(
                email_address=item.req_str("emailAddress"),
                action=item.opt_str("action"),
                status=item.opt_str("status"),
                diagnostic_code=item.opt_str("diagnosticCode"),
            )
            for item in detail.objects("bouncedRecipients")
        ),
        "feedback_id": detail.opt_str("feedbackId"),
        "bounced_at": detail.opt_time("timestamp"),
        "reporting_mta": detail.opt_str("reportingMTA"),
        "remote_mta_ip": detail.opt_str("remoteMtaIp"),
    }


def _complaint(detail: _Obj) -> dict[str, Any]:
    recipients = []
    for where, item in detail.list_of("complainedRecipients"):
        if isinstance(item, str):  # lenient: a bare address instead of {"emailAddress"}
            recipients.append(item)
        elif isinstance(item, Mapping):
            recipients.append(_Obj(item, where, detail.event_type).req_str("emailAddress"))
        else:
            raise detail.fail_at(where, f"expected an object, got {_type_name(item)}")
    try:
        arrival = detail.opt_time("arrivalDate")
    except EventParseError:
        # Copied from the ISP's feedback report: a malformed date there must not cost
        # the caller the complaint itself.
        arrival = None
    return {
        "complained_recipients": tuple(recipients),
        "complaint_feedback_type": detail.opt_str("complaintFeedbackType"),
        "complaint_sub_type": detail.opt_str("complaintSubType"),
        "user_agent": detail.opt_str("userAgent"),
        "feedback_id": detail.opt_str("feedbackId"),
        "complained_at": detail.opt_time("timestamp"),
        "arrival_date": arrival,
    }


def _delivery(detail: _Obj) -> dict[str, Any]:
    return {
        "delivered_at": detail.opt_time("timestamp"),
        "processing_time_millis": detail.opt_int("processingTimeMillis"),
        "recipients": detail.str_tuple("recipients"),
        "smtp_response": detail.opt_str("smtpResponse"),
        "reporting_mta": detail.opt_str("reportingMTA"),
        "remote_mta_ip": detail.opt_str("remoteMtaIp"),
    }


def _send(detail: _Obj) -> dict[str, Any]:
    return {}


def _reject(detail: _Obj) -> dict[str, Any]:
    return {"reason": detail.opt_str("reason")}


def _open(detail: _Obj) -> dict[str, Any]:
    return {
        "ip_address": detail.opt_str("ipAddress"),
        "user_agent": detail.opt_str("userAgent"),
        "opened_at": detail.opt_time("timestamp"),
    }


def _click(detail: _Obj) -> dict[str, Any]:
    return {
        "link": detail.opt_str("link"),
        "link_tags": detail.tag_map("linkTags"),
        "ip_address": detail.opt_str("ipAddress"),
        "user_agent": detail.opt_str("userAgent"),
        "clicked_at": detail.opt_time("timestamp"),
    }


def _failure(detail: _Obj) -> dict[str, Any]:
    return {
        "template_name": detail.opt_str("templateName"),
        "error_message": detail.opt_str("errorMessage"),
    }


def _delivery_delay(detail: _Obj) -> dict[str, Any]:
    return {
        "delay_type": detail.opt_str("delayType"),
        "delayed_recipients": tuple(
            DelayedRecipient(
                email_address=item.req_str("emailAddress"),
                status=item.opt_str("status"),
                diagnostic_code=item.opt_str("diagnosticCode"),
            )
            for item in detail.objects("delayedRecipients")
        ),
        "expiration_time": detail.opt_time("expirationTime"),
        "reporting_mta": detail.opt_str("reportingMTA"),
        "delayed_at": detail.opt_time("timestamp"),
    }


def _topic_preferences(prefs: _Obj | None) -> TopicPreferences | None:
    if prefs is None:
        return None
    statuses: dict[str, str] = {}
    raw_statuses = prefs.get("topicSubscriptionStatus")
    if isinstance(raw_statuses, Mapping):  # lenient: already topic name → status
        status_obj = prefs.obj_or_empty("topicSubscriptionStatus")
        for name in raw_statuses:
            statuses[name] = status_obj.req_str(name)
    else:
        # SES sends a list of {"topicName", "subscriptionStatus"} objects.
        for item in prefs.objects("topicSubscriptionStatus"):
            statuses[item.req_str("topicName")] = item.req_str("subscriptionStatus")
    return TopicPreferences(
        unsubscribe_all=bool(prefs.opt_bool("unsubscribeAll")),
        topic_subscription_statuses=MappingProxyType(statuses),
    )


def _subscription(detail: _Obj) -> dict[str, Any]:
    return {
        "contact_list": detail.opt_str("contactList"),
        "subscribed_at": detail.opt_time("timestamp"),
        "subscription_source": detail.opt_str("source"),
        "new_topic_preferences": _topic_preferences(detail.opt_obj("newTopicPreferences")),
        "old_topic_preferences": _topic_preferences(detail.opt_obj("oldTopicPreferences")),
    }


_Details = Callable[[_Obj], dict[str, Any]]

# eventType → (class, detail key, reader of the detail object).
_EVENT_TYPES: dict[str, tuple[type[SesEvent], str, _Details]] = {
    "Send": (SendEvent, "send", _send),
    "Delivery": (DeliveryEvent, "delivery", _delivery),
    "Bounce": (BounceEvent, "bounce", _bounce),
    "Complaint": (ComplaintEvent, "complaint", _complaint),
    "Reject": (RejectEvent, "reject", _reject),
    "Open": (OpenEvent, "open", _open),
    "Click": (ClickEvent, "click", _click),
    "Rendering Failure": (RenderingFailureEvent, "failure", _failure),
    # The metric and EventType enum spell it without the space; accept that too.
    "RenderingFailure": (RenderingFailureEvent, "failure", _failure),
    "DeliveryDelay": (DeliveryDelayEvent, "deliveryDelay", _delivery_delay),
    "Subscription": (SubscriptionEvent, "subscription", _subscription),
}
# Identity notifications only ever carry these three.
_NOTIFICATION_TYPES = {name: _EVENT_TYPES[name] for name in ("Bounce", "Complaint", "Delivery")}


def _decode(record: object) -> Mapping[str, Any]:
    if isinstance(record, Mapping):
        return record
    if isinstance(record, bytes | bytearray | memoryview):
        try:
            record = bytes(record).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise EventParseError(f"the record is not UTF-8 text: {exc}") from None
    if not isinstance(record, str):
        raise EventParseError(
            f"expected a JSON object, its text or bytes; got {type(record).__name__}"
        )
    try:
        decoded = json.loads(record)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise EventParseError(f"the record is not valid JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise EventParseError(f"the record is not a JSON object but {_type_name(decoded)}")
    return decoded


def parse_event(record: str | bytes | Mapping[str, Any]) -> SesEvent:
    """Parse one SES event record into its typed event class.

    Accepts the decoded record or its JSON text (as found in an SNS message's `Message`,
    a Firehose line, or EventBridge's `detail`). Dispatches on `eventType` (event
    publishing) or, failing that, `notificationType` (identity notifications). An event
    type sesflow does not know gives a plain `SesEvent`; unknown fields are ignored and
    everything stays available in `event.raw`. SNS may deliver a record more than once:
    deduplicate on `(event_type, message_id)` plus the detail's timestamp if it matters.

    Args:
        record: the record as a mapping, JSON text, or UTF-8 JSON bytes.

    Returns:
        A `SendEvent`, `DeliveryEvent`, `BounceEvent`, `ComplaintEvent`, `RejectEvent`,
        `OpenEvent`, `ClickEvent`, `RenderingFailureEvent`, `DeliveryDelayEvent`,
        `SubscriptionEvent`, or a plain `SesEvent` for other types.

    Raises:
        EventParseError: the input is not a JSON object; it has no `mail` object or no
            type field; `mail.messageId`, `mail.timestamp` or `mail.source` is missing;
            a known field has the wrong JSON type; or a timestamp cannot be read. It
            never raises anything else.

    Examples:
        >>> event = parse_event(bounce_record)  # JSON text, e.g. an SNS message's "Message"
        >>> type(event).__name__, event.is_permanent
        ('BounceEvent', True)
        >>> [r.email_address for r in event.bounced_recipients]
        ['bob@example.com']
        >>> parse_event({"eventType": "Send", "mail": {
        ...     "messageId": "m-1", "timestamp": "2024-05-01T12:00:00Z",
        ...     "source": "me@example.com", "destination": ["you@example.com"]},
        ...     "send": {}})
        SendEvent(event_type='Send', message_id='m-1', timestamp=2024-05-01T12:00:00+00:00, source='me@example.com', destination=('you@example.com',))
    """  # noqa: E501
    data = _decode(record)
    top = _Obj(data, "", None)

    is_notification = False
    event_type = top.opt_str("eventType")
    if event_type is None:
        event_type = top.opt_str("notificationType")
        is_notification = event_type is not None
    if event_type is None:
        raise EventParseError(
            "the record has neither 'eventType' nor 'notificationType'", field="eventType"
        )
    top.event_type = event_type

    mail = top.opt_obj("mail")
    if mail is None:
        raise EventParseError(
            f"the record has no 'mail' object (type {event_type!r})",
            field="mail",
            event_type=event_type,
        )

    base: dict[str, Any] = {
        "event_type": event_type,
        "message_id": mail.req_str("messageId"),
        "timestamp": mail.req_time("timestamp"),
        "source": mail.req_str("source"),
        "source_arn": mail.opt_str("sourceArn"),
        "sending_account_id": mail.opt_str("sendingAccountId"),
        "destination": mail.str_tuple("destination"),
        "tags": mail.tag_map("tags"),
        "headers": _headers(mail),
        "common_headers": _common_headers(mail),
        "headers_truncated": bool(mail.opt_bool("headersTruncated")),
        "raw": data if isinstance(data, MappingProxyType) else MappingProxyType(data),
        "is_notification": is_notification,
    }

    known = (_NOTIFICATION_TYPES if is_notification else _EVENT_TYPES).get(event_type)
    if known is None:
        return SesEvent(**base)
    cls, detail_key, read_details = known
    # A missing detail object reads as empty (the Send object is empty anyway); its
    # fields then come out as None rather than costing the caller the whole event.
    return cls(**base, **read_details(top.obj_or_empty(detail_key)))
