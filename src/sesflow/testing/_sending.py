"""`SendEmail` and `SendBulkEmail`, checked against the rules SES applies.

A request is checked in this order; the first rule broken answers for the whole call:

1. the account: `AccountSuspendedException` (suspended), `SendingPausedException` (sending
   disabled);
2. the request itself: content, addresses, at most 50 recipients per message and 50 entries
   per bulk call, at most 15 headers, tags, sizes, template data (`BadRequestException`);
3. the stored template (`NotFoundException`) and configuration set (`NotFoundException`;
   `SendingPausedException` if its sending is disabled);
4. the sender: a verified identity, the address or its domain (`MessageRejected`), and a
   custom MAIL FROM domain that is verified unless its `BehaviorOnMxFailure` is
   `USE_DEFAULT_VALUE` (`MailFromDomainNotVerifiedException`); an identity named by ARN
   (`FromEmailAddressIdentityArn`) may be another account's, whose sending authorization
   policies must allow the send (HTTP 403 `AccessDeniedException`: see `_authorization.py`),
   and a `FeedbackForwardingEmailAddress` must be verified too (or authorised by ARN);
5. in the sandbox, every recipient verified or a mailbox-simulator address (`MessageRejected`);
6. the daily quota (`LimitExceededException` "Daily message quota exceeded.");
7. the rate: the recipients of the call plus those that arrived in the last second (by
   `clock`) must not exceed `MaxSendRate` (HTTP 429 `TooManyRequestsException`
   "Maximum sending rate exceeded.").

A message that passes is accepted whole; recipients on the account-level suppression list
(for a reason the message suppresses) are then withheld from delivery, not refused: see
`_suppression.py`. An accepted message is then published as event records (`_events.py`).

`SendingHandlers` holds no state of its own but the message-id generator: it is handed
every store a send reads or changes, and goes through their methods.

`SendBulkEmail` applies rules 5-7 per entry instead and answers 200 with a status per entry
(`INVALID_PARAMETER` for a bad destination or replacement, `MESSAGE_REJECTED`,
`TRANSIENT_FAILURE` when injected, `ACCOUNT_DAILY_QUOTA_EXCEEDED`), except that going over
the rate refuses the whole call with 429 unless `FakeAccount.throttle_entries` is set, which
marks the entries that do not fit `ACCOUNT_THROTTLED`. Entries take from the budgets in order;
an entry that does not fit fails and the next is tried.
"""

from __future__ import annotations

import copy
import dataclasses
import email.policy
import email.utils
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any

from sesflow.testing._account import AccountStore
from sesflow.testing._authorization import Authorizer, SendRequest, display_name, recipients_of
from sesflow.testing._configuration_sets import ConfigurationSetStore
from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._faults import THROTTLE_MESSAGE, RandomFaults
from sesflow.testing._identities import FakeIdentity, IdentityStore, is_email_address
from sesflow.testing._metrics import MetricsStore
from sesflow.testing._mime import SES_HEADERS, attachments_of, ses_header, strip_headers
from sesflow.testing._outbox import FakeAttachment, FakeMessage, Outbox, address_key
from sesflow.testing._plain import plain
from sesflow.testing._render import TemplateRenderError
from sesflow.testing._suppression import SuppressionStore
from sesflow.testing._templates import TemplateContent, TemplateStore, parse_template_data

if TYPE_CHECKING:
    from sesflow.testing._contacts import ContactListStore
    from sesflow.testing._events import EventStore

__all__ = [
    "SIMULATOR_DOMAIN",
    "Body",
    "Recipients",
    "SendCheck",
    "SendingHandlers",
    "bare_address",
    "is_mailbox_simulator",
]

MAX_RECIPIENTS = 50
MAX_BULK_ENTRIES = 50
_MAX_HEADERS = 15
_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
SIMULATOR_DOMAIN = "simulator.amazonses.com"
_SIMULATOR_USERS = frozenset({"success", "bounce", "ooto", "complaint", "suppressionlist"})
# The SES v2 model's patterns; botocore checks neither patterns nor maximum lengths.
_HEADER_NAME = re.compile(r"[!-9;-@A-~]{1,126}\Z")
_HEADER_VALUE = re.compile(r"[ -~]{1,995}\Z")
_TAG_TEXT = re.compile(r"[A-Za-z0-9_-]{1,255}\Z")
_DAILY_QUOTA_MESSAGE = "Daily message quota exceeded."
_TRANSIENT_MESSAGE = "A temporary problem prevented sending; try again."

#: A further rule for sends (see `SendingHandlers`): `check(params, identity=...,
#: configuration_set=..., template=...)` raises `FakeError` to refuse the call.
SendCheck = Callable[..., None]


def is_mailbox_simulator(address: str) -> bool:
    """Whether `address` is one of SES's mailbox-simulator addresses (`+label` allowed).

    Examples:
        >>> is_mailbox_simulator("success+run7@simulator.amazonses.com")
        True
        >>> is_mailbox_simulator("someone@simulator.amazonses.com")
        False
    """
    local, _, domain = address.rpartition("@")
    return domain.lower() == SIMULATOR_DOMAIN and local.partition("+")[0].lower() in (
        _SIMULATOR_USERS
    )


@dataclass(frozen=True, slots=True)
class Recipients:
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    # Bare addresses, domains lower-cased: what rules check and deliveries are counted under.
    keys: tuple[str, ...]

    @property
    def counted(self) -> int:
        """Recipients that count against the daily quota (not the mailbox simulator)."""
        return sum(1 for key in self.keys if not is_mailbox_simulator(key))


@dataclass(frozen=True, slots=True)
class Body:
    """What a message carries, before or without rendering."""

    subject: str | None = None
    text: str | None = None
    html: str | None = None
    raw: bytes | None = None
    template_name: str | None = None
    template: TemplateContent | None = None
    inline: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[FakeAttachment, ...] = ()
    # A raw message's X-SES-CONFIGURATION-SET and X-SES-MESSAGE-TAGS, which SES acts on.
    ses_configuration_set: str | None = None
    ses_message_tags: str | None = None


class SendingHandlers(Handlers):
    """The send operations, over the stores a send checks, counts against and fills.

    Args:
        context: The fake's clocks, region and seed.
        identities: Who may send, and (in the sandbox) receive.
        configuration_sets: The set a message names or its sender defaults to.
        templates: Stored templates for template sends.
        account: The account rules, quotas and send-rate window.
        suppression: Recipients withheld from delivery.
        outbox: Where accepted messages go.
        events: Publishes the event records of accepted messages.
        faults: Draws `TRANSIENT_FAILURE` for bulk entries.
        authorizer: Resolves identities named by ARN (`FromEmailAddressIdentityArn`), another
            account's through its sending authorization policies.
        contacts: Contact lists, for `SendEmail`'s `ListManagementOptions`.
        metrics: Counts accepted messages for VDM's metrics.
        checks: More rules a send must pass once its sender, configuration set and
            template are known (tenants, multi-region endpoints): each is called with the
            request's parameters and those, and raises `FakeError` to refuse the call.
    """

    def __init__(
        self,
        context: Context,
        *,
        identities: IdentityStore,
        configuration_sets: ConfigurationSetStore,
        templates: TemplateStore,
        account: AccountStore,
        suppression: SuppressionStore,
        outbox: Outbox,
        events: EventStore,
        faults: RandomFaults,
        authorizer: Authorizer | None = None,
        contacts: ContactListStore | None = None,
        metrics: MetricsStore | None = None,
        checks: Sequence[SendCheck] = (),
    ) -> None:
        self._contacts = contacts
        self._checks = tuple(checks)
        self._context = context
        self._authorizer = authorizer or Authorizer(context, identities, lambda account: None)
        self._identities = identities
        self._configuration_sets = configuration_sets
        self._templates = templates
        self._account = account
        self._suppression = suppression
        self._outbox = outbox
        self._events = events
        self._faults = faults
        self._metrics = metrics
        self._id_random = context.generator("message-ids")

    # --- operations ----------------------------------------------------------------------

    @operation("SendEmail")
    def _send_email(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self._check_account()
        content = params["Content"]
        kinds = [kind for kind in ("Simple", "Raw", "Template") if kind in content]
        if len(kinds) != 1:
            raise FakeError("BadRequestException", "Give exactly one of Simple, Raw and Template.")
        data: dict[str, Any] | None = None
        from_address = params.get("FromEmailAddress")
        destination = params.get("Destination") or {}
        raw_destination: dict[str, list[str]] = {}
        if kinds[0] == "Raw":
            body, raw_from, raw_destination = _raw_message(content["Raw"]["Data"])
            from_address = from_address or raw_from
            if not any(destination.get(key) for key in _DESTINATION_KEYS):
                destination = raw_destination
        elif kinds[0] == "Simple":
            body = _simple_message(content["Simple"])
        else:
            template = content["Template"]
            data = parse_template_data(template.get("TemplateData"))
            body = self._template_body(template)
        if not from_address:
            raise FakeError("BadRequestException", "Missing required header 'From'.")
        recipients = _recipients(destination)
        if kinds[0] == "Raw" and destination is not raw_destination:
            recipients = _as_the_headers_show(recipients, raw_destination)
        reply_to = _addresses(params.get("ReplyToAddresses") or [], "ReplyToAddresses")
        # A raw message may name its configuration set and tags in SES's own headers; the
        # request's parameters win (and tags from both are not merged), as in SES.
        if params.get("EmailTags") or body.ses_message_tags is None:
            tags = _tags(params.get("EmailTags") or [])
        else:
            tags = _header_tags(body.ses_message_tags)
        configuration_set = self._check_configuration_set(
            params.get("ConfigurationSetName") or body.ses_configuration_set
        )
        extras = _send_extras(params)
        sender = self._check_sender(
            params, from_address, recipients.keys, action=_SEND_ACTIONS[kinds[0]]
        )
        managed = params.get("ListManagementOptions")
        opted_out: list[str] = []
        if managed is not None and self._contacts is not None:
            body, data, opted_out = _list_management(
                self._contacts, managed, recipients, body, data
            )
        configuration_set = configuration_set or self._default_configuration_set(sender)
        self._run_checks(params, sender, configuration_set, body)
        counted = recipients.counted
        if counted > self._account.daily_room():
            raise FakeError("LimitExceededException", _DAILY_QUOTA_MESSAGE)
        now = self._context.clock()
        if (
            self._account.window.used(now) + len(recipients.keys)
            > self._account.account.max_send_rate
        ):
            raise FakeError("TooManyRequestsException", THROTTLE_MESSAGE, 429)
        delivered_before = {key: self._outbox.deliveries(key) for key in opted_out}
        message_id = self._accept(
            "SendEmail",
            now,
            from_address,
            recipients,
            body,
            data,
            tags=tags,
            configuration_set=configuration_set,
            reply_to=reply_to,
            extras=extras,
        )
        if opted_out and self._contacts is not None:
            # Accepted, as SES accepts it, but not delivered: the contact left the topic.
            for key in opted_out:
                if self._outbox.deliveries(key) > delivered_before[key]:
                    self._outbox.take_back(key)
            self._contacts.withhold(message_id, opted_out, managed or {}, now)
        return {"MessageId": message_id}

    @operation("SendBulkEmail")
    def _send_bulk_email(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self._check_account()
        entries: Sequence[Mapping[str, Any]] = params["BulkEmailEntries"]
        if not entries:
            raise FakeError("BadRequestException", "BulkEmailEntries must not be empty.")
        if len(entries) > MAX_BULK_ENTRIES:
            raise FakeError(
                "BadRequestException",
                f"{len(entries)} bulk email entries; at most {MAX_BULK_ENTRIES} are allowed.",
            )
        template = params["DefaultContent"].get("Template")
        if template is None:
            raise FakeError("BadRequestException", "DefaultContent.Template is required.")
        default_data = parse_template_data(template.get("TemplateData"))
        body = self._template_body(template)
        from_address = params.get("FromEmailAddress")
        if not from_address:
            raise FakeError("BadRequestException", "FromEmailAddress is required.")
        reply_to = _addresses(params.get("ReplyToAddresses") or [], "ReplyToAddresses")
        default_tags = _tags(params.get("DefaultEmailTags") or [])
        extras = _send_extras(params)
        configuration_set = self._check_configuration_set(params.get("ConfigurationSetName"))
        sender = self._check_sender(
            params,
            from_address,
            action="ses:SendBulkTemplatedEmail",
            policy_recipients=recipients_of(entries),
        )
        configuration_set = configuration_set or self._default_configuration_set(sender)
        self._run_checks(params, sender, configuration_set, body)

        now = self._context.clock()
        rate_room = self._account.account.max_send_rate - self._account.window.used(now)
        daily_room = self._account.daily_room()
        throttle_entries = self._account.account.throttle_entries
        results: list[dict[str, Any]] = []
        accepted: list[tuple[int, Recipients, dict[str, Any], Body, dict[str, str]]] = []
        for entry in entries:
            # Drawn for every entry, whatever becomes of it, so faults replay with their seed.
            transient = self._faults.transient_entry("SendBulkEmail")
            try:
                recipients = _recipients(entry["Destination"])
                data, entry_body, tags = _replacements(entry, default_data, body, default_tags)
            except FakeError as err:
                results.append({"Status": "INVALID_PARAMETER", "Error": err.message})
                continue
            failed = list(self._unverified(recipients.keys))
            if failed:
                results.append(
                    {"Status": "MESSAGE_REJECTED", "Error": self._not_verified(failed).message}
                )
                continue
            if transient:
                results.append({"Status": "TRANSIENT_FAILURE", "Error": _TRANSIENT_MESSAGE})
                continue
            counted = recipients.counted
            if counted > daily_room:
                results.append(
                    {"Status": "ACCOUNT_DAILY_QUOTA_EXCEEDED", "Error": _DAILY_QUOTA_MESSAGE}
                )
                continue
            size = len(recipients.keys)
            if size > rate_room:
                if not throttle_entries:
                    raise FakeError("TooManyRequestsException", THROTTLE_MESSAGE, 429)
                results.append({"Status": "ACCOUNT_THROTTLED", "Error": THROTTLE_MESSAGE})
                continue
            rate_room -= size
            daily_room -= counted
            accepted.append((len(results), recipients, data, entry_body, tags))
            results.append({})
        for index, recipients, data, entry_body, tags in accepted:
            message_id = self._accept(
                "SendBulkEmail",
                now,
                from_address,
                recipients,
                entry_body,
                data,
                tags=tags,
                configuration_set=configuration_set,
                reply_to=reply_to,
                extras=extras,
            )
            results[index] = {"Status": "SUCCESS", "MessageId": message_id}
        return {"BulkEmailEntryResults": results}

    # --- rules ---------------------------------------------------------------------------

    def _run_checks(
        self,
        params: Mapping[str, Any],
        sender: FakeIdentity,
        configuration_set: str | None,
        body: Body,
    ) -> None:
        for check in self._checks:
            check(
                params,
                identity=sender.name,
                configuration_set=configuration_set,
                template=body.template_name,
            )

    def _check_account(self) -> None:
        account = self._account.account
        if account.suspended:
            raise FakeError(
                "AccountSuspendedException",
                "The message can't be sent because the account has been suspended.",
            )
        if not account.sending_enabled:
            raise FakeError(
                "SendingPausedException",
                "The message can't be sent because the account's ability to send email is "
                "currently paused.",
            )

    def _check_sender(
        self,
        params: Mapping[str, Any],
        from_address: str,
        recipients: Sequence[str] = (),
        *,
        action: str = "ses:SendEmail",
        policy_recipients: Sequence[str] | None = None,
    ) -> FakeIdentity:
        """The verified identity the sender sends as; in the sandbox, the recipients too.

        An identity named by ARN may be another account's: its policies must allow `action`
        for this request (`policy_recipients`, default `recipients`, for `ses:Recipients`).
        """
        bare = bare_address(from_address, "FromEmailAddress")
        arn = params.get("FromEmailAddressIdentityArn")
        feedback = params.get("FeedbackForwardingEmailAddress")
        feedback_arn = params.get("FeedbackForwardingEmailAddressIdentityArn")
        feedback_bare = (
            None if feedback is None else bare_address(feedback, "FeedbackForwardingEmailAddress")
        )
        request = SendRequest(
            account=self._context.account_id,
            action=action,
            from_address=bare,
            from_display_name=display_name(from_address),
            recipients=tuple(
                address_key(r)
                for r in (recipients if policy_recipients is None else policy_recipients)
            ),
            feedback_address=feedback_bare,
            now=self._context.wall_now(),
        )
        identity: FakeIdentity | None
        store = self._identities
        if arn:
            identity, store = self._authorizer.identity(
                arn, bare, where="FromEmailAddressIdentityArn", request=request
            )
        else:
            identity = self._identities.verified(bare)
        # SES names every unverified address of the message in one answer.
        failed = ([bare] if identity is None else []) + self._unverified(recipients)
        if identity is None or failed:
            raise self._not_verified(failed)
        if feedback_arn and feedback_bare is None:
            raise FakeError(
                "BadRequestException",
                "FeedbackForwardingEmailAddressIdentityArn needs a FeedbackForwardingEmailAddress.",
            )
        if feedback_bare is not None:
            if feedback_arn:
                feedback_identity, _ = self._authorizer.identity(
                    feedback_arn,
                    feedback_bare,
                    where="FeedbackForwardingEmailAddressIdentityArn",
                    request=request,
                )
            else:
                feedback_identity = self._identities.verified(feedback_bare)
            if feedback_identity is None:
                raise self._not_verified([feedback_bare])
        self._check_mail_from(identity, store)
        return identity

    def _check_mail_from(self, identity: FakeIdentity, store: IdentityStore | None = None) -> None:
        # An address identity without a MAIL FROM of its own uses its domain's.
        identities = self._identities if store is None else store
        candidates = [identity]
        if not identity.is_domain:
            domain = identities.lookup(identity.domain) or identities.lookup(
                identity.domain.lower()
            )
            if domain is not None:
                candidates.append(domain)
        for candidate in candidates:
            if candidate.mail_from_domain is None:
                continue
            verified = plain(candidate.mail_from_status) == "SUCCESS"
            if not verified and plain(candidate.behavior_on_mx_failure) == "REJECT_MESSAGE":
                raise FakeError(
                    "MailFromDomainNotVerifiedException",
                    f"The MAIL FROM domain {candidate.mail_from_domain} is not verified and "
                    "BehaviorOnMxFailure is REJECT_MESSAGE.",
                )
            return

    def _check_configuration_set(self, name: str | None) -> str | None:
        if name is not None and not self._configuration_sets.sending_enabled(name):
            # (sending_enabled raises NotFoundException for a missing set.)
            raise FakeError(
                "SendingPausedException", f"Sending is paused for configuration set <{name}>."
            )
        return name

    def _default_configuration_set(self, sender: FakeIdentity) -> str | None:
        # The sender identity's default set applies when the request names none; a default
        # that was deleted since is ignored rather than failing every send.
        default = sender.configuration_set_name
        if default is None or not self._configuration_sets.exists(default):
            return None
        return self._check_configuration_set(default)

    def _unverified(self, keys: Sequence[str]) -> list[str]:
        """The recipients the sandbox refuses (none outside the sandbox)."""
        if not self._account.account.in_sandbox:
            return []
        return [
            key
            for key in keys
            if not is_mailbox_simulator(key) and self._identities.verified(key) is None
        ]

    def _not_verified(self, addresses: Sequence[str]) -> FakeError:
        return FakeError(
            "MessageRejected",
            "Email address is not verified. The following identities failed the check in "
            f"region {self._context.region.upper()}: {', '.join(dict.fromkeys(addresses))}",
        )

    def _template_body(self, template: Mapping[str, Any]) -> Body:
        name, content = self._templates.resolve(template)
        return Body(
            template_name=name,
            template=content,
            inline=name is None,
            headers=_headers(template.get("Headers") or []),
            attachments=_attachments(template.get("Attachments") or []),
        )

    # --- accepting -----------------------------------------------------------------------

    def _accept(
        self,
        operation_name: str,
        now: float,
        from_address: str,
        recipients: Recipients,
        body: Body,
        data: dict[str, Any] | None,
        *,
        tags: dict[str, str],
        configuration_set: str | None,
        reply_to: tuple[str, ...],
        extras: Mapping[str, Any] | None = None,
    ) -> str:
        """Count an accepted message against the quotas, keep it, and return its id."""
        subject, text, html = body.subject, body.text, body.html
        rendering_error: str | None = None
        if body.template is not None:
            try:
                subject, text, html = body.template.render(data or {})
            except TemplateRenderError as exc:
                rendering_error = str(exc)
        message_id = self._message_id()
        self._account.window.add(now, len(recipients.keys))
        self._account.count_sent(recipients.counted)
        message = None
        if self._outbox.keep_messages:
            template = body.template
            message = FakeMessage(
                message_id=message_id,
                operation=operation_name,
                from_address=from_address,
                to=recipients.to,
                cc=recipients.cc,
                bcc=recipients.bcc,
                subject=subject,
                text=text,
                html=html,
                raw=body.raw,
                template_name=body.template_name,
                template_content=template.to_params() if body.inline and template else None,
                template_data=data,
                headers=body.headers,
                tags=tags,
                configuration_set=configuration_set,
                reply_to=reply_to,
                attachments=body.attachments,
                rendering_error=rendering_error,
                arrived=now,
                wall_time=self._context.wall_clock(),
                **(extras or {}),
            )
        delivered = rendering_error is None
        self._outbox.record(recipients.keys, arrived=now, delivered=delivered, message=message)
        withheld = self._withhold_suppressed(
            operation_name,
            message_id,
            recipients.keys,
            configuration_set=configuration_set,
            delivered=delivered,
            arrived=now,
        )
        if self._metrics is not None:
            sender = self._identities.verified(bare_address(from_address, "FromEmailAddress"))
            self._metrics.record(
                sender.name if sender is not None else from_address,
                configuration_set,
                recipients.keys,
                rendered=delivered,
                withheld=withheld,
                simulator=is_mailbox_simulator,
                outcome=self._events.outcome_with_type,
            )
        if configuration_set is not None and self._outbox.keep_messages:
            self._events.publish(
                message_id,
                from_address,
                recipients,
                body,
                rendered=(subject, text, html),
                rendering_error=rendering_error,
                tags=tags,
                configuration_set=configuration_set,
                withheld=withheld,
            )
        return message_id

    def _withhold_suppressed(
        self,
        operation_name: str,
        message_id: str,
        keys: Sequence[str],
        *,
        configuration_set: str | None,
        delivered: bool,
        arrived: float,
    ) -> Counter[str]:
        """Withhold an accepted message's suppressed recipients, and take back their deliveries.

        `keys` are the recipients in `address_key` form, as just recorded.
        """
        # A message that failed to render reached nobody; suppression has nothing to withhold.
        if not delivered or not len(self._suppression):
            return Counter()
        reasons = self._configuration_sets.suppressed_reasons(configuration_set)
        if reasons is None:
            reasons = list(self._account.account.suppressed_reasons)
        withheld = self._suppression.withhold(
            operation_name,
            message_id,
            keys,
            reasons=reasons,
            configuration_set=configuration_set,
            arrived=arrived,
        )
        for key in withheld:
            self._outbox.take_back(key)
        return Counter(withheld)

    def _message_id(self) -> str:
        # SES's shape: 0100, the send time in hex milliseconds, a UUID, and a 000000 suffix.
        millis = int(self._context.wall_clock() * 1000)
        random_part = uuid.UUID(int=self._id_random.getrandbits(128), version=4)
        return f"0100{millis:012x}-{random_part}-000000"


_DESTINATION_KEYS = ("ToAddresses", "CcAddresses", "BccAddresses")
# The action a sending authorization policy must allow, by SendEmail content.
_SEND_ACTIONS = {
    "Simple": "ses:SendEmail",
    "Raw": "ses:SendRawEmail",
    "Template": "ses:SendTemplatedEmail",
}
_FEATURE_STATUSES = ("ENABLED", "DISABLED")


def _send_extras(params: Mapping[str, Any]) -> dict[str, Any]:
    """What a `FakeMessage` records of a send's delegation and overrides; checks the
    overrides' values (`BadRequestException`)."""
    overrides = params.get("ConfigurationOverrides")
    if overrides is not None:
        tracking = overrides.get("Tracking") or {}
        for key in ("OpenTrackingEnabled", "ClickTrackingEnabled"):
            value = tracking.get(key)
            if value is not None and value not in _FEATURE_STATUSES:
                raise FakeError(
                    "BadRequestException",
                    f"Invalid ConfigurationOverrides.Tracking.{key} <{value}>: use ENABLED or "
                    "DISABLED.",
                )
    return {
        "from_identity_arn": params.get("FromEmailAddressIdentityArn"),
        "feedback_forwarding_address": params.get("FeedbackForwardingEmailAddress"),
        "configuration_overrides": None if overrides is None else copy.deepcopy(overrides),
    }


def bare_address(address: str, where: str) -> str:
    """The address without a display name, its domain lower-cased; BadRequest if illegal."""
    if "<" in address or " " in address or "(" in address:
        bare = email.utils.parseaddr(address)[1]
    else:
        bare = address
    if not is_email_address(bare):
        raise FakeError("BadRequestException", f"Illegal address in {where}: {address}")
    local, _, domain = bare.rpartition("@")
    return f"{local}@{domain.lower()}"


def _addresses(addresses: Sequence[str], where: str) -> tuple[str, ...]:
    for address in addresses:
        bare_address(address, where)
    return tuple(addresses)


def _recipients(destination: Mapping[str, Any]) -> Recipients:
    to = tuple(destination.get("ToAddresses") or ())
    cc = tuple(destination.get("CcAddresses") or ())
    bcc = tuple(destination.get("BccAddresses") or ())
    count = len(to) + len(cc) + len(bcc)
    if count == 0:
        raise FakeError("BadRequestException", "The message must have at least one recipient.")
    if count > MAX_RECIPIENTS:
        raise FakeError(
            "BadRequestException",
            f"The message has {count} recipients; at most {MAX_RECIPIENTS} are allowed.",
        )
    keys = tuple(
        bare_address(address, where)
        for where, group in zip(_DESTINATION_KEYS, (to, cc, bcc), strict=True)
        for address in group
    )
    return Recipients(to, cc, bcc, keys)


def _as_the_headers_show(recipients: Recipients, shown: Mapping[str, list[str]]) -> Recipients:
    """A raw message's envelope recipients, grouped as its own To and Cc headers show them.

    Some clients put every envelope recipient in `Destination.ToAddresses` (django-ses
    does); the outbox then lists those the message's `Cc` header names as Cc, and those no
    header names as Bcc. Counting and delivery do not change.
    """
    shown_to = {address_key(a).lower() for a in shown.get("ToAddresses", [])}
    shown_cc = {address_key(a).lower() for a in shown.get("CcAddresses", [])}
    if not shown_to and not shown_cc:
        return recipients
    to: list[str] = []
    cc = list(recipients.cc)
    bcc = list(recipients.bcc)
    for address in recipients.to:
        key = address_key(address).lower()
        (to if key in shown_to else cc if key in shown_cc else bcc).append(address)
    return Recipients(tuple(to), tuple(cc), tuple(bcc), recipients.keys)


def _headers(headers: Sequence[Mapping[str, str]]) -> tuple[tuple[str, str], ...]:
    if len(headers) > _MAX_HEADERS:
        raise FakeError(
            "BadRequestException",
            f"{len(headers)} headers; at most {_MAX_HEADERS} are allowed per message.",
        )
    pairs = []
    for header in headers:
        name, value = header["Name"], header["Value"]
        if not _HEADER_NAME.match(name) or not _HEADER_VALUE.match(value):
            raise FakeError("BadRequestException", f"Invalid header <{name}>.")
        pairs.append((name, value))
    return tuple(pairs)


def _tags(tags: Sequence[Mapping[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in tags:
        name, value = tag["Name"], tag["Value"]
        if not _TAG_TEXT.match(name) or not _TAG_TEXT.match(value):
            raise FakeError(
                "BadRequestException",
                f"Invalid message tag <{name}={value}>: names and values may contain only "
                "ASCII letters, digits, underscores and dashes, fewer than 256 characters.",
            )
        found[name] = value
    return found


def _header_tags(value: str) -> dict[str, str]:
    """The message tags of an `X-SES-MESSAGE-TAGS` header: `name1=value1, name2=value2`."""
    pairs = []
    for item in value.split(","):
        if not item.strip():
            continue
        name, _, tag_value = item.partition("=")
        pairs.append({"Name": name.strip(), "Value": tag_value.strip()})
    return _tags(pairs)


def _attachments(attachments: Sequence[Mapping[str, Any]]) -> tuple[FakeAttachment, ...]:
    return tuple(
        FakeAttachment(
            filename=item["FileName"],
            content=bytes(item["RawContent"]),
            content_type=item.get("ContentType"),
            disposition=item.get("ContentDisposition"),
        )
        for item in attachments
    )


def _simple_message(simple: Mapping[str, Any]) -> Body:
    body = simple["Body"]
    message = Body(
        subject=simple["Subject"]["Data"],
        text=(body.get("Text") or {}).get("Data"),
        html=(body.get("Html") or {}).get("Data"),
        headers=_headers(simple.get("Headers") or []),
        attachments=_attachments(simple.get("Attachments") or []),
    )
    size = sum(
        len(part.encode("utf-8")) for part in (message.subject, message.text, message.html) if part
    )
    # Attachments travel base64-encoded, and SES counts the encoded size.
    size += sum(4 * math.ceil(len(item.content) / 3) for item in message.attachments)
    _check_size(size)
    return message


def _raw_message(data: bytes) -> tuple[Body, str | None, dict[str, list[str]]]:
    """Parse a raw MIME message: its body, its From, and its To/Cc/Bcc as a Destination.

    The body keeps the message as SES delivers it: without the `X-SES-*` headers SES reads
    (and removes); their values travel in `ses_configuration_set` and `ses_message_tags`.
    """
    _check_size(len(data))
    try:
        parsed = BytesParser(policy=email.policy.default).parsebytes(data)
        configuration_set = ses_header(parsed, "X-SES-CONFIGURATION-SET")
        message_tags = ses_header(parsed, "X-SES-MESSAGE-TAGS")
        headers = tuple(
            (name, str(value)) for name, value in parsed.items() if name.lower() not in SES_HEADERS
        )
        destination = {
            key: [
                email.utils.formataddr(pair) if pair[0] else pair[1]
                for pair in email.utils.getaddresses([str(v) for v in parsed.get_all(name, [])])
                if pair[1]
            ]
            for key, name in zip(_DESTINATION_KEYS, ("To", "Cc", "Bcc"), strict=True)
        }
        subject = parsed.get("Subject")
        text_part = parsed.get_body(("plain",))
        html_part = parsed.get_body(("html",))
        text = None if text_part is None else text_part.get_content()
        html = None if html_part is None else html_part.get_content()
        raw_from = parsed.get("From")
        attachments = tuple(
            FakeAttachment(filename, content, content_type, disposition)
            for filename, content, content_type, disposition in attachments_of(parsed)
        )
    except (ValueError, LookupError, TypeError) as exc:
        raise FakeError(
            "BadRequestException", f"The raw message is not valid MIME: {exc}"
        ) from None
    body = Body(
        subject=None if subject is None else str(subject),
        text=text if isinstance(text, str) else None,
        html=html if isinstance(html, str) else None,
        raw=strip_headers(bytes(data)),
        headers=headers,
        attachments=attachments,
        ses_configuration_set=configuration_set or None,
        ses_message_tags=message_tags,
    )
    return body, None if raw_from is None else str(raw_from), destination


def _check_size(size: int) -> None:
    if size > _MAX_MESSAGE_BYTES:
        raise FakeError(
            "MessageRejected", f"Message length is more than {_MAX_MESSAGE_BYTES} bytes long."
        )


def _replacements(
    entry: Mapping[str, Any],
    default_data: dict[str, Any],
    body: Body,
    default_tags: dict[str, str],
) -> tuple[dict[str, Any], Body, dict[str, str]]:
    """A bulk entry's data, body (headers) and tags: its replacements over the defaults."""
    replacement = (
        (entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}
    ).get("ReplacementTemplateData")
    data = default_data
    if replacement is not None:
        # Replacement values win; variables the entry does not give come from the defaults.
        data = {**default_data, **parse_template_data(replacement)}
    replacement_headers = entry.get("ReplacementHeaders")
    if replacement_headers:
        replaced = dict(body.headers)
        replaced.update(_headers(replacement_headers))
        body = Body(
            template_name=body.template_name,
            template=body.template,
            inline=body.inline,
            headers=_headers([{"Name": k, "Value": v} for k, v in replaced.items()]),
            attachments=body.attachments,
        )
    tags = default_tags
    if entry.get("ReplacementTags"):
        tags = {**default_tags, **_tags(entry["ReplacementTags"])}
    return data, body, tags


def _list_management(
    contacts: ContactListStore,
    options: Mapping[str, Any],
    recipients: Recipients,
    body: Body,
    data: dict[str, Any] | None,
) -> tuple[Body, dict[str, Any] | None, list[str]]:
    """Apply `ListManagementOptions`: SES's unsubscribe headers, the body's placeholder
    filled, and the recipients not to deliver to (see `_contacts.py`)."""
    from sesflow.testing._contacts import UNSUBSCRIBE_PLACEHOLDER

    link, headers, opted_out = contacts.manage(options, recipients.keys)
    text, html = body.text, body.html
    if text is not None:
        text = text.replace(UNSUBSCRIBE_PLACEHOLDER, link)
    if html is not None:
        html = html.replace(UNSUBSCRIBE_PLACEHOLDER, link)
    if data is not None:
        data = {**data, UNSUBSCRIBE_PLACEHOLDER[2:-2]: link}
    body = dataclasses.replace(body, text=text, html=html, headers=(*body.headers, *headers))
    return body, data, opted_out
