"""sesflow: a typed, high-level Python SDK for Amazon SES (v2).

Start from `SES`:

    >>> import sesflow
    >>> ses = sesflow.SES("eu-west-1")
    >>> ses.identity("alice@example.com").create().wait_until_verified(timeout=600)
    >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
    >>> print(dom.dns_records().to_bind())

Test code that uses it with `sesflow.testing.FakeSES`, no AWS account needed.
"""

from ._dkim import Byodkim, EasyDkim
from ._dns import DnsRecord, DnsRecords
from ._domain import Domain
from ._enums import (
    BehaviorOnMxFailure,
    BulkEmailStatus,
    ContactLanguage,
    DkimStatus,
    EventType,
    IdentityType,
    MailFromDomainStatus,
    MailType,
    RecordPurpose,
    ReviewStatus,
    SuppressionReason,
    TlsPolicy,
    VerificationStatus,
)
from ._errors import (
    AccountSuspendedError,
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    DailyQuotaExceededError,
    LimitExceededError,
    MailFromDomainNotVerifiedError,
    MessageRejectedError,
    NotFoundError,
    SendingPausedError,
    ServiceError,
    SesflowError,
    ThrottledError,
    TransportError,
    ValidationError,
    VerificationFailedError,
    WaiterTimeoutError,
)
from ._identity import Identity
from ._ses import SES
from ._version import __version__

__all__ = [
    "AccountSuspendedError",
    "AlreadyExistsError",
    "ApiError",
    "BadRequestError",
    "BehaviorOnMxFailure",
    "BulkEmailStatus",
    "Byodkim",
    "ConflictError",
    "ContactLanguage",
    "DailyQuotaExceededError",
    "DkimStatus",
    "DnsRecord",
    "DnsRecords",
    "Domain",
    "EasyDkim",
    "EventType",
    "Identity",
    "IdentityType",
    "LimitExceededError",
    "MailFromDomainNotVerifiedError",
    "MailFromDomainStatus",
    "MailType",
    "MessageRejectedError",
    "NotFoundError",
    "RecordPurpose",
    "ReviewStatus",
    "SES",
    "SendingPausedError",
    "ServiceError",
    "SesflowError",
    "SuppressionReason",
    "ThrottledError",
    "TlsPolicy",
    "TransportError",
    "ValidationError",
    "VerificationFailedError",
    "VerificationStatus",
    "WaiterTimeoutError",
    "__version__",
]
