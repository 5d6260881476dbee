"""Event publishing: the records SES sends to a configuration set's event destinations.

A message accepted with a configuration set (named on the send, or the sender identity's
default) produces SES event-publishing records, in SES's own format, for every event type an
**enabled** event destination of that set matches. What happens to a message:

- every accepted message: `Send` (for a template send, without the subject: SES renders
  it later, and the later records carry it);
- a template the data could not fill: `Rendering Failure` (`failure`: `errorMessage`,
  and `templateName` for a stored template), and nothing else;
- a recipient scripted `REJECT` (`FakeSES.recipient_outcome`): `Reject`
  (`Bad content`, as for a virus) for the whole message, and nothing else;
- then per recipient, in order: a recipient withheld by the account-level suppression list,
  or `suppressionlist@simulator.amazonses.com`: `Bounce` Permanent/OnAccountSuppressionList;
  `bounce@`: `Bounce` Permanent/General; `complaint@`: `Delivery` then `Complaint`
  (`abuse`); `success@`, `ooto@` and any other address: `Delivery`; an address
  scripted with `FakeSES.recipient_outcome`: what it was scripted to do, including
  `DeliveryDelay`. Simulator addresses take a `+label`.

One record is kept per event, however many destinations it went to; each knows its
destinations (`FakeSES.event_deliveries`). Timestamps come from the fake's
`wall_clock`: the send's time, and a few seconds after it for what follows (deliveries
750 ms). Open, Click and Subscription events are never produced (nobody reads the mail).
A fake made with `keep_messages=False` keeps no events, as it keeps no messages.
"""

from __future__ import annotations

import email.utils
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sesflow.testing._configuration_sets import ConfigurationSetStore, FakeEventDestination
from sesflow.testing._context import Context
from sesflow.testing._identities import IdentityStore
from sesflow.testing._outbox import address_key
from sesflow.testing._plain import plain
from sesflow.testing._sending import SIMULATOR_DOMAIN, Body, Recipients, bare_address
from sesflow.testing._sns import SnsStore, iso_millis

__all__ = ["EventStore", "FakeEventDelivery", "Published", "iso_millis"]

# Each SES EventType value: the record's eventType, and the member holding its details.
_EVENT_NAMES = {
    "SEND": ("Send", "send"),
    "REJECT": ("Reject", "reject"),
    "BOUNCE": ("Bounce", "bounce"),
    "COMPLAINT": ("Complaint", "complaint"),
    "DELIVERY": ("Delivery", "delivery"),
    "OPEN": ("Open", "open"),
    "CLICK": ("Click", "click"),
    "RENDERING_FAILURE": ("Rendering Failure", "failure"),
    "DELIVERY_DELAY": ("DeliveryDelay", "deliveryDelay"),
    "SUBSCRIPTION": ("Subscription", "subscription"),
}
_BY_RECORD_NAME = {name: key for key, (name, _) in _EVENT_NAMES.items()}
_OUTCOMES = ("DELIVERY", "BOUNCE", "COMPLAINT", "DELIVERY_DELAY", "REJECT")
# What each mailbox-simulator user does; "SUPPRESSED" bounces as the account list would.
_SIMULATOR_OUTCOMES = {
    "success": "DELIVERY",
    "ooto": "DELIVERY",
    "bounce": "BOUNCE",
    "complaint": "COMPLAINT",
    "suppressionlist": "SUPPRESSED",
}
# Addresses from the documentation ranges (RFC 5737): they look real and route nowhere.
SOURCE_IP = "192.0.2.10"
OUTGOING_IP = "192.0.2.25"
REMOTE_MTA_IP = "198.51.100.7"
CALLER_IDENTITY = "fake-ses-user"
_SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES did not send the message to this address because it is on the suppression "
    "list for your account. For more information about removing addresses from the "
    "suppression list, see the Amazon SES Developer Guide at "
    "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
)
# Milliseconds after the send at which each later event happens. Kept to seconds so that an
# SNS verifier checking timestamps against the real clock accepts envelopes made just now.
_DELIVERY_MILLIS = 750
_BOUNCE_MILLIS = 1_000
_COMPLAINT_MILLIS = 2_000
_DELAY_MILLIS = 3_000
_DEFAULT_MAX_DELIVERY_SECONDS = 50_400


class FakeEventDelivery(NamedTuple):
    """One event record as delivered to one event destination (`FakeSES.event_deliveries()`).

    A tuple, so it unpacks as `(destination, kind, record)`.

    Examples:
        >>> _ = ses.configuration_set("marketing").create().add_event_destination(
        ...     "to-sns", ["SEND"], SnsDestination(topic_arn))
        >>> _ = ses.sender("news@example.com", configuration_set="marketing").send(
        ...     "bob@example.com", "Hi", text="Yo")
        >>> [(name, kind, record["eventType"]) for name, kind, record in fake.event_deliveries()]
        [('to-sns', 'SnsDestination', 'Send')]

    Attributes:
        destination: The event destination's name.
        kind: Its destination member: `SnsDestination`, `CloudWatchDestination`,
            `KinesisFirehoseDestination`, `EventBridgeDestination` or
            `PinpointDestination`.
        record: The event record, decoded (a private copy).
    """

    destination: str
    kind: str
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a scripted recipient does: one of `_OUTCOMES`, with its details."""

    kind: str
    bounce_type: str = "Permanent"
    bounce_subtype: str = "General"
    delay_type: str = "TransientCommunicationFailure"


@dataclass(frozen=True, slots=True)
class _Step:
    """One event a recipient's mail publishes: when (ms after the send) and its details."""

    event_type: str
    offset: int
    detail: dict[str, Any]
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Published:
    """One event record, kept as the compact JSON SES publishes (what SNS carries)."""

    event_type: str
    configuration_set: str
    text: str
    millis: int
    destinations: tuple[FakeEventDestination, ...]


@dataclass(frozen=True, slots=True)
class _Mail:
    """What every record of one message shares, ready to become its `mail` object."""

    message_id: str
    millis: int
    source: str
    source_arn: str
    account_id: str
    destination: tuple[str, ...]
    # Headers and commonHeaders once the message is rendered; a Send of a template send
    # sees them before rendering, without the subject.
    headers: tuple[tuple[str, str], ...]
    common: Mapping[str, Any]
    tags: Mapping[str, tuple[str, ...]]
    templated: bool

    def to_json(self, *, stage: str, extra_tags: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The `mail` object; `stage` is `send`, `failed` (never rendered) or `sent`."""
        tags = {name: list(values) for name, values in self.tags.items()}
        for name, value in (extra_tags or {}).items():
            tags[name] = [value]
        mail: dict[str, Any] = {
            "timestamp": iso_millis(self.millis),
            "source": self.source,
            "sourceArn": self.source_arn,
            "sendingAccountId": self.account_id,
            "messageId": self.message_id,
            "destination": list(self.destination),
            "headersTruncated": False,
        }
        if stage != "failed":
            unrendered = stage == "send" and self.templated
            mail["headers"] = [
                {"name": name, "value": value}
                for name, value in self.headers
                if not (unrendered and name.lower() == "subject")
            ]
            common = dict(self.common)
            if unrendered:
                common.pop("subject", None)
            mail["commonHeaders"] = common
        mail["tags"] = tags
        return mail


class EventStore:
    """The event records published for accepted messages, and the outcomes tests scripted.

    Sending hands it every accepted message sent with a configuration set (`publish()`);
    it reads the set's enabled destinations from the configuration-set store, the sender's
    identity from the identity store, and passes each record for an SNS destination on to the
    SNS store.

    Examples:
        >>> from sesflow.testing._identities import IdentitySettings
        >>> context = Context("us-east-1", "123456789012", clock, clock, seed=7)
        >>> sets = ConfigurationSetStore(context)
        >>> events = EventStore(context, sets, IdentityStore(context, sets, IdentitySettings()),
        ...                     SnsStore(context))
        >>> events.recipient_outcome("slow@example.org", "DELIVERY_DELAY")
        >>> len(events), events.events()
        (0, [])
    """

    def __init__(
        self,
        context: Context,
        configuration_sets: ConfigurationSetStore,
        identities: IdentityStore,
        sns: SnsStore,
    ) -> None:
        self._context = context
        self._configuration_sets = configuration_sets
        self._identities = identities
        self._sns = sns
        self._published: list[Published] = []
        self._outcomes: dict[str, _Outcome] = {}
        self._event_random = context.generator("events")

    def __len__(self) -> int:
        return len(self._published)

    def events(
        self, configuration_set: str | None = None, event_type: str | None = None
    ) -> list[dict[str, Any]]:
        """Every event record published, oldest first, decoded (private copies)."""
        wanted = None if event_type is None else _event_type(event_type)
        chosen = [
            published.text
            for published in self._published
            if (configuration_set is None or published.configuration_set == configuration_set)
            and (wanted is None or published.event_type == wanted)
        ]
        return [json.loads(text) for text in chosen]

    def event_deliveries(self) -> list[FakeEventDelivery]:
        """Every (destination name, destination kind, record) delivery, oldest first."""
        published = list(self._published)
        return [
            FakeEventDelivery(destination.name, destination.destination_type, json.loads(p.text))
            for p in published
            for destination in p.destinations
        ]

    def clear(self) -> None:
        """Forget every event record and delivery (and so the SNS envelopes made from them)."""
        self._published = []
        self._sns.clear()

    def recipient_outcome(
        self,
        address: str,
        outcome: str | None,
        *,
        bounce_type: str = "Permanent",
        bounce_subtype: str = "General",
        delay_type: str = "TransientCommunicationFailure",
    ) -> None:
        """Script what happens to mail for `address` from now on, for its event records."""
        key = address_key(address).lower()
        if outcome is None:
            self._outcomes.pop(key, None)
            return
        checked = plain(outcome)
        if checked not in _OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(_OUTCOMES)} or None")
        self._outcomes[key] = _Outcome(checked, bounce_type, bounce_subtype, delay_type)

    def outcome(self, address: str) -> str:
        """What mail to `address` does now, as scripted or as the mailbox simulator does.

        One of `DELIVERY`, `BOUNCE`, `COMPLAINT`, `DELIVERY_DELAY`, `REJECT`, or
        `SUPPRESSED` (`suppressionlist@simulator.amazonses.com`).

        Examples:
            >>> fake.recipient_outcome("slow@example.org", "DELIVERY_DELAY")
            >>> fake._events.outcome("slow@example.org")
            'DELIVERY_DELAY'
            >>> fake._events.outcome("bounce+7@simulator.amazonses.com")
            'BOUNCE'
        """
        return self._outcome_for(address_key(address)).kind

    # --- publishing ----------------------------------------------------------------------

    def publish(
        self,
        message_id: str,
        from_address: str,
        recipients: Recipients,
        body: Body,
        *,
        rendered: tuple[str | None, str | None, str | None],
        rendering_error: str | None,
        tags: dict[str, str],
        configuration_set: str,
        withheld: Counter[str],
    ) -> None:
        """Publish the records of one accepted message sent with `configuration_set`.

        `rendered` is the subject, text and HTML as sent (`None` where absent or
        unrendered); `withheld` counts the recipients the suppression list withheld.
        """
        destinations = self._configuration_sets.enabled_destinations(configuration_set)
        if not destinations:
            return
        mail = self._mail(
            message_id, from_address, recipients, body, rendered, tags, configuration_set
        )

        def publish(step: _Step, stage: str) -> None:
            matching = tuple(d for d in destinations if step.event_type in d.matching_event_types)
            if not matching:
                return
            name, member = _EVENT_NAMES[step.event_type]
            record = {
                "eventType": name,
                "mail": mail.to_json(stage=stage, extra_tags=step.tags),
                member: step.detail,
            }
            published = Published(
                event_type=step.event_type,
                configuration_set=configuration_set,
                text=json.dumps(record, separators=(",", ":")),
                millis=mail.millis + step.offset,
                destinations=matching,
            )
            self._published.append(published)
            for destination in matching:
                self._sns.delivered(destination, published)

        publish(_Step("SEND", 0, {}), "send")
        if rendering_error is not None:
            failure = {"errorMessage": rendering_error}
            if body.template_name is not None:
                failure["templateName"] = body.template_name
            publish(_Step("RENDERING_FAILURE", 0, failure), "failed")
            return
        outcomes = [self._outcome_for(key) for key in recipients.keys]
        if any(outcome.kind == "REJECT" for outcome in outcomes):
            publish(_Step("REJECT", 0, {"reason": "Bad content"}), "sent")
            return
        for key, outcome in zip(recipients.keys, outcomes, strict=True):
            kind = outcome.kind
            if withheld[key] > 0:
                withheld[key] -= 1
                kind = "SUPPRESSED"
            for step in self._recipient_events(key, kind, outcome, mail.millis, configuration_set):
                publish(step, "sent")

    def _recipient_events(
        self, key: str, kind: str, outcome: _Outcome, sent: int, configuration_set: str
    ) -> list[_Step]:
        """What one recipient's mail does, as the events it publishes."""
        mta = f"a8-70.smtp-out.{self._context.region}.amazonses.com"
        if kind == "SUPPRESSED":
            # SES never tries the address, so the bounce is as old as the send.
            bounce = self._bounce(key, sent, "Permanent", "OnAccountSuppressionList")
            bounce["bouncedRecipients"][0]["diagnosticCode"] = _SUPPRESSED_DIAGNOSTIC
            bounce["reportingMTA"] = "dns; amazonses.com"
            return [_Step("BOUNCE", 0, bounce)]
        if kind == "BOUNCE":
            when = sent + _BOUNCE_MILLIS
            bounce = self._bounce(key, when, outcome.bounce_type, outcome.bounce_subtype)
            bounce["reportingMTA"] = f"dns; {mta}"
            return [_Step("BOUNCE", _BOUNCE_MILLIS, bounce)]
        if kind == "DELIVERY_DELAY":
            limit = self._configuration_sets.max_delivery_seconds(configuration_set)
            delay = {
                "timestamp": iso_millis(sent + _DELAY_MILLIS),
                "delayType": outcome.delay_type,
                "expirationTime": iso_millis(
                    sent + 1000 * int(limit or _DEFAULT_MAX_DELIVERY_SECONDS)
                ),
                "delayedRecipients": [
                    {
                        "emailAddress": key,
                        "status": "4.4.1",
                        "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
                    }
                ],
                "reportingMTA": OUTGOING_IP,
            }
            return [_Step("DELIVERY_DELAY", _DELAY_MILLIS, delay)]
        delivered = sent + _DELIVERY_MILLIS
        delivery = {
            "timestamp": iso_millis(delivered),
            "processingTimeMillis": _DELIVERY_MILLIS,
            "recipients": [key],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": mta,
            "remoteMtaIp": REMOTE_MTA_IP,
        }
        steps = [_Step("DELIVERY", _DELIVERY_MILLIS, delivery, {"ses:outgoing-ip": OUTGOING_IP})]
        if kind == "COMPLAINT":
            complaint = {
                "complainedRecipients": [{"emailAddress": key}],
                "timestamp": iso_millis(sent + _COMPLAINT_MILLIS),
                "feedbackId": self._feedback_id(sent + _COMPLAINT_MILLIS),
                "complaintFeedbackType": "abuse",
                "userAgent": "Amazon SES Mailbox Simulator",
                "arrivalDate": iso_millis(delivered),
            }
            steps.append(_Step("COMPLAINT", _COMPLAINT_MILLIS, complaint))
        return steps

    def _bounce(self, key: str, millis: int, bounce_type: str, subtype: str) -> dict[str, Any]:
        permanent = bounce_type == "Permanent"
        return {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "bouncedRecipients": [
                {
                    "emailAddress": key,
                    "action": "failed",
                    "status": "5.1.1" if permanent else "4.0.0",
                    "diagnosticCode": (
                        "smtp; 550 5.1.1 user unknown"
                        if permanent
                        else "smtp; 452 4.2.2 Mailbox full"
                    ),
                }
            ],
            "timestamp": iso_millis(millis),
            "feedbackId": self._feedback_id(millis),
        }

    def outcome_with_type(self, key: str) -> tuple[str, str]:
        """What mail to `key` does by the scripted outcomes and the simulator's rules:
        `(kind, bounce type)`, kind one of `DELIVERY BOUNCE COMPLAINT DELIVERY_DELAY REJECT`."""
        found = self._outcome_for(key)
        return found.kind, found.bounce_type

    def _outcome_for(self, key: str) -> _Outcome:
        scripted = self._outcomes.get(key.lower())
        if scripted is not None:
            return scripted
        local, _, domain = key.rpartition("@")
        if domain.lower() == SIMULATOR_DOMAIN:
            kind = _SIMULATOR_OUTCOMES.get(local.partition("+")[0].lower())
            if kind is not None:
                return _Outcome(kind)
        return _Outcome("DELIVERY")

    def _feedback_id(self, millis: int) -> str:
        # The shape of SES's feedback ids, which is that of its message ids.
        random_part = uuid.UUID(int=self._event_random.getrandbits(128), version=4)
        return f"0100{millis:012x}-{random_part}-000000"

    def _mail(
        self,
        message_id: str,
        from_address: str,
        recipients: Recipients,
        body: Body,
        rendered: tuple[str | None, str | None, str | None],
        tags: Mapping[str, str],
        configuration_set: str,
    ) -> _Mail:
        bare = bare_address(from_address, "FromEmailAddress")
        from_domain = bare.rpartition("@")[2]
        identity = self._identities.verified(bare)
        identity_name = identity.name if identity is not None else from_domain
        subject, text, html = rendered
        if body.raw is not None:
            headers = body.headers
            to = _header_addresses(headers, "To")
            subject = _header(headers, "Subject")
        else:
            headers = _simple_headers(
                message_id, from_address, recipients, body, subject, text, html
            )
            to = list(recipients.to)
        common: dict[str, Any] = {"from": [from_address]}
        if to:
            common["to"] = to
        common["messageId"] = message_id
        if subject is not None:
            common["subject"] = subject
        all_tags: dict[str, tuple[str, ...]] = {
            "ses:configuration-set": (configuration_set,),
            "ses:source-ip": (SOURCE_IP,),
            "ses:from-domain": (from_domain,),
            "ses:caller-identity": (CALLER_IDENTITY,),
        }
        all_tags.update((name, (value,)) for name, value in tags.items())
        return _Mail(
            message_id=message_id,
            millis=round(self._context.wall_clock() * 1000),
            source=from_address,
            source_arn=(
                f"arn:{_partition(self._context.region)}:ses:{self._context.region}:{self._context.account_id}:"
                f"identity/{identity_name}"
            ),
            account_id=self._context.account_id,
            destination=recipients.to + recipients.cc + recipients.bcc,
            headers=headers,
            common=common,
            tags=all_tags,
            templated=body.template is not None,
        )


def _simple_headers(
    message_id: str,
    from_address: str,
    recipients: Recipients,
    body: Body,
    subject: str | None,
    text: str | None,
    html: str | None,
) -> tuple[tuple[str, str], ...]:
    """The headers SES writes for a Simple or Template message, then the caller's own."""
    headers = [("From", from_address)]
    if recipients.to:
        headers.append(("To", ", ".join(recipients.to)))
    if recipients.cc:
        headers.append(("Cc", ", ".join(recipients.cc)))
    if subject is not None or body.template is not None:
        headers.append(("Subject", subject or ""))
    headers.append(("MIME-Version", "1.0"))
    boundary = f'boundary="----=_Part_{message_id[17:25]}"'
    if body.attachments:
        content_type = f"multipart/mixed; {boundary}"
    elif text is not None and html is not None:
        content_type = f"multipart/alternative; {boundary}"
    elif html is not None:
        content_type = "text/html; charset=UTF-8"
    else:
        content_type = "text/plain; charset=UTF-8"
    headers.append(("Content-Type", content_type))
    headers.extend(body.headers)
    return tuple(headers)


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def _header_addresses(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    values = [value for key, value in headers if key.lower() == name.lower()]
    return [
        email.utils.formataddr(pair) if pair[0] else pair[1]
        for pair in email.utils.getaddresses(values)
        if pair[1]
    ]


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _event_type(value: object) -> str:
    checked = plain(value)
    if checked in _EVENT_NAMES:
        return checked
    if checked in _BY_RECORD_NAME:
        return _BY_RECORD_NAME[checked]
    raise ValueError(
        f"{value!r} is not an event type: use an SES EventType ({', '.join(_EVENT_NAMES)}) "
        "or a record's eventType"
    )
