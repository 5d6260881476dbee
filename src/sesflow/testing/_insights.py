"""Insights: a sent message's events (`GetMessageInsights`) and an address's checks
(`GetEmailAddressInsights`).

Message insights are built from the outbox, so they need a fake that keeps messages. Per
recipient: `SEND` at the send's time; then what the event records would say, whether or not
the message had a configuration set: a template that could not be rendered gives
`RENDERING_FAILURE` only; a recipient the account-level suppression list withheld (or
`suppressionlist@simulator.amazonses.com`) a `PERMANENT` bounce `OnAccountSuppressionList`;
`bounce@` a `PERMANENT` bounce; `complaint@` a `DELIVERY` then a `COMPLAINT`; an address
scripted with `FakeSES.recipient_outcome()` what it was scripted to do; anything else a
`DELIVERY`. No opens or clicks (nobody reads the mail). An unknown id is
`NotFoundException`.

Address insights follow simple rules, overridden per address by
`FakeSES.address_insights()`: bad syntax or a domain that cannot exist (`.invalid`,
`.test`, `.example`, `localhost`) gives a `LOW` overall verdict; the mailbox simulator's
`bounce@` and `suppressionlist@` a mailbox that does not exist (`LOW`); role addresses
(`admin@`, `info@`, `support@`, ...) are `HIGH` for `IsRoleAddress`; a few well-known
throw-away domains are `HIGH` for `IsDisposable` and `LOW` overall; anything else is `HIGH`
for validity, syntax, DNS and mailbox, and `LOW` for role, disposable and random input.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._events import EventStore
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._identities import is_email_address
from sesflow.testing._outbox import FakeMessage, Outbox, address_key
from sesflow.testing._plain import plain
from sesflow.testing._sending import SIMULATOR_DOMAIN, bare_address
from sesflow.testing._suppression import SuppressionStore

__all__ = ["AddressInsightsStore", "InsightsHandlers", "VERDICTS"]

VERDICTS = ("LOW", "MEDIUM", "HIGH")
_CHECKS = {
    "valid": "IsValid",
    "has_valid_syntax": "HasValidSyntax",
    "has_valid_dns_records": "HasValidDnsRecords",
    "mailbox_exists": "MailboxExists",
    "is_role_address": "IsRoleAddress",
    "is_disposable": "IsDisposable",
    "is_random_input": "IsRandomInput",
}
_ROLES = frozenset(
    {
        "abuse",
        "admin",
        "billing",
        "contact",
        "help",
        "hostmaster",
        "info",
        "marketing",
        "noreply",
        "no-reply",
        "postmaster",
        "sales",
        "security",
        "support",
        "webmaster",
    }
)
_DISPOSABLE = frozenset(
    {
        "10minutemail.com",
        "guerrillamail.com",
        "mailinator.com",
        "sharklasers.com",
        "temp-mail.org",
        "throwawaymail.com",
        "yopmail.com",
    }
)
_NOWHERE = re.compile(r"(^|\.)(invalid|test|example|localhost)\Z", re.IGNORECASE)
_ISPS = {
    "gmail.com": "Gmail",
    "googlemail.com": "Gmail",
    "yahoo.com": "Yahoo",
    "outlook.com": "Microsoft",
    "hotmail.com": "Microsoft",
    "live.com": "Microsoft",
    "icloud.com": "Apple",
    "aol.com": "AOL",
}
_MAX_SUBJECT = 998


class AddressInsightsStore:
    """Scripted address verdicts, and the rules for every other address.

    Examples:
        >>> store = AddressInsightsStore()
        >>> store.verdicts("info@example.com")["is_role_address"]
        'HIGH'
    """

    def __init__(self) -> None:
        self._scripted: dict[str, dict[str, str]] = {}

    def script(self, address: str, verdicts: Mapping[str, Any]) -> None:
        """Answer `address` with these verdicts from now on (`ValueError` if bad)."""
        checked: dict[str, str] = {}
        for name, value in verdicts.items():
            if name not in _CHECKS:
                raise ValueError(f"unknown check {name!r}: use one of {', '.join(_CHECKS)}")
            verdict = plain(value)
            if verdict not in VERDICTS:
                raise ValueError(f"{name} must be LOW, MEDIUM or HIGH, got {value!r}")
            checked[name] = verdict
        self._scripted[address.lower()] = {**self.verdicts(address), **checked}

    def verdicts(self, address: str) -> dict[str, str]:
        """The verdict of every check for `address`."""
        scripted = self._scripted.get(address.lower())
        if scripted is not None:
            return dict(scripted)
        answer = {
            "valid": "HIGH",
            "has_valid_syntax": "HIGH",
            "has_valid_dns_records": "HIGH",
            "mailbox_exists": "HIGH",
            "is_role_address": "LOW",
            "is_disposable": "LOW",
            "is_random_input": "LOW",
        }
        if not is_email_address(address):
            answer.update(valid="LOW", has_valid_syntax="LOW", mailbox_exists="LOW")
            return answer
        local, _, domain = address.rpartition("@")
        user = local.partition("+")[0].lower()
        if _NOWHERE.search(domain):
            answer.update(valid="LOW", has_valid_dns_records="LOW", mailbox_exists="LOW")
        if domain.lower() == SIMULATOR_DOMAIN and user in ("bounce", "suppressionlist"):
            answer.update(valid="LOW", mailbox_exists="LOW")
        if user in _ROLES:
            answer["is_role_address"] = "HIGH"
        if domain.lower() in _DISPOSABLE:
            answer.update(valid="LOW", is_disposable="HIGH")
        return answer


class InsightsHandlers(Handlers):
    """`GetMessageInsights` and `GetEmailAddressInsights`."""

    def __init__(
        self,
        context: Context,
        *,
        outbox: Outbox,
        events: EventStore,
        suppression: SuppressionStore,
        addresses: AddressInsightsStore,
    ) -> None:
        self._context = context
        self._outbox = outbox
        self._events = events
        self._suppression = suppression
        self._addresses = addresses

    @operation("GetEmailAddressInsights")
    def _get_email_address_insights(self, params: Mapping[str, Any]) -> dict[str, Any]:
        address = params["EmailAddress"]
        if not address:
            raise FakeError("BadRequestException", "EmailAddress must not be empty.")
        verdicts = self._addresses.verdicts(address)
        evaluations = {
            _CHECKS[name]: {"ConfidenceVerdict": verdict}
            for name, verdict in verdicts.items()
            if name != "valid"
        }
        return {
            "MailboxValidation": {
                "IsValid": {"ConfidenceVerdict": verdicts["valid"]},
                "Evaluations": evaluations,
            }
        }

    @operation("GetMessageInsights")
    def _get_message_insights(self, params: Mapping[str, Any]) -> dict[str, Any]:
        message_id = params["MessageId"]
        message = self._find(message_id)
        answer: dict[str, Any] = {
            "MessageId": message.message_id,
            "FromEmailAddress": bare_address(message.from_address, "FromEmailAddress"),
            "Insights": [self._recipient(message, address) for address in message.recipients],
        }
        if message.subject:
            answer["Subject"] = message.subject[:_MAX_SUBJECT]
        if message.tags:
            answer["EmailTags"] = [{"Name": k, "Value": v} for k, v in message.tags.items()]
        return answer

    def _find(self, message_id: str) -> FakeMessage:
        if self._outbox.keep_messages:
            for message in self._outbox.messages:
                if message.message_id == message_id:
                    return message
        raise FakeError("NotFoundException", f"No insights for message <{message_id}>.")

    def _recipient(self, message: FakeMessage, address: str) -> dict[str, Any]:
        key = address_key(address)
        sent = dt.datetime.fromtimestamp(message.wall_time, dt.UTC)

        def at(millis: int) -> dt.datetime:
            return sent + dt.timedelta(milliseconds=millis)

        events: list[dict[str, Any]] = [{"Timestamp": sent, "Type": "SEND"}]
        if message.rendering_error is not None:
            events.append({"Timestamp": sent, "Type": "RENDERING_FAILURE"})
            return self._insights(key, events)
        withheld = any(
            r.message_id == message.message_id and address_key(r.address) == key
            for r in self._suppression.recipients
        )
        outcome = self._events._outcome_for(key)
        kind = "SUPPRESSED" if withheld else outcome.kind
        if kind == "SUPPRESSED":
            events.append(_bounce(sent, "PERMANENT", "OnAccountSuppressionList"))
        elif kind == "BOUNCE":
            events.append(_bounce(at(800), outcome.bounce_type.upper(), outcome.bounce_subtype))
        elif kind == "REJECT":
            events.append({"Timestamp": sent, "Type": "REJECT"})
        elif kind == "DELIVERY_DELAY":
            events.append({"Timestamp": at(3000), "Type": "DELIVERY_DELAY"})
        else:
            events.append({"Timestamp": at(750), "Type": "DELIVERY"})
            if kind == "COMPLAINT":
                events.append(
                    {
                        "Timestamp": at(2500),
                        "Type": "COMPLAINT",
                        "Details": {"Complaint": {"ComplaintFeedbackType": "abuse"}},
                    }
                )
        return self._insights(key, events)

    @staticmethod
    def _insights(key: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        answer: dict[str, Any] = {"Destination": key, "Events": events}
        isp = _ISPS.get(key.rpartition("@")[2].lower())
        if isp is not None:
            answer["Isp"] = isp
        return answer


def _bounce(when: dt.datetime, bounce_type: str, subtype: str) -> dict[str, Any]:
    permanent = bounce_type == "PERMANENT"
    return {
        "Timestamp": when,
        "Type": "BOUNCE",
        "Details": {
            "Bounce": {
                "BounceType": bounce_type,
                "BounceSubType": subtype,
                "DiagnosticCode": (
                    "smtp; 550 5.1.1 user unknown" if permanent else "smtp; 452 4.2.2 Mailbox full"
                ),
            }
        },
    }
