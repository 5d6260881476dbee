"""SES strings as enums.

Every enum is a `StrEnum` whose values are the exact strings SES uses, so
`VerificationStatus.SUCCESS == "SUCCESS"` and a member can be passed anywhere SES
expects the string. Wherever sesflow takes one of these enums it accepts the plain
string too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from ._errors import ValidationError

__all__ = [
    "BehaviorOnMxFailure",
    "BulkEmailStatus",
    "ContactLanguage",
    "DkimStatus",
    "EventType",
    "HttpsPolicy",
    "IdentityType",
    "MailFromDomainStatus",
    "MailType",
    "RecordPurpose",
    "ReviewStatus",
    "SuppressionReason",
    "TlsPolicy",
    "VerificationStatus",
    "coerce_enum",
]


class VerificationStatus(StrEnum):
    """Where SES is in verifying an identity (`GetEmailIdentity.VerificationStatus`).

    `TEMPORARY_FAILURE` means SES will look again; `FAILED` is final.

    Examples:
        >>> VerificationStatus("SUCCESS") is VerificationStatus.SUCCESS
        True
    """

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    NOT_STARTED = "NOT_STARTED"


class DkimStatus(StrEnum):
    """The state of a domain's DKIM check (`DkimAttributes.Status`).

    Examples:
        >>> DkimStatus.PENDING == "PENDING"
        True
    """

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    NOT_STARTED = "NOT_STARTED"


class MailFromDomainStatus(StrEnum):
    """The state of a custom MAIL FROM domain's MX check.

    Examples:
        >>> MailFromDomainStatus("FAILED").name
        'FAILED'
    """

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"


class BehaviorOnMxFailure(StrEnum):
    """What SES does when the MAIL FROM domain's MX record is missing.

    `USE_DEFAULT_VALUE` falls back to a subdomain of amazonses.com; `REJECT_MESSAGE`
    refuses to send.

    Examples:
        >>> BehaviorOnMxFailure.REJECT_MESSAGE.value
        'REJECT_MESSAGE'
    """

    USE_DEFAULT_VALUE = "USE_DEFAULT_VALUE"
    REJECT_MESSAGE = "REJECT_MESSAGE"


class IdentityType(StrEnum):
    """The kind of an identity, as `ListEmailIdentities` reports it.

    Examples:
        >>> IdentityType("DOMAIN") is IdentityType.DOMAIN
        True
    """

    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    DOMAIN = "DOMAIN"
    MANAGED_DOMAIN = "MANAGED_DOMAIN"


class EventType(StrEnum):
    """The events a configuration set can publish to an event destination.

    Examples:
        >>> [EventType.BOUNCE, EventType.COMPLAINT]
        [<EventType.BOUNCE: 'BOUNCE'>, <EventType.COMPLAINT: 'COMPLAINT'>]
    """

    SEND = "SEND"
    REJECT = "REJECT"
    BOUNCE = "BOUNCE"
    COMPLAINT = "COMPLAINT"
    DELIVERY = "DELIVERY"
    OPEN = "OPEN"
    CLICK = "CLICK"
    RENDERING_FAILURE = "RENDERING_FAILURE"
    DELIVERY_DELAY = "DELIVERY_DELAY"
    SUBSCRIPTION = "SUBSCRIPTION"


class MailType(StrEnum):
    """The kind of mail a production-access request says the account will send.

    Examples:
        >>> MailType("MARKETING")
        <MailType.MARKETING: 'MARKETING'>
    """

    MARKETING = "MARKETING"
    TRANSACTIONAL = "TRANSACTIONAL"


class ContactLanguage(StrEnum):
    """The language AWS uses to contact you about a production-access request.

    Examples:
        >>> ContactLanguage.EN.value
        'EN'
    """

    EN = "EN"
    JA = "JA"


class SuppressionReason(StrEnum):
    """Why an address is on the account's suppression list.

    Examples:
        >>> SuppressionReason.BOUNCE == "BOUNCE"
        True
    """

    BOUNCE = "BOUNCE"
    COMPLAINT = "COMPLAINT"


class TlsPolicy(StrEnum):
    """Whether a configuration set requires TLS to the receiving server.

    Examples:
        >>> TlsPolicy.REQUIRE.value
        'REQUIRE'
    """

    REQUIRE = "REQUIRE"
    OPTIONAL = "OPTIONAL"


class HttpsPolicy(StrEnum):
    """Whether open and click tracking links use HTTPS (`TrackingOptions.HttpsPolicy`).

    Examples:
        >>> HttpsPolicy.REQUIRE_OPEN_ONLY.value
        'REQUIRE_OPEN_ONLY'
    """

    REQUIRE = "REQUIRE"
    REQUIRE_OPEN_ONLY = "REQUIRE_OPEN_ONLY"
    OPTIONAL = "OPTIONAL"


class ReviewStatus(StrEnum):
    """The state of a production-access review (`ReviewDetails.Status`).

    Examples:
        >>> ReviewStatus("GRANTED") is ReviewStatus.GRANTED
        True
    """

    PENDING = "PENDING"
    FAILED = "FAILED"
    GRANTED = "GRANTED"
    DENIED = "DENIED"


class BulkEmailStatus(StrEnum):
    """A bulk recipient's outcome: SES's per-entry `SendBulkEmail` status, or sesflow's own.

    SES answers HTTP 200 even when entries fail, so every entry is read. Two statuses are
    sesflow's own, never SES's: `INVALID_RECIPIENT` (sesflow refused the recipient itself,
    before any call: a bad address, unusable data) and `AMBIGUOUS` (at-most-once runs: the
    answer to the call carrying it was lost, so it may have been sent).

    Examples:
        >>> BulkEmailStatus.ACCOUNT_THROTTLED.value
        'ACCOUNT_THROTTLED'
        >>> BulkEmailStatus("INVALID_RECIPIENT").is_sesflows
        True
    """

    SUCCESS = "SUCCESS"
    MESSAGE_REJECTED = "MESSAGE_REJECTED"
    MAIL_FROM_DOMAIN_NOT_VERIFIED = "MAIL_FROM_DOMAIN_NOT_VERIFIED"
    CONFIGURATION_SET_NOT_FOUND = "CONFIGURATION_SET_NOT_FOUND"
    TEMPLATE_NOT_FOUND = "TEMPLATE_NOT_FOUND"
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED"
    ACCOUNT_THROTTLED = "ACCOUNT_THROTTLED"
    ACCOUNT_DAILY_QUOTA_EXCEEDED = "ACCOUNT_DAILY_QUOTA_EXCEEDED"
    INVALID_SENDING_POOL_NAME = "INVALID_SENDING_POOL_NAME"
    ACCOUNT_SENDING_PAUSED = "ACCOUNT_SENDING_PAUSED"
    CONFIGURATION_SET_SENDING_PAUSED = "CONFIGURATION_SET_SENDING_PAUSED"
    INVALID_PARAMETER = "INVALID_PARAMETER"
    TRANSIENT_FAILURE = "TRANSIENT_FAILURE"
    FAILED = "FAILED"
    # sesflow's own:
    INVALID_RECIPIENT = "INVALID_RECIPIENT"
    AMBIGUOUS = "AMBIGUOUS"

    @property
    def is_sesflows(self) -> bool:
        """Whether sesflow set this status itself (SES never answers it)."""
        return self in (BulkEmailStatus.INVALID_RECIPIENT, BulkEmailStatus.AMBIGUOUS)


class RecordPurpose(StrEnum):
    """Why a DNS record exists (`DnsRecord.purpose`); sesflow's own vocabulary.

    Examples:
        >>> RecordPurpose.MAIL_FROM_MX.value
        'mail_from_mx'
    """

    DKIM = "dkim"
    MAIL_FROM_MX = "mail_from_mx"
    MAIL_FROM_SPF = "mail_from_spf"
    DMARC = "dmarc"


E = TypeVar("E", bound=StrEnum)


def coerce_enum(enum: type[E], value: E | str, *, field: str) -> E:
    """Return `value` as a member of `enum`, accepting its plain SES string.

    Raises `ValidationError` naming `field` and the accepted values otherwise.
    """
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(
            f"{field}: {value!r} is not a valid {enum.__name__} (expected one of: {allowed})",
            field=field,
            value=value,
        ) from None
