"""Typed SES event records: one frozen dataclass per event type.

SES publishes one JSON record per event: a `mail` object describing the message and one
detail object named after the event type (`bounce`, `delivery`, `failure`, ...). The
older identity notifications carry the same objects under `notificationType` instead of
`eventType`. `parse_event` (in `sesflow.events`) turns either into these classes.

Detail fields that SES may leave out are None (or empty), never invented. Sub-types such
as `bounce_sub_type` or `delay_type` are plain strings: SES adds values over time, and an
unknown value must not break a webhook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sesflow._errors import SesflowError

__all__ = [
    "BounceEvent",
    "BouncedRecipient",
    "ClickEvent",
    "ComplaintEvent",
    "DelayedRecipient",
    "DeliveryDelayEvent",
    "DeliveryEvent",
    "EventParseError",
    "OpenEvent",
    "RejectEvent",
    "RenderingFailureEvent",
    "SendEvent",
    "SesEvent",
    "SubscriptionEvent",
    "TopicPreferences",
]


def _empty_map() -> Mapping[str, Any]:
    return MappingProxyType({})


class EventParseError(SesflowError, ValueError):
    """A record that is not a usable SES event. Also a `ValueError`.

    Raised for input that is not a JSON object, a record without `mail` or without an
    `eventType`/`notificationType`, a missing `mail.messageId`/`timestamp`/`source`, a
    field of the wrong JSON type, or a timestamp that cannot be read.

    Attributes:
        field: where the problem is, as a path such as `"mail.timestamp"` or
            `"bounce.bouncedRecipients[0].emailAddress"` (None for the record as a whole).
        event_type: the record's `eventType`/`notificationType` when it has one, so a
            caller can recognise, e.g., SES's `AmazonSnsSubscriptionSucceeded` test
            notification (which has no `mail`) and acknowledge it.

    Examples:
        >>> try:
        ...     parse_event('{"eventType": "Bounce"}')
        ... except EventParseError as exc:
        ...     print(exc.field, "|", exc)
        mail | the record has no 'mail' object (type 'Bounce')
    """

    def __init__(
        self, message: str, *, field: str | None = None, event_type: str | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.event_type = event_type


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SesEvent:
    """One SES event record; the base of every event class.

    Records of an event type sesflow does not know parse to a plain `SesEvent`, so new
    SES event types never break a consumer; their details stay in `raw`.

    Attributes:
        event_type: SES's type string exactly as given: `Send`, `Delivery`, `Bounce`,
            `Complaint`, `Reject`, `Open`, `Click`, `Rendering Failure`, `DeliveryDelay`,
            `Subscription`, or an identity notification's `notificationType`.
        message_id: the SES message id (`mail.messageId`), the value the send returned.
        timestamp: when the message was sent (`mail.timestamp`), timezone-aware UTC.
        source: the envelope MAIL FROM address (`mail.source`).
        source_arn: the ARN of the sending identity, if given.
        sending_account_id: the sending AWS account, if given.
        destination: the message's recipients (`mail.destination`).
        tags: message tags, name → values (SES always gives lists).
        headers: the original headers as (name, value) pairs, in order; empty unless
            headers are included.
        common_headers: `mail.commonHeaders` as given (`from`, `to`, `subject`, ...).
        headers_truncated: whether SES cut the headers short (they exceeded 10 KB).
        raw: the decoded record, exactly as received (a read-only view).
        is_notification: True for the older identity notifications (`notificationType`).

    Examples:
        >>> event = parse_event(send_record)
        >>> event.event_type, event.message_id, event.destination
        ('Send', '0100018f2b4a6c1e-...-000000', ('bob@example.com',))
        >>> event.tags["ses:configuration-set"]
        ('marketing',)
    """

    event_type: str
    message_id: str
    timestamp: datetime
    source: str
    source_arn: str | None = field(default=None, repr=False)
    sending_account_id: str | None = field(default=None, repr=False)
    destination: tuple[str, ...] = ()
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map, hash=False, repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    common_headers: Mapping[str, Any] = field(default_factory=_empty_map, hash=False, repr=False)
    headers_truncated: bool = field(default=False, repr=False)
    raw: Mapping[str, Any] = field(default_factory=_empty_map, hash=False, repr=False)
    is_notification: bool = field(default=False, repr=False)

    def __repr__(self) -> str:
        # The raw record and headers can run to kilobytes; show what identifies the event
        # and its typed details, and leave out what SES did not send.
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if not f.repr or value is None:
                continue
            shown = value.isoformat() if isinstance(value, datetime) else repr(value)
            if isinstance(value, MappingProxyType):
                shown = repr(dict(value))
            parts.append(f"{f.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SendEvent(SesEvent):
    """SES accepted the send request and will try to deliver (`Send`).

    The `send` object SES publishes is always empty; everything is in the base fields.

    Examples:
        >>> event = parse_event(send_record)
        >>> isinstance(event, SendEvent), event.destination
        (True, ('bob@example.com',))
    """

    event_type: str = "Send"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DeliveryEvent(SesEvent):
    """The recipient's mail server accepted the message (`Delivery`).

    Attributes:
        delivered_at: when SES handed the message over (`delivery.timestamp`).
        processing_time_millis: milliseconds from SES accepting the request to handing
            the message over.
        recipients: the recipients this delivery applies to.
        smtp_response: the remote server's SMTP answer, e.g. `"250 2.6.0 Message received"`.
        reporting_mta: the host name of the SES mail server that sent the message.
        remote_mta_ip: the IP address of the receiving server (identity notifications).

    Examples:
        >>> event = parse_event(delivery_record)
        >>> event.recipients, event.smtp_response
        (('bob@example.com',), '250 2.6.0 Message received')
        >>> event.processing_time_millis
        2345
    """

    event_type: str = "Delivery"
    delivered_at: datetime | None = None
    processing_time_millis: int | None = None
    recipients: tuple[str, ...] = ()
    smtp_response: str | None = None
    reporting_mta: str | None = None
    remote_mta_ip: str | None = None


@dataclass(frozen=True, slots=True)
class BouncedRecipient:
    """One recipient of a bounce (`bounce.bouncedRecipients[]`).

    Attributes:
        email_address: the recipient (the DSN's `Final-Recipient` when there is one).
        action: the DSN's `Action`, e.g. `"failed"`; None without a DSN.
        status: the DSN's `Status`, e.g. `"5.1.1"`; None without a DSN.
        diagnostic_code: the DSN's `Diagnostic-Code`, e.g. `"smtp; 550 5.1.1 user unknown"`.

    Examples:
        >>> recipient = parse_event(bounce_record).bounced_recipients[0]
        >>> recipient.email_address, recipient.status, recipient.diagnostic_code
        ('bob@example.com', '5.1.1', 'smtp; 550 5.1.1 user unknown')
    """

    email_address: str
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class BounceEvent(SesEvent):
    """The message bounced (`Bounce`): hard (`Permanent`) or a soft bounce SES gave up on.

    Attributes:
        bounce_type: `Permanent`, `Transient` or `Undetermined` (an open string).
        bounce_sub_type: e.g. `General`, `NoEmail`, `Suppressed`,
            `OnAccountSuppressionList`, `MailboxFull` (an open string).
        bounced_recipients: the recipients that bounced.
        feedback_id: SES's unique id for this bounce.
        bounced_at: when the receiving side sent the bounce (`bounce.timestamp`).
        reporting_mta: the DSN's `Reporting-MTA`, when a DSN was attached.
        remote_mta_ip: the IP address SES tried to deliver to, when it reached one.

    Examples:
        >>> event = parse_event(bounce_record)
        >>> event.bounce_type, event.bounce_sub_type, event.is_permanent
        ('Permanent', 'General', True)
        >>> [r.email_address for r in event.bounced_recipients]
        ['bob@example.com']
    """

    event_type: str = "Bounce"
    bounce_type: str | None = None
    bounce_sub_type: str | None = None
    bounced_recipients: tuple[BouncedRecipient, ...] = ()
    feedback_id: str | None = None
    bounced_at: datetime | None = None
    reporting_mta: str | None = None
    remote_mta_ip: str | None = None

    @property
    def is_permanent(self) -> bool:
        """Whether this is a hard bounce: stop sending to these recipients.

        Only `Permanent` counts. `Transient` bounces may succeed later, and `Undetermined`
        ones carry too little information to suppress an address on.

        Examples:
            >>> hard = parse_event(bounce_record)
            >>> hard.bounce_type, hard.is_permanent
            ('Permanent', True)
            >>> soft = BounceEvent(message_id="m-1", timestamp=hard.timestamp,
            ...                    source="news@example.com", bounce_type="Transient")
            >>> soft.is_permanent
            False
        """
        return self.bounce_type == "Permanent"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ComplaintEvent(SesEvent):
    """A recipient marked the message as spam (`Complaint`).

    Attributes:
        complained_recipients: the addresses that may have complained. Most ISPs redact
            the complainant, so SES lists every recipient at the complaining domain.
        complaint_feedback_type: the feedback report's `Feedback-Type`, e.g. `abuse`,
            `fraud`, `not-spam`, `virus` (only with a feedback report).
        complaint_sub_type: None, or `OnAccountSuppressionList`.
        user_agent: the feedback report's `User-Agent`.
        feedback_id: SES's unique id for this complaint.
        complained_at: when the ISP sent the complaint (`complaint.timestamp`).
        arrival_date: the report's `Arrival-Date`; None when absent or unreadable (it
            comes from the ISP, not from SES).

    Examples:
        >>> event = parse_event(complaint_record)
        >>> event.complained_recipients, event.complaint_feedback_type
        (('bob@example.com',), 'abuse')
    """

    event_type: str = "Complaint"
    complained_recipients: tuple[str, ...] = ()
    complaint_feedback_type: str | None = None
    complaint_sub_type: str | None = None
    user_agent: str | None = None
    feedback_id: str | None = None
    complained_at: datetime | None = None
    arrival_date: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RejectEvent(SesEvent):
    """SES refused to send the message (`Reject`), e.g. because it carried a virus.

    Attributes:
        reason: SES's reason; documented as `"Bad content"`.

    Examples:
        >>> parse_event(reject_record).reason
        'Bad content'
    """

    event_type: str = "Reject"
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class OpenEvent(SesEvent):
    """The recipient opened the message (`Open`; needs open tracking).

    Attributes:
        ip_address: the recipient's IP address.
        user_agent: the client that opened the message.
        opened_at: when it was opened (`open.timestamp`).

    Examples:
        >>> event = parse_event(open_record)
        >>> event.ip_address, event.opened_at.isoformat()
        ('192.0.2.1', '2024-05-01T12:30:19.652000+00:00')
    """

    event_type: str = "Open"
    ip_address: str | None = None
    user_agent: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ClickEvent(SesEvent):
    """The recipient clicked a link in the message (`Click`; needs click tracking).

    Attributes:
        link: the URL that was clicked.
        link_tags: the link's `ses:tags`, name → values.
        ip_address: the recipient's IP address.
        user_agent: the client used to click.
        clicked_at: when the link was clicked (`click.timestamp`).

    Examples:
        >>> event = parse_event(click_record)
        >>> event.link, event.link_tags["campaign"]
        ('https://example.com/spring', ('spring',))
    """

    event_type: str = "Click"
    link: str | None = None
    link_tags: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map, hash=False)
    ip_address: str | None = None
    user_agent: str | None = None
    clicked_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RenderingFailureEvent(SesEvent):
    """A templated message could not be rendered, so it was not sent (`Rendering Failure`).

    SES publishes the details under the `failure` key.

    Attributes:
        template_name: the template that failed.
        error_message: why, e.g. `"Attribute 'name' is not present in the rendering data."`.

    Examples:
        >>> event = parse_event(rendering_failure_record)
        >>> event.event_type, event.template_name
        ('Rendering Failure', 'welcome')
        >>> event.error_message
        "Attribute 'name' is not present in the rendering data."
    """

    event_type: str = "Rendering Failure"
    template_name: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class DelayedRecipient:
    """One recipient of a delayed delivery (`deliveryDelay.delayedRecipients[]`).

    Attributes:
        email_address: the recipient whose delivery is delayed.
        status: the SMTP status code, e.g. `"4.4.1"`.
        diagnostic_code: the receiving server's diagnostic, when it gave one.

    Examples:
        >>> recipient = parse_event(delivery_delay_record).delayed_recipients[0]
        >>> recipient.email_address, recipient.status
        ('bob@example.com', '4.4.1')
    """

    email_address: str
    status: str | None = None
    diagnostic_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DeliveryDelayEvent(SesEvent):
    """SES could not deliver yet and is still retrying (`DeliveryDelay`).

    This is not a bounce: SES keeps trying until `expiration_time`, and only then (if it
    still fails) publishes a `Bounce`. Do not suppress addresses on a delay.

    Attributes:
        delay_type: e.g. `InternalFailure`, `General`, `MailboxFull`, `SpamDetected`,
            `RecipientServerError`, `IPFailure`, `TransientCommunicationFailure`,
            `BYOIPHostNameLookupUnavailable`, `Undetermined`, `SendingDeferral`
            (an open string).
        delayed_recipients: the recipients whose delivery is delayed.
        expiration_time: when SES stops retrying.
        reporting_mta: the MTA that reported the delay.
        delayed_at: when the delay happened (`deliveryDelay.timestamp`).

    Examples:
        >>> event = parse_event(delivery_delay_record)
        >>> event.delay_type, [r.email_address for r in event.delayed_recipients]
        ('TransientCommunicationFailure', ['bob@example.com'])
        >>> event.expiration_time.isoformat()
        '2024-05-01T23:00:00+00:00'
    """

    event_type: str = "DeliveryDelay"
    delay_type: str | None = None
    delayed_recipients: tuple[DelayedRecipient, ...] = ()
    expiration_time: datetime | None = None
    reporting_mta: str | None = None
    delayed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TopicPreferences:
    """A contact's subscription preferences, before or after a change.

    Attributes:
        unsubscribe_all: whether the contact left every topic of the list.
        topic_subscription_statuses: topic name → status (`OptIn` or `OptOut`), from
            SES's `topicSubscriptionStatus` list.

    Examples:
        >>> event = parse_event(subscription_record)
        >>> prefs = event.new_topic_preferences
        >>> prefs.unsubscribe_all, dict(prefs.topic_subscription_statuses)
        (True, {'Newsletter': 'OptOut'})
        >>> dict(event.old_topic_preferences.topic_subscription_statuses)
        {'Newsletter': 'OptIn'}
    """

    unsubscribe_all: bool = False
    topic_subscription_statuses: Mapping[str, str] = field(default_factory=_empty_map, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SubscriptionEvent(SesEvent):
    """A contact changed their subscription (`Subscription`; list management).

    Attributes:
        contact_list: the contact list concerned.
        subscribed_at: when the change happened (`subscription.timestamp`).
        subscription_source: what made the change (SES's `subscription.source`, e.g.
            `UnsubscribeHeader`); named so because `source` is the sender address.
        new_topic_preferences: the preferences after the change.
        old_topic_preferences: the preferences before the change.

    Examples:
        >>> event = parse_event(subscription_record)
        >>> event.contact_list, event.subscription_source
        ('Customers', 'UnsubscribeHeader')
        >>> event.new_topic_preferences.unsubscribe_all
        True
    """

    event_type: str = "Subscription"
    contact_list: str | None = None
    subscribed_at: datetime | None = None
    subscription_source: str | None = None
    new_topic_preferences: TopicPreferences | None = None
    old_topic_preferences: TopicPreferences | None = None
