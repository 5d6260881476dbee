"""Insights: what happened to a sent message (`GetMessageInsights`), and what SES thinks
of an address before you send to it (`GetEmailAddressInsights`).

Message insights come from SES's Virtual Deliverability Manager (turn it on for the
account); they list, per recipient, the events SES saw (send, delivery, bounce,
complaint, opens and clicks when engagement tracking is on). Address insights check an
address's syntax, its domain's DNS, whether the mailbox exists, and whether it is a role,
disposable or random address; `send_bulk(..., skip_risky=True)` uses them to leave out
risky addresses (one paid call per address: see the docs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sesflow._enums import EventType
from sesflow._errors import ValidationError
from sesflow._validate import validate_address

if TYPE_CHECKING:
    from sesflow._ses import SES

__all__ = [
    "ConfidenceVerdict",
    "EmailAddressInsights",
    "InsightsEvent",
    "MessageInsights",
    "RecipientInsights",
    "SentMessage",
    "address_insights",
    "risk_screen",
]


class ConfidenceVerdict(StrEnum):
    """How sure SES is of a check on an address (`ConfidenceVerdict`).

    Examples:
        >>> ConfidenceVerdict("LOW") is ConfidenceVerdict.LOW
        True
    """

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@dataclass(frozen=True, slots=True)
class InsightsEvent:
    """One event of one recipient of a message, from `MessageInsights`.

    Examples:
        >>> result = sender.send("bounce@simulator.amazonses.com", "Hi", text="Yo")
        >>> [recipient] = ses.message(result.message_id).insights().recipients
        >>> bounce = recipient.events[-1]
        >>> bounce.type.value, bounce.bounce_type
        ('BOUNCE', 'PERMANENT')
    """

    type: EventType
    timestamp: dt.datetime | None = None
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    diagnostic_code: str | None = None
    complaint_subtype: str | None = None
    complaint_feedback_type: str | None = None

    @classmethod
    def _from_ses(cls, item: Mapping[str, Any]) -> InsightsEvent:
        details: Mapping[str, Any] = item.get("Details") or {}
        bounce: Mapping[str, Any] = details.get("Bounce") or {}
        complaint: Mapping[str, Any] = details.get("Complaint") or {}
        return cls(
            type=EventType(item["Type"]),
            timestamp=item.get("Timestamp"),
            bounce_type=bounce.get("BounceType"),
            bounce_subtype=bounce.get("BounceSubType"),
            diagnostic_code=bounce.get("DiagnosticCode"),
            complaint_subtype=complaint.get("ComplaintSubType"),
            complaint_feedback_type=complaint.get("ComplaintFeedbackType"),
        )


@dataclass(frozen=True, slots=True)
class RecipientInsights:
    """What happened to a message for one recipient: its ISP and its events, in order.

    Examples:
        >>> result = sender.send("bob@example.com", "Hi", text="Yo")
        >>> [bob] = ses.message(result.message_id).insights().recipients
        >>> bob.address, [e.type.value for e in bob.events], bob.last_event.value
        ('bob@example.com', ['SEND', 'DELIVERY'], 'DELIVERY')
    """

    address: str
    isp: str | None
    events: tuple[InsightsEvent, ...]

    @property
    def last_event(self) -> EventType | None:
        """The type of the latest event, or None if SES saw none yet.

        Examples:
            >>> RecipientInsights("bob@example.com", None, ()).last_event is None
            True
        """
        return self.events[-1].type if self.events else None


@dataclass(frozen=True, slots=True)
class MessageInsights:
    """A sent message's insights (`GetMessageInsights`): who sent what, and per recipient
    the events SES saw.

    Examples:
        >>> result = sender.send(["ann@example.com", "bob@example.com"], "Hi", text="Yo")
        >>> insights = ses.message(result.message_id).insights()
        >>> insights.subject, [r.address for r in insights.recipients]
        ('Hi', ['ann@example.com', 'bob@example.com'])
    """

    message_id: str
    from_address: str | None
    subject: str | None
    message_tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    recipients: tuple[RecipientInsights, ...] = ()

    @classmethod
    def _from_ses(cls, message_id: str, response: Mapping[str, Any]) -> MessageInsights:
        tags = {t["Name"]: t["Value"] for t in response.get("EmailTags") or ()}
        return cls(
            message_id=str(response.get("MessageId") or message_id),
            from_address=response.get("FromEmailAddress"),
            subject=response.get("Subject"),
            message_tags=MappingProxyType(tags),
            recipients=tuple(
                RecipientInsights(
                    address=str(item.get("Destination") or ""),
                    isp=item.get("Isp"),
                    events=tuple(InsightsEvent._from_ses(e) for e in item.get("Events") or ()),
                )
                for item in response.get("Insights") or ()
            ),
        )


class SentMessage:
    """A message SES accepted, by its id (`ses.message(message_id)`; no AWS call).

    Examples:
        >>> result = sender.send("bob@example.com", "Hi", text="Yo")
        >>> ses.message(result.message_id).insights().recipients[0].last_event.value
        'DELIVERY'
    """

    def __init__(self, ses: SES, message_id: str) -> None:
        if not isinstance(message_id, str) or not message_id.strip():
            raise ValidationError(
                f"message_id: expected SES's message id as a str, got {message_id!r}",
                field="message_id",
                value=message_id,
            )
        self._ses = ses
        self.message_id = message_id

    def __repr__(self) -> str:
        return f"SentMessage({self.message_id!r})"

    def insights(self) -> MessageInsights:
        """The message's insights (`GetMessageInsights`; SES allows one call a second).

        Raises:
            NotFoundError: SES has no insights for this id (unknown, too old, or the
                account's Virtual Deliverability Manager is off).

        Examples:
            >>> result = sender.send("complaint@simulator.amazonses.com", "Hi", text="Yo")
            >>> events = ses.message(result.message_id).insights().recipients[0].events
            >>> [e.type.value for e in events]
            ['SEND', 'DELIVERY', 'COMPLAINT']
        """
        response = self._ses._call("GetMessageInsights", MessageId=self.message_id)
        return MessageInsights._from_ses(self.message_id, response)


@dataclass(frozen=True, slots=True)
class EmailAddressInsights:
    """SES's checks of one address (`GetEmailAddressInsights`), each a `ConfidenceVerdict`
    (None where SES gave none).

    `valid` is SES's overall verdict that the address is good to send to; each other field
    is how sure SES is that what it names is true (`is_disposable=HIGH`: almost surely a
    throw-away address).

    Examples:
        >>> insights = ses.address_insights("bounce@simulator.amazonses.com")
        >>> insights.valid, insights.mailbox_exists, insights.risky
        (<ConfidenceVerdict.LOW: 'LOW'>, <ConfidenceVerdict.LOW: 'LOW'>, True)
    """

    address: str
    valid: ConfidenceVerdict | None = None
    has_valid_syntax: ConfidenceVerdict | None = None
    has_valid_dns_records: ConfidenceVerdict | None = None
    mailbox_exists: ConfidenceVerdict | None = None
    is_role_address: ConfidenceVerdict | None = None
    is_disposable: ConfidenceVerdict | None = None
    is_random_input: ConfidenceVerdict | None = None

    @property
    def risky(self) -> bool:
        """sesflow's reading, used by `send_bulk(skip_risky=True)`: SES's overall verdict
        is `LOW`, or it is highly sure the address is disposable or random input.

        Examples:
            >>> ses.address_insights("ann@example.com").risky
            False
        """
        return (
            self.valid is ConfidenceVerdict.LOW
            or self.is_disposable is ConfidenceVerdict.HIGH
            or self.is_random_input is ConfidenceVerdict.HIGH
        )

    @classmethod
    def _from_ses(cls, address: str, response: Mapping[str, Any]) -> EmailAddressInsights:
        validation: Mapping[str, Any] = response.get("MailboxValidation") or {}
        evaluations: Mapping[str, Any] = validation.get("Evaluations") or {}

        def verdict(check: Mapping[str, Any] | None) -> ConfidenceVerdict | None:
            value = (check or {}).get("ConfidenceVerdict")
            return ConfidenceVerdict(value) if value else None

        return cls(
            address=address,
            valid=verdict(validation.get("IsValid")),
            has_valid_syntax=verdict(evaluations.get("HasValidSyntax")),
            has_valid_dns_records=verdict(evaluations.get("HasValidDnsRecords")),
            mailbox_exists=verdict(evaluations.get("MailboxExists")),
            is_role_address=verdict(evaluations.get("IsRoleAddress")),
            is_disposable=verdict(evaluations.get("IsDisposable")),
            is_random_input=verdict(evaluations.get("IsRandomInput")),
        )


def address_insights(ses: SES, address: str) -> EmailAddressInsights:
    """SES's checks of `address`; see `SES.address_insights`."""
    checked = validate_address(address)
    response = ses._call("GetEmailAddressInsights", EmailAddress=checked)
    return EmailAddressInsights._from_ses(checked, response)


#: What `send_bulk(skip_risky=...)` takes: True for `EmailAddressInsights.risky`, or a
#: predicate of your own that says which addresses to leave out.
RiskRule = bool | Callable[[EmailAddressInsights], bool]


def risk_screen(ses: SES, rule: RiskRule) -> Callable[[Iterable[str]], dict[str, str]] | None:
    """The bulk sender's screen for `skip_risky=rule`: addresses in, `{address: reason}`
    out for those to leave out; None when off.

    Examples:
        >>> screen = risk_screen(ses, True)
        >>> refused = screen(["ann@example.com", "bounce@simulator.amazonses.com"])
        >>> for address, why in refused.items():
        ...     print(address, "|", why)
        bounce@simulator.amazonses.com | SES rates this address risky (valid: LOW,
            mailbox_exists: LOW); left out by skip_risky
    """
    if rule is False:
        return None
    if rule is True:
        is_risky: Callable[[EmailAddressInsights], bool] = _risky
    elif callable(rule):
        is_risky = rule
    else:
        raise ValidationError(
            f"skip_risky: expected True, False or a function of EmailAddressInsights, "
            f"got {type(rule).__name__}",
            field="skip_risky",
            value=rule,
        )

    def screen(addresses: Iterable[str]) -> dict[str, str]:
        refused: dict[str, str] = {}
        for address in addresses:
            insights = address_insights(ses, address)
            if is_risky(insights):
                refused[address] = (
                    f"SES rates this address risky ({_verdicts(insights)}); left out by skip_risky"
                )
        return refused

    return screen


def _risky(insights: EmailAddressInsights) -> bool:
    return insights.risky


def _verdicts(insights: EmailAddressInsights) -> str:
    """The verdicts that make an address risky, for the report's reason."""
    shown = [f"valid: {insights.valid.value}"] if insights.valid is not None else []
    for name in ("has_valid_syntax", "has_valid_dns_records", "mailbox_exists"):
        if getattr(insights, name) is ConfidenceVerdict.LOW:
            shown.append(f"{name}: LOW")
    for name in ("is_disposable", "is_random_input"):
        if getattr(insights, name) is ConfidenceVerdict.HIGH:
            shown.append(f"{name}: HIGH")
    return ", ".join(shown)
